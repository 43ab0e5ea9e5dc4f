#pragma once
// Exports the route table for the tools that must agree with it: routes.json for the local
// emulator and the infrastructure (format in docs/route-table.md), and an OpenAPI 3.0
// document for humans and API clients.
//
//   std::string json = boost::json::serialize(cppstack::http::route_table_json(routes));

#include <boost/json/value.hpp>
#include <cppstack/http/resources.hpp>
#include <cppstack/http/route.hpp>
#include <string_view>
#include <vector>

namespace cppstack::http {

[[nodiscard]] boost::json::value route_table_json(const std::vector<Route>& routes);
/// routes.json with the function's declared tables and buckets (keys `tables` and `buckets`,
/// each left out when there is none, so a function without resources exports what it did).
[[nodiscard]] boost::json::value route_table_json(const std::vector<Route>& routes,
                                                  const Resources& resources);

struct ApiDescription {
  std::string_view title;
  std::string_view version;
  std::string_view description;
  std::string_view stage = "prod";
};

[[nodiscard]] boost::json::value openapi_document(const std::vector<Route>& routes,
                                                  const ApiDescription& description);

}  // namespace cppstack::http
