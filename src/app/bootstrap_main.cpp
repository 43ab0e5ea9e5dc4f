// The Lambda entry point: a custom runtime (provided.al2023) running the application.
#include <cppstack/app/application.hpp>
#include <cppstack/runtime/runtime_loop.hpp>

#include <memory>
#include <utility>

int main() {
  using cppstack::runtime::Invocation;
  return cppstack::runtime::run([]() -> cppstack::runtime::Handler {
    // Configuration errors throw here and are reported as an initialisation error.
    auto application = std::make_shared<const cppstack::app::Application>(
        cppstack::app::Config::from_environment());
    auto first_invocation = std::make_shared<bool>(true);
    return [application, first_invocation](const Invocation& invocation) {
      const cppstack::http::InvocationInfo info{
          .request_id = invocation.request_id,
          .deadline_ms = invocation.deadline_ms,
          .cold_start = std::exchange(*first_invocation, false)};
      return application->handle_event(invocation.payload, info);
    };
  });
}
