// The access control a reload of the routes builds continues the usage plan's counts of the
// one it replaces: API Gateway keeps a usage plan's counts across deployments ("quota ... per
// API key ... over the time period", a usage plan's property, not a deployment's).

#include <gtest/gtest.h>

#include <cppstack/local/access_control.hpp>
#include <cppstack/local/route_table.hpp>

namespace cppstack::local {
namespace {

RouteTable keyed_routes() {
  return RouteTable::parse(R"({"routes":[{"method":"GET","path":"/v1","auth":"apiKey"}]})");
}

AccessControlSettings quota_of(std::string limit) {
  AccessControlSettings settings;
  settings.quota_limit = std::move(limit);
  settings.quota_period = "DAY";
  return settings;
}

TEST(AccessControl, QuotaCountsOutliveAReloadOfTheRoutes) {
  const auto routes = keyed_routes();
  const AccessControl first(quota_of("3"), routes);
  EXPECT_FALSE(first.consume_quota("key"));
  EXPECT_FALSE(first.consume_quota("key"));
  const AccessControl reloaded(quota_of("3"), routes, &first);
  EXPECT_FALSE(reloaded.consume_quota("key"));
  const AccessControl again(quota_of("3"), routes, &reloaded);
  const auto exceeded = again.consume_quota("key");
  ASSERT_TRUE(exceeded);
  EXPECT_EQ(exceeded->status, 429);
  EXPECT_FALSE(again.consume_quota("other key"));
}

TEST(AccessControl, ANewUsagePlanStartsItsOwnCounts) {
  const auto routes = keyed_routes();
  const AccessControl first(quota_of("1"), routes);
  EXPECT_FALSE(first.consume_quota("key"));
  EXPECT_TRUE(first.consume_quota("key"));
  const AccessControl changed(quota_of("2"), routes, &first);
  EXPECT_FALSE(changed.consume_quota("key"));
  EXPECT_FALSE(changed.consume_quota("key"));
  EXPECT_TRUE(changed.consume_quota("key"));
}

}  // namespace
}  // namespace cppstack::local
