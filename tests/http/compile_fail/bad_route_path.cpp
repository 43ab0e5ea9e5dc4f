// Must not compile: CTest builds it with -DROUTE_PATH=... and expects the compiler's error to
// name the broken rule and the route (tests/http/CMakeLists.txt).
#include <cppstack/http/path_template.hpp>

constexpr cppstack::http::RoutePath route_path = ROUTE_PATH;

int main() { return static_cast<int>(route_path.text().size()); }
