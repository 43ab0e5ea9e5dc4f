#pragma once
// Conditional GETs: a strong ETag on every successful GET/HEAD answer of a route, a 304 Not
// Modified when the client's If-None-Match already names it, and Cache-Control from the
// route's cache TTL, so browsers and the API Gateway stage cache keep answers equally long:
// `max-age=<cacheTtlSeconds>` (public for open routes, private for authenticated ones), or
// `no-cache` (revalidate every time, cheap with the ETag) for a route the stage does not cache.
//
//   middleware.push_back(cppstack::http::conditional_get_middleware(routes));

#include <cppstack/http/route.hpp>
#include <cppstack/http/service.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::http {

/// A strong entity tag for `body`: its length and a 64-bit hash of its bytes, quoted, e.g.
/// "2a-9f86d081884c7d65". Equal bodies give equal tags; any change of a byte changes it.
[[nodiscard]] std::string strong_etag(std::string_view body);

/// True when an If-None-Match value (`*`, or a comma list of entity tags, weak or strong)
/// matches `etag`, by the weak comparison RFC 9110 section 13.1.2 prescribes for it.
[[nodiscard]] bool if_none_match_matches(std::string_view if_none_match, std::string_view etag);

/// The Cache-Control value for answers of `route`.
[[nodiscard]] std::string cache_control_for(const RouteSettings& settings);

/// The middleware; `routes` gives each GET/HEAD route's cache settings (copied).
[[nodiscard]] Middleware conditional_get_middleware(const std::vector<Route>& routes);

}  // namespace cppstack::http
