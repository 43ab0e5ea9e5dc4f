#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cppstack/http/auth_scope.hpp>
#include <cppstack/local/route_table.hpp>

namespace cppstack::local {
namespace {

// A table API Gateway would refuse (a bad template, an operation twice, two variable children
// of one resource) is an error of the table, named as such.
http::ResourceMatcher make_matcher(const std::vector<Route>& routes) {
  std::vector<http::Operation> operations;
  operations.reserve(routes.size());
  for (const Route& route : routes) operations.push_back({route.method, route.path});
  try {
    return http::ResourceMatcher(operations);
  } catch (const std::invalid_argument& error) {
    throw RouteTableError(error.what());
  }
}

std::string string_field(const boost::json::object& entry, std::string_view key,
                         std::size_t position) {
  const auto* value = entry.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    throw RouteTableError("routes[" + std::to_string(position) + "]." + std::string(key) +
                          " must be a string");
  }
  return std::string(value->get_string());
}

double number_field(const boost::json::object& entry, std::string_view key) {
  const auto* value = entry.if_contains(key);
  if (value == nullptr || !value->is_number()) {
    throw RouteTableError("throttle." + std::string(key) + " must be a number");
  }
  return value->to_number<double>();
}

std::string entry_name(std::size_t position) { return "routes[" + std::to_string(position) + "]"; }

// "auth" of an entry. routes.json spells the API key mode "apiKey", as every key of the file is
// camelCase; the exporter has never written another spelling.
http::AuthMode auth_field(const boost::json::object& entry, std::size_t position) {
  const auto* auth = entry.if_contains("auth");
  if (auth == nullptr || (auth->is_string() && *auth == "none")) return http::AuthMode::none;
  if (*auth == "apiKey") return http::AuthMode::api_key;
  if (*auth == "cognito") return http::AuthMode::cognito;
  if (*auth == "iam") return http::AuthMode::iam;
  if (*auth == "custom") return http::AuthMode::custom;
  throw RouteTableError(entry_name(position) +
                        ".auth must be \"none\", \"apiKey\", \"cognito\", \"iam\" or \"custom\"");
}

// "authorizationScopes": the OAuth scopes a cognito route requires (absent: none).
std::vector<std::string> scopes_field(const boost::json::object& entry, http::AuthMode auth,
                                      std::size_t position) {
  const auto* scopes = entry.if_contains("authorizationScopes");
  if (scopes == nullptr || scopes->is_null()) return {};
  const std::string where = entry_name(position) + ".authorizationScopes";
  if (!scopes->is_array()) throw RouteTableError(where + " must be an array of strings");
  std::vector<std::string> result;
  for (const auto& scope : scopes->get_array()) {
    if (!scope.is_string() || !http::is_oauth_scope(scope.get_string())) {
      throw RouteTableError(where +
                            " must hold OAuth scopes (printable ASCII without spaces, quotes or "
                            "backslashes)");
    }
    result.emplace_back(scope.get_string());
  }
  if (!result.empty() && auth != http::AuthMode::cognito) {
    throw RouteTableError(where + " needs auth \"cognito\"");
  }
  return result;
}

// "apiKeyRequired": a key as well as the token or signature of a cognito or iam route (API
// Gateway's apiKeyRequired beside an authorizer); absent: false.
bool api_key_required_field(const boost::json::object& entry, http::AuthMode auth,
                            std::size_t position) {
  const auto* required = entry.if_contains("apiKeyRequired");
  if (required == nullptr || required->is_null()) return false;
  if (!required->is_bool()) {
    throw RouteTableError(entry_name(position) + ".apiKeyRequired must be true or false");
  }
  if (required->get_bool() && auth == http::AuthMode::none) {
    throw RouteTableError(entry_name(position) +
                          ".apiKeyRequired without a token or signature is auth \"apiKey\"");
  }
  return required->get_bool();
}

// "authorizers": each checked by the rules the export applies (http::check_authorizer).
std::vector<LambdaAuthorizer> authorizers_field(const boost::json::object& document) {
  const auto* list = document.if_contains("authorizers");
  if (list == nullptr || list->is_null()) return {};
  if (!list->is_array()) throw RouteTableError("\"authorizers\" must be an array");
  std::vector<LambdaAuthorizer> authorizers;
  std::size_t position = 0;
  for (const auto& item : list->get_array()) {
    const std::string where = "authorizers[" + std::to_string(position++) + "]";
    if (!item.is_object()) throw RouteTableError(where + " must be an object");
    const auto& entry = item.get_object();
    LambdaAuthorizer authorizer;
    const auto* name = entry.if_contains("name");
    const auto* type = entry.if_contains("type");
    const auto* sources = entry.if_contains("identitySources");
    const auto* ttl = entry.if_contains("resultTtlSeconds");
    const auto* expression = entry.if_contains("identityValidationExpression");
    if (name == nullptr || !name->is_string())
      throw RouteTableError(where + ".name must be a string");
    authorizer.name = std::string(name->get_string());
    if (type == nullptr || !type->is_string() ||
        (type->get_string() != "TOKEN" && type->get_string() != "REQUEST")) {
      throw RouteTableError(where + ".type must be \"TOKEN\" or \"REQUEST\"");
    }
    authorizer.type =
        type->get_string() == "TOKEN" ? http::AuthorizerType::token : http::AuthorizerType::request;
    if (sources != nullptr && !sources->is_null()) {
      if (!sources->is_array()) throw RouteTableError(where + ".identitySources must be an array");
      for (const auto& source : sources->get_array()) {
        if (!source.is_string())
          throw RouteTableError(where + ".identitySources holds a non-string");
        authorizer.identity_sources.emplace_back(source.get_string());
      }
    }
    if (ttl != nullptr && !ttl->is_null()) {
      if (!ttl->is_int64()) throw RouteTableError(where + ".resultTtlSeconds must be an integer");
      authorizer.result_ttl_seconds = static_cast<int>(
          std::clamp<std::int64_t>(ttl->get_int64(), -1, http::max_authorizer_ttl_seconds + 1));
    }
    if (expression != nullptr && !expression->is_null()) {
      if (!expression->is_string()) {
        throw RouteTableError(where + ".identityValidationExpression must be a string");
      }
      authorizer.identity_validation_expression = std::string(expression->get_string());
    }
    if (const auto* examples = entry.if_contains("exampleIdentity");
        examples != nullptr && !examples->is_null()) {
      if (!examples->is_array()) throw RouteTableError(where + ".exampleIdentity must be an array");
      for (const auto& example : examples->get_array()) {
        if (!example.is_string()) {
          throw RouteTableError(where + ".exampleIdentity holds a non-string");
        }
        authorizer.example_identity.emplace_back(example.get_string());
      }
    }
    try {
      http::check_authorizer(
          {.name = authorizer.name,
           .options = {.type = authorizer.type,
                       .identity_sources = authorizer.identity_sources,
                       .result_ttl_seconds = authorizer.result_ttl_seconds,
                       .identity_validation_expression = authorizer.identity_validation_expression,
                       .example_identity = authorizer.example_identity},
           .handler = [](const http::AuthorizerEvent&) { return http::AuthorizerResult{}; }});
    } catch (const std::invalid_argument& error) {
      throw RouteTableError(where + ": " + error.what());
    }
    for (const auto& known : authorizers) {
      if (known.name == authorizer.name) {
        throw RouteTableError(where + ": authorizer " + authorizer.name + " is declared twice");
      }
    }
    authorizers.push_back(std::move(authorizer));
  }
  return authorizers;
}

// "authorizer" of a custom route, which must name a declared authorizer.
std::string authorizer_field(const boost::json::object& entry, http::AuthMode auth,
                             const std::vector<LambdaAuthorizer>& authorizers,
                             std::size_t position) {
  const auto* name = entry.if_contains("authorizer");
  if (auth != http::AuthMode::custom) {
    if (name != nullptr && !name->is_null()) {
      throw RouteTableError(entry_name(position) + ".authorizer needs auth \"custom\"");
    }
    return {};
  }
  if (name == nullptr || !name->is_string()) {
    throw RouteTableError(entry_name(position) + ".authorizer must name an authorizer");
  }
  std::string text(name->get_string());
  const bool declared = std::any_of(authorizers.begin(), authorizers.end(),
                                    [&text](const auto& item) { return item.name == text; });
  if (!declared) {
    throw RouteTableError(entry_name(position) + ".authorizer \"" + text +
                          "\" is not in \"authorizers\"");
  }
  return text;
}

}  // namespace

RouteTable::RouteTable(std::vector<Route> routes, std::vector<LambdaAuthorizer> authorizers)
    : routes_(std::move(routes)),
      authorizers_(std::move(authorizers)),
      matcher_(make_matcher(routes_)) {}

const LambdaAuthorizer* RouteTable::authorizer(std::string_view name) const noexcept {
  for (const auto& authorizer : authorizers_) {
    if (authorizer.name == name) return &authorizer;
  }
  return nullptr;
}

RouteTable RouteTable::parse(std::string_view json) {
  boost::system::error_code error;
  const boost::json::value document = boost::json::parse(json, error);
  if (error) throw RouteTableError("routes.json is not valid JSON: " + error.message());
  if (!document.is_object()) throw RouteTableError("routes.json must be a JSON object");
  const auto* list = document.get_object().if_contains("routes");
  if (list == nullptr || !list->is_array()) {
    throw RouteTableError("routes.json must have a \"routes\" array");
  }
  auto authorizers = authorizers_field(document.get_object());
  std::vector<Route> routes;
  std::size_t position = 0;
  for (const auto& item : list->get_array()) {
    if (!item.is_object()) {
      throw RouteTableError("routes[" + std::to_string(position) + "] must be an object");
    }
    const auto& entry = item.get_object();
    Route route;
    route.method = string_field(entry, "method", position);
    route.path = string_field(entry, "path", position);
    if (const auto* handler = entry.if_contains("handler"); handler && handler->is_string()) {
      route.handler = std::string(handler->get_string());
    }
    route.auth = auth_field(entry, position);
    route.requires_api_key = route.auth == http::AuthMode::api_key ||
                             api_key_required_field(entry, route.auth, position);
    route.scopes = scopes_field(entry, route.auth, position);
    route.authorizer = authorizer_field(entry, route.auth, authorizers, position);
    if (const auto* throttle = entry.if_contains("throttle"); throttle && throttle->is_object()) {
      route.throttle = Throttle{number_field(throttle->get_object(), "rateLimit"),
                                number_field(throttle->get_object(), "burstLimit")};
    }
    routes.push_back(std::move(route));
    ++position;
  }
  return RouteTable(std::move(routes), std::move(authorizers));
}

RouteTable RouteTable::load(const std::filesystem::path& file) {
  // Non-blocking, so a FIFO put in the file's place cannot hold the reader in open() or
  // read(); only a regular file is read, and no more than the limit (a symlink to /dev/zero
  // is not a route table).
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw RouteTableError("cannot read route table " + file.string());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    throw RouteTableError("route table " + file.string() + " is not a regular file");
  }
  if (static_cast<std::uintmax_t>(info.st_size) > max_file_bytes) {
    throw RouteTableError("route table " + file.string() + " is over " +
                          std::to_string(max_file_bytes) + " bytes");
  }
  std::string text;
  char buffer[65536];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      throw RouteTableError("cannot read route table " + file.string());
    }
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > max_file_bytes) {  // grew while being read
      throw RouteTableError("route table " + file.string() + " is over " +
                            std::to_string(max_file_bytes) + " bytes");
    }
  }
  return parse(text);
}

RouteTable RouteTable::catch_all() {
  return RouteTable({Route{.method = "ANY", .path = "/", .handler = "catch-all"},
                     Route{.method = "ANY", .path = "/{proxy+}", .handler = "catch-all"}});
}

std::optional<RouteMatch> RouteTable::match(std::string_view method, std::string_view path) const {
  // Segments are compared and captured as sent, still percent-encoded: a greedy {proxy+}
  // receives "test%2Balias" (recorded from AWS, contracts.md section 1) and a {id} receives
  // "a%2Fb" or "a%20b" (see docs/local.md).
  http::Selection selection = matcher_.select(method, path);
  if (selection.outcome != http::Selection::Outcome::matched) return std::nullopt;
  return RouteMatch{&routes_[selection.operation], std::move(selection.parameters)};
}

}  // namespace cppstack::local
