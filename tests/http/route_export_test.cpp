#include <boost/json/serialize.hpp>
#include <cppstack/http/route_export.hpp>

#include <gtest/gtest.h>

namespace cppstack::http {
namespace {

std::vector<Route> sample_routes() {
  const Handler handler = [](const Request&) { return events::ProxyResponse{}; };
  return {Route{.method = "GET",
                .path = "/v1",
                .handler_name = "index",
                .summary = "Index",
                .handler = handler},
          Route{.method = "POST",
                .path = "/v1/items/{id}",
                .handler_name = "update",
                .summary = "Update",
                .settings = {.auth = AuthMode::api_key,
                             .cache_ttl_seconds = 30,
                             .throttle = Throttle{.rate_limit = 5, .burst_limit = 10}},
                .handler = handler},
          Route{.method = "ANY",
                .path = "/v1/files/{path+}",
                .handler_name = "files",
                .summary = "Files",
                .handler = handler}};
}

TEST(RouteTableJson, HasEveryRouteWithItsSettings) {
  const auto table = route_table_json(sample_routes()).as_object();
  EXPECT_EQ(table.at("formatVersion"), 1);
  const auto& routes = table.at("routes").as_array();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].at("method"), "GET");
  EXPECT_EQ(routes[0].at("path"), "/v1");
  EXPECT_EQ(routes[0].at("auth"), "none");
  EXPECT_EQ(routes[0].at("cacheTtlSeconds"), 0);
  EXPECT_TRUE(routes[0].at("throttle").is_null());
  EXPECT_EQ(routes[1].at("handler"), "update");
  EXPECT_EQ(routes[1].at("auth"), "apiKey");
  EXPECT_EQ(routes[1].at("cacheTtlSeconds"), 30);
  EXPECT_EQ(routes[1].at("throttle").at("rateLimit").to_number<double>(), 5.0);
  EXPECT_EQ(routes[1].at("throttle").at("burstLimit"), 10);
}

TEST(OpenApiDocument, DescribesEveryRoute) {
  const auto document =
      openapi_document(sample_routes(), {.title = "t", .version = "1.2.3", .description = "d"})
          .as_object();
  EXPECT_EQ(document.at("openapi"), "3.0.3");
  EXPECT_EQ(document.at("info").at("version"), "1.2.3");
  const auto& paths = document.at("paths").as_object();
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths.at("/v1").at("get").at("operationId"), "index");
  const auto& update = paths.at("/v1/items/{id}").at("post").as_object();
  EXPECT_EQ(update.at("parameters").at(0).at("name"), "id");
  EXPECT_EQ(update.at("parameters").at(0).at("in"), "path");
  EXPECT_EQ(update.at("security").at(0).as_object().count("apiKey"), 1u);
  EXPECT_TRUE(update.at("responses").as_object().contains("403"));
  EXPECT_TRUE(paths.at("/v1/files/{path+}").as_object().contains("x-amazon-apigateway-any-method"));
  EXPECT_TRUE(document.at("components").at("securitySchemes").as_object().contains("apiKey"));
}

}  // namespace
}  // namespace cppstack::http
