// The Lambda entry point: a custom runtime (provided.al2023) running the application, or one of
// its Lambda authorizers when the function's handler (_HANDLER) is `authorizer.<name>`: the
// same package deploys as the API's function and as each authorizer's (docs/auth.md).
#include <cppstack/app/application.hpp>
#include <cppstack/app/build_info.hpp>
#include <cppstack/http/authorizer.hpp>
#include <cppstack/runtime/runtime_loop.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <utility>

namespace {

using cppstack::runtime::Invocation;

// The authorizer _HANDLER names; throws (an initialisation error) when it names none declared.
cppstack::runtime::Handler authorizer_handler(
    const std::shared_ptr<const cppstack::app::Application>& application, const std::string& name) {
  const auto& declared = application->resources().authorizers;
  const auto found = std::find_if(declared.begin(), declared.end(),
                                  [&name](const auto& item) { return item.name == name; });
  if (found == declared.end()) {
    throw std::runtime_error("_HANDLER names authorizer " + name +
                             ", which the function does not declare");
  }
  return [application, handler = found->handler](const Invocation& invocation) {
    return cppstack::http::run_authorizer(handler, invocation.payload);
  };
}

}  // namespace

int main() {
  return cppstack::runtime::run([]() -> cppstack::runtime::Handler {
    // Configuration errors throw here and are reported as an initialisation error.
    auto application = std::make_shared<const cppstack::app::Application>(
        cppstack::app::Config::from_environment());
    const auto& build = cppstack::app::build_info();
    const char* selected = std::getenv("_HANDLER");
    const auto authorizer =
        cppstack::http::authorizer_named_by(selected == nullptr ? "" : selected);
    application->logger().log(cppstack::observability::LogLevel::info, "function initialised",
                              {{"version", build.version},
                               {"commit", build.commit},
                               {"handler", authorizer ? "authorizer." + *authorizer : "routes"}});
    if (authorizer) return authorizer_handler(application, *authorizer);
    auto first_invocation = std::make_shared<bool>(true);
    return [application, first_invocation](const Invocation& invocation) {
      const cppstack::http::InvocationInfo info{
          .request_id = invocation.request_id,
          .deadline_ms = invocation.deadline_ms,
          .cold_start = std::exchange(*first_invocation, false),
          .trace_id =
              invocation.trace_id ? std::string_view(*invocation.trace_id) : std::string_view()};
      return application->handle_event(invocation.payload, info);
    };
  });
}
