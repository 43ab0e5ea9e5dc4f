// A function built on the project's runtime library (cppstack_runtime), for tests of the
// emulator and the runtime together: echoes the payload, throws FunctionError when the payload
// is {"throw": "message"}, and fails its initialisation when FIXTURE_INIT=throw.

#include <boost/json.hpp>
#include <cppstack/runtime/runtime_loop.hpp>
#include <cstdlib>
#include <stdexcept>
#include <string>

int main() {
  return cppstack::runtime::run([]() -> cppstack::runtime::Handler {
    const char* init = std::getenv("FIXTURE_INIT");
    if (init != nullptr && std::string(init) == "throw") {
      throw std::runtime_error("configuration missing");
    }
    return [](const cppstack::runtime::Invocation& invocation) {
      boost::system::error_code error;
      const auto payload = boost::json::parse(invocation.payload, error);
      if (!error && payload.is_object()) {
        if (const auto* message = payload.as_object().if_contains("throw");
            message && message->is_string()) {
          throw cppstack::runtime::FunctionError("ValidationError",
                                                 std::string(message->as_string()));
        }
      }
      return invocation.payload;
    };
  });
}
