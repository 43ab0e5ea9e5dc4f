#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cppstack/local/route_table.hpp>
#include <filesystem>
#include <fstream>

namespace cppstack::local {
namespace {

RouteTable sample_table() {
  return RouteTable::parse(R"({"formatVersion":1,"routes":[
    {"method":"GET","path":"/v1","handler":"root","auth":"none","throttle":null},
    {"method":"GET","path":"/v1/health","handler":"health","auth":"none","throttle":null},
    {"method":"GET","path":"/v1/items/{id}","handler":"item","auth":"none","throttle":null},
    {"method":"PUT","path":"/v1/items/{id}","handler":"put","auth":"apiKey",
     "throttle":{"rateLimit":5,"burstLimit":2}},
    {"method":"GET","path":"/v1/items/special","handler":"special","auth":"none","throttle":null},
    {"method":"ANY","path":"/v1/files/{path+}","handler":"files","auth":"none","throttle":null},
    {"method":"GET","path":"/v1/{section}/latest","handler":"latest","auth":"none","throttle":null},
    {"method":"GET","path":"/v1/items/special/more","handler":"more","auth":"none","throttle":null}
  ]})");
}

struct MatchCase {
  std::string method;
  std::string path;
  std::string expected_template;  // empty: no match (API Gateway answers 403)
  std::map<std::string, std::string> expected_parameters;
};

// Readable test names in test listings (instead of the bytes of the struct).
void PrintTo(const MatchCase& match_case, std::ostream* out) {
  *out << match_case.method << " " << match_case.path;
}

class RouteTableMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(RouteTableMatch, MatchesLikeApiGateway) {
  const auto table = sample_table();
  const auto& c = GetParam();
  const auto match = table.match(c.method, c.path);
  if (c.expected_template.empty()) {
    EXPECT_FALSE(match.has_value())
        << c.method << " " << c.path << " matched " << match->route->path;
    return;
  }
  ASSERT_TRUE(match.has_value()) << c.method << " " << c.path;
  EXPECT_EQ(match->route->path, c.expected_template);
  EXPECT_EQ(match->path_parameters, c.expected_parameters);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RouteTableMatch,
    ::testing::Values(
        MatchCase{"GET", "/v1/health", "/v1/health", {}},
        MatchCase{"GET", "/v1/health/", "/v1/health", {}},  // trailing slash ignored
        MatchCase{"GET", "/v1/", "/v1", {}},
        MatchCase{"GET", "/v1/items/42", "/v1/items/{id}", {{"id", "42"}}},
        // Captures are passed as sent, still percent-encoded (serverless/serverless#5037:
        // /posts/%40 gives pathParameters.id "%40" on AWS); %2F does not split a segment.
        MatchCase{"GET", "/v1/items/a%20b", "/v1/items/{id}", {{"id", "a%20b"}}},
        MatchCase{"GET", "/v1/items/a%2Fb", "/v1/items/{id}", {{"id", "a%2Fb"}}},
        // A greedy capture too: "test%2Balias" stays encoded (recorded, contracts.md 1).
        MatchCase{"GET",
                  "/v1/files/test%2Balias/x%20y",
                  "/v1/files/{path+}",
                  {{"path", "test%2Balias/x%20y"}}},
        // An empty segment is skipped as if it were not there (recorded, contracts.md 1).
        MatchCase{"GET", "/v1//health", "/v1/health", {}},
        MatchCase{"GET", "//v1/items//42", "/v1/items/{id}", {{"id", "42"}}},
        MatchCase{"GET", "/v1/items/a+b", "/v1/items/{id}", {{"id", "a+b"}}},
        MatchCase{"GET", "/v1/items/special", "/v1/items/special", {}},  // static wins
        MatchCase{"GET", "/v1/items/special/more", "/v1/items/special/more", {}},
        MatchCase{"GET", "/v1/items/latest", "/v1/items/{id}", {{"id", "latest"}}},
        // A capture in the middle, followed by a literal.
        MatchCase{"GET", "/v1/other/latest", "/v1/{section}/latest", {{"section", "other"}}},
        MatchCase{"GET", "/v1/files/a/b/c.txt", "/v1/files/{path+}", {{"path", "a/b/c.txt"}}},
        // Inside a greedy value an empty segment is kept, the trailing slash is not (recorded
        // from AWS: LocalStack's test_lambda_aws_proxy_integration, "...-with-double-slash" and
        // "...-with-trailing-slash").
        MatchCase{"GET", "/v1/files/a//b", "/v1/files/{path+}", {{"path", "a//b"}}},
        MatchCase{"GET", "/v1/files//a//b/", "/v1/files/{path+}", {{"path", "a//b"}}},
        MatchCase{"DELETE", "/v1/files/x", "/v1/files/{path+}", {{"path", "x"}}},  // ANY
        MatchCase{"GET", "/v1/files", "", {}},    // greedy needs one segment at least
        MatchCase{"POST", "/v1/health", "", {}},  // resource exists, method does not
        MatchCase{"DELETE", "/v1/items/1", "", {}}, MatchCase{"GET", "/v2/health", "", {}},
        MatchCase{"GET", "/", "", {}}, MatchCase{"GET", "/v1/items//", "", {}},
        // POST /v1/files/x: the greedy resource has ANY. POST /v1/items/1: no greedy
        // resource matches /v1/items/1, so no fallback.
        MatchCase{"POST", "/v1/files/x", "/v1/files/{path+}", {{"path", "x"}}},
        MatchCase{"get", "/v1/health", "", {}}));  // methods are case-sensitive

// Recorded from AWS (contracts.md section 1): when the most specific resource lacks the
// method, a greedy {proxy+} resource that matches the path and has it answers, e.g.
// OPTIONS /test reaching OPTIONS /{proxy+} next to GET /test.
TEST(RouteTable, MissingMethodFallsBackToAMatchingGreedyResource) {
  const auto table = RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/test","handler":"test","auth":"none"},
    {"method":"OPTIONS","path":"/{proxy+}","handler":"preflight","auth":"none"},
    {"method":"GET","path":"/items/{id}","handler":"item","auth":"none"}
  ]})");
  const auto options = table.match("OPTIONS", "/test");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->route->path, "/{proxy+}");
  EXPECT_EQ(options->path_parameters.at("proxy"), "test");
  const auto nested = table.match("OPTIONS", "/items/7");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->route->path, "/{proxy+}");
  EXPECT_EQ(nested->path_parameters.at("proxy"), "items/7");
  EXPECT_EQ(table.match("GET", "/test")->route->path, "/test");
  EXPECT_FALSE(table.match("DELETE", "/test"));  // no resource has DELETE
}

// Recorded from AWS: GET /v1/items/42 reaches GET /{proxy+} next to POST /v1/items/{id}; the
// function's own router agrees (tests/http/router_test.cpp, fuzz/fuzz_routers.cpp).
TEST(RouteTable, MoreSpecificResourceWithoutTheMethodFallsToProxy) {
  const auto table = RouteTable::parse(R"({"routes":[
    {"method":"POST","path":"/v1/items/{id}","handler":"post","auth":"none"},
    {"method":"GET","path":"/{proxy+}","handler":"proxy","auth":"none"}
  ]})");
  const auto get = table.match("GET", "/v1/items/42");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->route->path, "/{proxy+}");
  EXPECT_EQ(get->path_parameters.at("proxy"), "v1/items/42");
}

// API Gateway refuses these shapes ("A sibling ({id}) of this resource already has a variable
// path part -- only one is allowed", amazon-archives/aws-apigateway-importer#202 and
// serverless-nextjs/serverless-next.js#206 for {proxy+} next to {uid}); 10,000 sibling
// `/{v<i>}/{proxy+}` routes used to be accepted and cost every unmatched request 0.6 s.
TEST(RouteTable, ShapesApiGatewayRefusesAreRefused) {
  EXPECT_THROW((void)RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/{v1}/{proxy+}"},{"method":"GET","path":"/{v2}/{proxy+}"}]})"),
               RouteTableError);
  EXPECT_THROW((void)RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/items/{id}"},{"method":"GET","path":"/items/{proxy+}"}]})"),
               RouteTableError);
  EXPECT_THROW((void)RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/a/{x}/b"},{"method":"PUT","path":"/a/{y}"}]})"),
               RouteTableError);
  EXPECT_THROW((void)RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/a"},{"method":"GET","path":"/a/"}]})"),
               RouteTableError);  // one resource, the same method twice
  EXPECT_NO_THROW((void)RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/a/{x}/b"},{"method":"PUT","path":"/a/{x}"},
    {"method":"GET","path":"/a/static"},{"method":"ANY","path":"/{proxy+}"}]})"));
}

TEST(RouteTable, CatchAllMatchesEveryPathAndMethod) {
  const auto table = RouteTable::catch_all();
  auto root = table.match("GET", "/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->route->path, "/");
  EXPECT_TRUE(root->path_parameters.empty());
  auto deep = table.match("PATCH", "/a/b%2Fc/d");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->route->path, "/{proxy+}");
  EXPECT_EQ(deep->path_parameters.at("proxy"), "a/b%2Fc/d");  // as sent
}

TEST(RouteTable, ReadsAuthAndThrottle) {
  const auto table = sample_table();
  const auto put = table.match("PUT", "/v1/items/7");
  ASSERT_TRUE(put);
  EXPECT_TRUE(put->route->requires_api_key);
  ASSERT_TRUE(put->route->throttle);
  EXPECT_DOUBLE_EQ(put->route->throttle->rate_limit, 5);
  EXPECT_DOUBLE_EQ(put->route->throttle->burst_limit, 2);
  const auto get = table.match("GET", "/v1/items/7");
  ASSERT_TRUE(get);
  EXPECT_FALSE(get->route->requires_api_key);
  EXPECT_FALSE(get->route->throttle);
}

TEST(RouteTable, RejectsMalformedTables) {
  EXPECT_THROW((void)RouteTable::parse("not json"), RouteTableError);
  EXPECT_THROW((void)RouteTable::parse(R"({"routes":{}})"), RouteTableError);
  EXPECT_THROW((void)RouteTable::parse(R"({"routes":[{"method":"GET"}]})"), RouteTableError);
  EXPECT_THROW((void)RouteTable::parse(R"({"routes":[{"method":"GET","path":"v1"}]})"),
               RouteTableError);
  EXPECT_THROW((void)RouteTable::parse(R"({"routes":[{"method":"GET","path":"/{p+}/tail"}]})"),
               RouteTableError);
  EXPECT_THROW((void)RouteTable::parse(
                   R"({"routes":[{"method":"GET","path":"/a"},{"method":"GET","path":"/a"}]})"),
               RouteTableError);
  EXPECT_THROW(
      (void)RouteTable::parse(R"({"routes":[{"method":"GET","path":"/a","auth":"oauth"}]})"),
      RouteTableError);
}

TEST(RouteTable, ReadsEveryAuthMode) {
  const auto table = RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/a","auth":"none"},{"method":"GET","path":"/b","auth":"apiKey"},
    {"method":"GET","path":"/d","auth":"cognito","authorizationScopes":["notes/read","openid"]},
    {"method":"GET","path":"/e","auth":"iam","authorizationScopes":[]},
    {"method":"GET","path":"/f"}]})");
  const auto& routes = table.routes();
  EXPECT_EQ(routes[0].auth, http::AuthMode::none);
  EXPECT_EQ(routes[1].auth, http::AuthMode::api_key);
  EXPECT_TRUE(routes[1].requires_api_key);
  EXPECT_EQ(routes[2].auth, http::AuthMode::cognito);
  EXPECT_FALSE(routes[2].requires_api_key);
  EXPECT_EQ(routes[2].scopes, (std::vector<std::string>{"notes/read", "openid"}));
  EXPECT_EQ(routes[3].auth, http::AuthMode::iam);
  EXPECT_TRUE(routes[3].scopes.empty());
  EXPECT_EQ(routes[4].auth, http::AuthMode::none);
}

// A reload reads only a regular file, and no more than the limit: a FIFO in the file's place
// used to block the reload in open() for good, a symlink to /dev/zero to read 2 GB.
TEST(RouteTable, LoadReadsOnlyARegularFileOfBoundedSize) {
  const auto directory =
      std::filesystem::temp_directory_path() / ("route-table-load-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const auto fifo = directory / "fifo.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW((void)RouteTable::load(fifo), RouteTableError);  // at once: nobody writes it
  const auto zero = directory / "zero.json";
  std::filesystem::create_symlink("/dev/zero", zero);
  EXPECT_THROW((void)RouteTable::load(zero), RouteTableError);
  const auto big = directory / "big.json";
  {
    std::ofstream out(big);
    out << R"({"routes":[],"padding":")" << std::string(RouteTable::max_file_bytes, 'p') << "\"}";
  }
  EXPECT_THROW((void)RouteTable::load(big), RouteTableError);
  const auto good = directory / "good.json";
  { std::ofstream(good) << R"({"routes":[{"method":"GET","path":"/v1"}]})"; }
  const auto link = directory / "link.json";
  std::filesystem::create_symlink(good, link);  // a symlink to a regular file is fine
  EXPECT_EQ(RouteTable::load(link).routes().size(), 1U);
  std::filesystem::remove_all(directory);
}

// routes.json is camelCase throughout (formatVersion, cacheTtlSeconds, rateLimit), and the
// exporter has only ever written "apiKey": the enumerator's spelling is not a mode.
TEST(RouteTable, RefusesTheSnakeCaseApiKeySpelling) {
  try {
    (void)RouteTable::parse(R"({"routes":[{"method":"GET","path":"/c","auth":"api_key"}]})");
    FAIL() << "api_key was accepted";
  } catch (const RouteTableError& error) {
    EXPECT_STREQ(error.what(),
                 R"(routes[0].auth must be "none", "apiKey", "cognito", "iam" or "custom")");
  }
}

TEST(RouteTable, RefusesBadScopesAndScopesOutsideCognito) {
  const auto message = [](std::string_view json) {
    try {
      (void)RouteTable::parse(json);
    } catch (const RouteTableError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message(R"({"routes":[{"method":"GET","path":"/a","auth":"iam",
                        "authorizationScopes":["notes/read"]}]})"),
            R"(routes[0].authorizationScopes needs auth "cognito")");
  for (const char* scopes :
       {R"(["notes read"])", R"([""])", R"([7])", R"("notes/read")", R"(["quote\"d"])"}) {
    EXPECT_EQ(message(std::string(R"({"routes":[{"method":"GET","path":"/a","auth":"cognito",)") +
                      R"("authorizationScopes":)" + scopes + "}]}"),
              std::string("routes[0].authorizationScopes must ") +
                  (std::string_view(scopes).starts_with("[")
                       ? "hold OAuth scopes (printable ASCII without spaces, quotes or backslashes)"
                       : "be an array of strings"))
        << scopes;
  }
  EXPECT_EQ(message(R"({"routes":[{"method":"GET","path":"/a","auth":7}]})"),
            R"(routes[0].auth must be "none", "apiKey", "cognito", "iam" or "custom")");
}

TEST(RouteTable, LoadReportsMissingFile) {
  EXPECT_THROW((void)RouteTable::load("/nonexistent/routes.json"), RouteTableError);
}

// "apiKeyRequired": a key as well as the token or signature of the route (API Gateway's
// apiKeyRequired beside an authorizer); refused where it would only be auth "apiKey" spelled
// another way, or is not a boolean.
TEST(RouteTable, ReadsApiKeyRequiredBesideATokenOrSignature) {
  const auto table = RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/a","auth":"cognito","apiKeyRequired":true},
    {"method":"GET","path":"/b","auth":"iam","apiKeyRequired":false},
    {"method":"GET","path":"/c","auth":"iam"}]})");
  EXPECT_TRUE(table.routes()[0].requires_api_key);
  EXPECT_EQ(table.routes()[0].auth, http::AuthMode::cognito);
  EXPECT_FALSE(table.routes()[1].requires_api_key);
  EXPECT_FALSE(table.routes()[2].requires_api_key);
  EXPECT_THROW(
      (void)RouteTable::parse(
          R"({"routes":[{"method":"GET","path":"/a","auth":"none","apiKeyRequired":true}]})"),
      RouteTableError);
  EXPECT_THROW(
      (void)RouteTable::parse(
          R"({"routes":[{"method":"GET","path":"/a","auth":"iam","apiKeyRequired":"yes"}]})"),
      RouteTableError);
}

}  // namespace
}  // namespace cppstack::local
