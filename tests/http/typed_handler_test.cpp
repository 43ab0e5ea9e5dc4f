// Typed handlers: bodies and query strings read into described structs, results written as
// JSON with the right status, HTTP errors as answers, and what the OpenAPI document says
// about them.
#include <boost/json/parse.hpp>
#include <cppstack/http/cors.hpp>
#include <cppstack/http/route_export.hpp>
#include <cppstack/http/routes.hpp>
#include <cppstack/http/service.hpp>
#include <cppstack/http/testing.hpp>

#include <gtest/gtest.h>

namespace cppstack::http {
namespace {

enum class Colour { red, green };
BOOST_DESCRIBE_ENUM(Colour, red, green)

struct Tag {
  std::string name;
  std::int8_t weight = 0;
};
BOOST_DESCRIBE_STRUCT(Tag, (), (name, weight))

struct Item {
  std::string title{};
  std::optional<std::string> note{};
  std::vector<Tag> tags{};
  Colour colour = Colour::red;
  double price = 0;
  bool public_ = false;
};
BOOST_DESCRIBE_STRUCT(Item, (), (title, note, tags, colour, price, public_))

struct Filter {
  int limit = 20;
  std::optional<bool> archived;
  std::vector<std::string> tag;
};
BOOST_DESCRIBE_STRUCT(Filter, (), (limit, archived, tag))

std::string field_of_bad(const char* json) {
  try {
    (void)from_json<Item>(boost::json::parse(json));
  } catch (const BadRequest& error) {
    EXPECT_EQ(error.status_code(), 400);
    return error.field() + ": " + error.what();
  }
  return "accepted";
}

TEST(TypedJson, ReadsADescribedStruct) {
  const Item item = from_json<Item>(boost::json::parse(
      R"({"title":"t","tags":[{"name":"a","weight":-3}],"colour":"green","price":2,"public_":true,"extra":1})"));
  EXPECT_EQ(item.title, "t");
  EXPECT_FALSE(item.note.has_value());
  ASSERT_EQ(item.tags.size(), 1U);
  EXPECT_EQ(item.tags[0].weight, -3);
  EXPECT_EQ(item.colour, Colour::green);
  EXPECT_EQ(item.price, 2.0);
  EXPECT_TRUE(item.public_);
}

TEST(TypedJson, NamesTheFieldThatDoesNotFit) {
  const char* base = R"("tags":[],"colour":"red","price":1,"public_":false)";
  EXPECT_EQ(field_of_bad(R"({"tags":[],"colour":"red","price":1,"public_":false})"),
            "title: title must be present");
  EXPECT_EQ(field_of_bad((std::string(R"({"title":1,)") + base + "}").c_str()),
            "title: title must be a string");
  EXPECT_EQ(
      field_of_bad(
          R"({"title":"t","tags":[{"name":"a","weight":1},{"name":"b","weight":300}],"colour":"red","price":1,"public_":false})"),
      "tags[1].weight: tags[1].weight must be an integer from -128 to 127");
  EXPECT_EQ(field_of_bad(R"({"title":"t","tags":[],"colour":"blue","price":1,"public_":false})"),
            "colour: colour must be one of red, green");
  EXPECT_EQ(field_of_bad(R"({"title":"t","tags":{},"colour":"red","price":1,"public_":false})"),
            "tags: tags must be an array");
  EXPECT_EQ(field_of_bad("[]"), ": the request body must be an object");
}

TEST(TypedJson, WritesAndDescribesTheSameShape) {
  const Item item{.title = "t", .tags = {{"a", 1}}, .colour = Colour::green, .price = 1.25};
  EXPECT_EQ(
      to_json_text(to_json(item)),
      R"({"title":"t","tags":[{"name":"a","weight":1}],"colour":"green","price":1.25,"public_":false})");
  const auto schema = json_schema<Item>();
  EXPECT_EQ(schema.at("required"),
            boost::json::parse(R"(["title","tags","colour","price","public_"])"));
  EXPECT_EQ(schema.at("properties").at("colour"),
            boost::json::parse(R"({"type":"string","enum":["red","green"]})"));
  EXPECT_EQ(
      schema.at("properties").at("tags").at("items").at("properties").at("weight"),
      boost::json::parse(R"({"type":"integer","format":"int32","minimum":-128,"maximum":127})"));
}

TEST(TypedJson, NumbersAreWrittenAsPeopleWriteThem) {
  EXPECT_EQ(to_json_text(boost::json::parse(
                R"({"uptime":1.253314731,"n":[3,-4,0.5,-0.0012,2.0,1234.5,1e300,1e-9]})")),
            R"({"uptime":1.253314731,"n":[3,-4,0.5,-0.0012,2,1234.5,1E300,1E-9]})");
}

TEST(TypedParameters, ParseWholeValuesOnly) {
  EXPECT_EQ(parse_parameter<int>("42"), 42);
  EXPECT_EQ(parse_parameter<int>("42x"), std::nullopt);
  EXPECT_EQ(parse_parameter<int>(""), std::nullopt);
  EXPECT_EQ(parse_parameter<std::uint8_t>("256"), std::nullopt);
  EXPECT_EQ(parse_parameter<bool>("true"), true);
  EXPECT_EQ(parse_parameter<bool>("1"), std::nullopt);
  EXPECT_EQ(parse_parameter<double>("2.5"), 2.5);
  EXPECT_EQ(parse_parameter<Colour>("green"), Colour::green);
  EXPECT_EQ(parse_parameter<Colour>("blue"), std::nullopt);
}

class TypedRoutes : public ::testing::Test {
 protected:
  TypedRoutes() {
    Routes routes;
    routes.post("/v1/items", [](const Request&, const Body<Item>& item) {
      return Created<Item>{"/v1/items/1", item};
    });
    routes.get("/v1/items", {.summary = "List"}, [](const Request&, const Query<Filter>& filter) {
      return std::vector<Tag>{{"limit", static_cast<std::int8_t>(filter.limit)},
                              {filter.archived.value_or(false) ? "archived" : "live", 0},
                              {"tags", static_cast<std::int8_t>(filter.tag.size())}};
    });
    routes.get("/v1/items/{id}", {.auth = AuthMode::api_key, .errors = {404}},
               [](const Request& request) -> Tag {
                 if (request.path<int>("id") != 1) throw NotFound("no such item", "id");
                 return {"one", 1};
               });
    routes.del("/v1/items/{id}", [](const Request&) { return NoContent{}; });
    routes_ = std::move(routes).release();
  }

  events::ProxyResponse send(std::string_view method, std::string_view target,
                             std::optional<std::string> body = std::nullopt) const {
    const Service service(Router(routes_), {cors_middleware({})});
    events::ProxyEvent event = testing::event(method, target, std::move(body));
    if (!event.headers) event.headers.emplace();
    event.headers->emplace("Origin", "https://app.example.com");
    return service.handle(event, {});
  }

  std::vector<Route> routes_;
};

TEST_F(TypedRoutes, BodyInCreatedOut) {
  const auto response = send("POST", "/v1/items",
                             R"({"title":"t","tags":[],"colour":"red","price":1,"public_":true})");
  EXPECT_EQ(response.status_code, 201);
  EXPECT_EQ(response.headers.at("Location"), "/prod/v1/items/1");
  EXPECT_EQ(boost::json::parse(response.body).at("public_"), true);
}

TEST_F(TypedRoutes, QueryStringIntoTheStructWithDefaults) {
  EXPECT_EQ(
      send("GET", "/v1/items").body,
      R"([{"name":"limit","weight":20},{"name":"live","weight":0},{"name":"tags","weight":0}])");
  EXPECT_EQ(
      send("GET", "/v1/items?limit=5&archived=true&tag=a&tag=b").body,
      R"([{"name":"limit","weight":5},{"name":"archived","weight":0},{"name":"tags","weight":2}])");
  const auto bad = send("GET", "/v1/items?archived=yes");
  EXPECT_EQ(bad.status_code, 400);
  EXPECT_EQ(boost::json::parse(bad.body).at("field"), "archived");
}

TEST_F(TypedRoutes, ErrorsAreAnswersWithTheMiddlewaresHeaders) {
  const auto missing = send("GET", "/v1/items/2");
  EXPECT_EQ(missing.status_code, 404);
  EXPECT_EQ(
      boost::json::parse(missing.body),
      boost::json::parse(R"({"message":"no such item","requestId":"test-request","field":"id"})"));
  EXPECT_EQ(missing.headers.at("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(send("GET", "/v1/items/x").status_code, 400);
  EXPECT_EQ(send("GET", "/v1/items/1").status_code, 200);
  const auto deleted = send("DELETE", "/v1/items/1");
  EXPECT_EQ(deleted.status_code, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(deleted.headers.count("Content-Type"), 0U);
}

TEST_F(TypedRoutes, OpenApiSaysWhatTheTypesSay) {
  const auto document =
      openapi_document(routes_, {.title = "t", .version = "1", .description = ""});
  const auto& paths = document.at("paths");
  const auto& create = paths.at("/v1/items").at("post");
  EXPECT_EQ(create.at("operationId"), "post_v1_items");
  // Each described struct once, under its name, referenced wherever it is used.
  const auto item_reference = boost::json::parse(R"({"$ref":"#/components/schemas/Item"})");
  EXPECT_EQ(create.at("requestBody").at("content").at("application/json").at("schema"),
            item_reference);
  EXPECT_EQ(create.at("responses").at("201").at("content").at("application/json").at("schema"),
            item_reference);
  const auto& schemas = document.at("components").at("schemas");
  EXPECT_EQ(schemas.at("Item").at("properties").at("tags").at("items"),
            boost::json::parse(R"({"$ref":"#/components/schemas/Tag"})"));
  EXPECT_EQ(schemas.at("Tag"), json_schema<Tag>());
  EXPECT_EQ(schemas.at("Item").at("properties").at("note"),
            boost::json::parse(R"({"type":"string","nullable":true})"));
  EXPECT_TRUE(create.at("responses").at("201").at("headers").as_object().contains("Location"));
  EXPECT_TRUE(create.at("responses").as_object().contains("400"));

  const auto& list = paths.at("/v1/items").at("get");
  EXPECT_EQ(list.at("summary"), "List");
  EXPECT_EQ(list.at("parameters").at(0),
            boost::json::parse(R"({"name":"limit","in":"query","required":false,
              "schema":{"type":"integer","format":"int32","minimum":-2147483648,
                        "maximum":2147483647,"default":20}})"));
  EXPECT_EQ(list.at("parameters").at(2).at("schema"),
            boost::json::parse(R"({"type":"array","items":{"type":"string"}})"));

  const auto& get = paths.at("/v1/items/{id}").at("get");
  EXPECT_EQ(get.at("security"), boost::json::parse(R"([{"apiKey":[]}])"));
  for (const char* status : {"200", "400", "403", "404", "500"}) {
    EXPECT_TRUE(get.at("responses").as_object().contains(status)) << status;
  }
  EXPECT_EQ(get.at("responses").at("404").at("description"), "Not Found");
  const auto& remove = paths.at("/v1/items/{id}").at("delete");
  EXPECT_EQ(remove.at("responses").at("204"),
            boost::json::parse(R"({"description":"No Content"})"));
  EXPECT_FALSE(remove.as_object().contains("security"));
}

TEST(RouterTable, TwoVariableChildrenOfOneResourceAreRefusedNamingBothRoutes) {
  const auto handler = [](const Request&) { return events::ProxyResponse{}; };
  std::vector<Route> routes{
      {.method = "GET", .path = "/v1/notes/{id}", .handler = handler},
      {.method = "GET", .path = "/v1/notes/{noteId}/tags", .handler = handler}};
  try {
    const Router router(routes);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("GET /v1/notes/{id}"), std::string::npos) << message;
    EXPECT_NE(message.find("GET /v1/notes/{noteId}/tags"), std::string::npos) << message;
  }
  routes[1].path = "/v1/notes/{id}/tags";
  EXPECT_NO_THROW(const Router router(routes));
}

TEST(PathTemplateRules, RefusedAtRunTimeAsAtCompileTime) {
  for (const char* bad : {"/v1/notes/<id>", "/v1/notes/:id", "/v1/*", "/v1/notes?limit",
                          "/v1/{note-id}", "/v1/a b"}) {
    EXPECT_NE(template_problem(bad), TemplateProblem::none) << bad;
    EXPECT_THROW((void)PathTemplate::parse(bad), PathTemplateError) << bad;
  }
  for (const char* good : {"/", "/v1", "/v1/notes/{id}", "/a.b_c-d:e", "/files/{path+}"}) {
    EXPECT_EQ(template_problem(good), TemplateProblem::none) << good;
  }
}

}  // namespace
}  // namespace cppstack::http
