// Must not compile: a field left out of BOOST_DESCRIBE_STRUCT would vanish from the JSON and
// the OpenAPI document. CTest expects one error naming the field (tests/http/CMakeLists.txt).
#include <cppstack/http/routes.hpp>
#include <string>

using namespace cppstack::http;

struct Bookmark {
  std::string url;
  std::string title;
  int stars = 0;
};
BOOST_DESCRIBE_STRUCT(Bookmark, (), (url, stars))

int main() {
  Routes routes;
  routes.post("/v1/bookmarks", [](const Request&, const Body<Bookmark>& bookmark) {
    return Created<Bookmark>{"/v1/bookmarks/1", bookmark};
  });
  return static_cast<int>(std::move(routes).release().size());
}
