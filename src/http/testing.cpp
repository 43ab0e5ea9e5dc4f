#include <cppstack/http/testing.hpp>

namespace cppstack::http::testing {

events::ProxyEvent event(std::string_view method, std::string_view target,
                         std::optional<std::string> body) {
  events::ProxyEvent result;
  result.http_method = std::string(method);
  const std::size_t question = target.find('?');
  result.path = std::string(target.substr(0, question));
  result.request_context.http_method = result.http_method;
  result.request_context.stage = "prod";
  result.request_context.request_id = "test-request";
  result.request_context.path = "/prod" + result.path;
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    events::StringMap last;
    events::MultiValueMap all;
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const std::size_t equals = pair.find('=');
      std::string name(pair.substr(0, equals));
      std::string value(equals == std::string_view::npos ? std::string_view()
                                                         : pair.substr(equals + 1));
      all[name].push_back(value);
      last[name] = std::move(value);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    result.query_string_parameters = std::move(last);
    result.multi_value_query_string_parameters = std::move(all);
  }
  if (body) {
    result.headers = events::StringMap{{"Content-Type", "application/json"}};
    result.multi_value_headers = events::MultiValueMap{{"Content-Type", {"application/json"}}};
    result.body = std::move(body);
  }
  return result;
}

}  // namespace cppstack::http::testing
