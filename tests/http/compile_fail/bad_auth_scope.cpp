// Must not compile: CTest builds it with -DAUTH_SCOPE=... and expects the compiler's error to
// name the broken rule (tests/http/CMakeLists.txt). Written as a route's options write scopes.
#include <cppstack/http/auth_scope.hpp>
#include <vector>

const std::vector<cppstack::http::AuthScope> scopes{"notes/read", AUTH_SCOPE};

int main() { return static_cast<int>(scopes.size()); }
