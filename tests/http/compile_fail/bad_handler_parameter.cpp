// Must not compile: a handler parameter the framework cannot fill. CTest expects one error
// naming the parameters a handler may take (tests/http/CMakeLists.txt).
#include <cppstack/http/routes.hpp>
#include <string>

using namespace cppstack::http;

int main() {
  Routes routes;
  routes.get("/v1/things/{id}", [](const Request&, int id) { return std::to_string(id); });
  return static_cast<int>(std::move(routes).release().size());
}
