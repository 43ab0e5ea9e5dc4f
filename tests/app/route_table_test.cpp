// The exported files must be exactly what the application's route table says, so the
// emulator and the infrastructure can never drift from the code.
#include <boost/json/parse.hpp>
#include <cppstack/app/application.hpp>
#include <cppstack/http/route_export.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace cppstack::app {
namespace {

boost::json::value read_json(const char* path) {
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << "missing " << path;
  std::stringstream text;
  text << file.rdbuf();
  return boost::json::parse(text.str());
}

TEST(RouteTable, ExportedRoutesJsonMatchesTheCode) {
  const Application application(Config{});
  EXPECT_EQ(read_json(CPPSTACK_EXPORTED_ROUTES),
            http::route_table_json(application.routes(), application.resources()));
}

TEST(RouteTable, HasTheThreeEndpointsOfTheApi) {
  const Application application(Config{});
  std::set<std::string> endpoints;
  for (const auto& route : application.routes()) endpoints.insert(route.method + " " + route.path);
  EXPECT_TRUE(endpoints.count("GET /v1"));
  EXPECT_TRUE(endpoints.count("GET /v1/metadata"));
  EXPECT_TRUE(endpoints.count("GET /v1/health"));
}

TEST(RouteTable, ExportedOpenApiHasExactlyTheRoutes) {
  const Application application(Config{});
  const auto document = read_json(CPPSTACK_EXPORTED_OPENAPI).as_object();
  std::set<std::string> documented;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      documented.insert(std::string(method) + " " + std::string(path));
    }
  }
  std::set<std::string> routed;
  for (const auto& route : application.routes()) {
    std::string method = route.method;
    for (char& character : method) character = static_cast<char>(std::tolower(character));
    routed.insert(method + " " + route.path);
  }
  EXPECT_EQ(documented, routed);
}

}  // namespace
}  // namespace cppstack::app
