// A Lambda function that answers every event with its own payload. Process-level tests run it
// against the fake Runtime API to check exit codes, signals and the environment contract.
#include <cppstack/runtime/runtime_loop.hpp>

int main() {
  return cppstack::runtime::run([] {
    return [](const cppstack::runtime::Invocation& invocation) { return invocation.payload; };
  });
}
