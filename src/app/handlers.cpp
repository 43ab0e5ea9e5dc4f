#include <cppstack/app/build_info.hpp>
#include <cppstack/app/handlers.hpp>
#include <cppstack/http/responses.hpp>
#include <cppstack/observability/json_line.hpp>

#include <unistd.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>

namespace cppstack::app {
namespace {

// The stage prefix the client used, so links work both on API Gateway and locally.
std::string stage_prefix(const http::Request& request) {
  const std::string& stage = request.event.request_context.stage;
  return stage.empty() ? std::string() : "/" + stage;
}

boost::json::value null_if_empty(const std::string& text) {
  if (text.empty()) return nullptr;
  return boost::json::value(text);
}

}  // namespace

events::ProxyResponse index_handler(const ApplicationState& state, const http::Request& request) {
  const std::string prefix = stage_prefix(request);
  boost::json::object links;
  for (const std::string& path : state.link_paths) {
    const std::size_t last_slash = path.rfind('/');
    std::string name = path.substr(last_slash + 1);
    links[name.empty() || path == "/v1" ? "self" : name] = prefix + path;
  }
  return http::json_response(
      200, boost::json::object{{"message", "Hello from " + state.config.application_name},
                               {"application", state.config.application_name},
                               {"version", build_info().version},
                               {"links", std::move(links)}});
}

std::string metadata_constant_fields(const Config& config) {
  const BuildInfo& build = build_info();
  boost::json::object constant{
      {"application", config.application_name},
      {"version", build.version},
      {"commit", build.commit},
      {"buildTime", build.build_time},
      {"compiler", compiler_description()},
      {"architecture", cpu_architecture()},
      {"region", null_if_empty(config.region)},
      {"function", boost::json::object{{"name", null_if_empty(config.function_name)},
                                       {"version", null_if_empty(config.function_version)},
                                       {"memoryMb", config.memory_size_mb}}}};
  std::string text = boost::json::serialize(constant);
  text.pop_back();  // the closing brace: the stage follows
  return text;
}

events::ProxyResponse metadata_handler(const ApplicationState& state,
                                       const http::Request& request) {
  // The answer changes only with a deployment (and differs per stage): its ETag is stable, so
  // If-None-Match gets a 304 and the stage cache may serve it to anyone. Per-request facts
  // stay out of it: the caller has the request id in API Gateway's x-amzn-RequestId header,
  // and the access line joins it (correlation_id) to Lambda's request id and cold start.
  const std::string& stage = request.event.request_context.stage;
  std::string body;
  body.reserve(state.metadata_constant_fields.size() + stage.size() + 16);
  body += state.metadata_constant_fields;
  body += R"(,"stage":)";
  if (stage.empty()) {
    body += "null";
  } else {
    observability::append_json_string(body, stage);
  }
  body += '}';
  events::ProxyResponse response;
  response.headers.emplace("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

long resident_memory_kib() noexcept {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  long total_pages = 0;
  long resident_pages = 0;
  const int fields = std::fscanf(statm, "%ld %ld", &total_pages, &resident_pages);
  std::fclose(statm);
  if (fields != 2) return 0;
  return resident_pages * (sysconf(_SC_PAGESIZE) / 1024);
}

events::ProxyResponse health_handler(const ApplicationState& state, const http::Request&) {
  const auto uptime = std::chrono::steady_clock::now() - state.started_at;
  const double uptime_seconds = std::chrono::duration<double>(uptime).count();

  // Memory: warn above 90% of the configured function memory, fail above 98%: the
  // platform kills the process at 100%.
  const long resident_kib = resident_memory_kib();
  std::string memory_status = "pass";
  if (state.config.memory_size_mb > 0) {
    const double limit_kib = state.config.memory_size_mb * 1024.0;
    const double used = static_cast<double>(resident_kib) / limit_kib;
    if (used > 0.98) {
      memory_status = "fail";
    } else if (used > 0.90) {
      memory_status = "warn";
    }
  }
  boost::json::array checks{boost::json::object{{"name", "configuration"}, {"status", "pass"}},
                            boost::json::object{{"name", "memory"},
                                                {"status", memory_status},
                                                {"observedValue", resident_kib},
                                                {"observedUnit", "KiB"},
                                                {"limitMb", state.config.memory_size_mb}}};
  const bool failing = memory_status == "fail";
  return http::json_response(failing ? 503 : 200,
                             boost::json::object{{"status", failing ? "fail" : "pass"},
                                                 {"uptimeSeconds", uptime_seconds},
                                                 {"version", build_info().version},
                                                 {"checks", std::move(checks)}});
}

}  // namespace cppstack::app
