// Must not compile: a handler returning a type the framework cannot answer with. CTest expects
// one error naming the allowed return types (tests/http/CMakeLists.txt).
#include <cppstack/http/routes.hpp>
#include <map>
#include <string>

using namespace cppstack::http;

int main() {
  Routes routes;
  routes.get("/v1/counts", [](const Request&) { return std::map<std::string, int>{{"a", 1}}; });
  return static_cast<int>(std::move(routes).release().size());
}
