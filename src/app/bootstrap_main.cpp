// The Lambda entry point: a custom runtime (provided.al2023) running the application.
#include <cppstack/app/application.hpp>
#include <cppstack/app/build_info.hpp>
#include <cppstack/runtime/runtime_loop.hpp>

#include <memory>
#include <utility>

int main() {
  using cppstack::runtime::Invocation;
  return cppstack::runtime::run([]() -> cppstack::runtime::Handler {
    // Configuration errors throw here and are reported as an initialisation error.
    auto application = std::make_shared<const cppstack::app::Application>(
        cppstack::app::Config::from_environment());
    const auto& build = cppstack::app::build_info();
    application->logger().log(cppstack::observability::LogLevel::info, "function initialised",
                              {{"version", build.version}, {"commit", build.commit}});
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
