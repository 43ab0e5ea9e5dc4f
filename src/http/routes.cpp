#include <cppstack/http/responses.hpp>
#include <cppstack/http/routes.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

namespace cppstack::http {
namespace {

std::string reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 412:
      return "Precondition Failed";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return "Error " + std::to_string(status);
  }
}

}  // namespace

Routes::Declaration& Routes::Declaration::summary(std::string text) {
  route_->summary = std::move(text);
  return *this;
}

Routes::Declaration& Routes::Declaration::name(std::string handler_name) {
  route_->handler_name = std::move(handler_name);
  return *this;
}

Routes::Declaration& Routes::Declaration::auth(AuthMode mode) {
  route_->settings.auth = mode;
  return *this;
}

Routes::Declaration& Routes::Declaration::scopes(std::initializer_list<AuthScope> required) {
  route_->settings.scopes.clear();
  for (const AuthScope& scope : required) route_->settings.scopes.emplace_back(scope.text());
  return *this;
}

Routes::Declaration& Routes::Declaration::api_key_required(bool required) {
  route_->settings.api_key_required = required;
  return *this;
}

Routes::Declaration& Routes::Declaration::authorizer(std::string name) {
  route_->settings.auth = AuthMode::custom;
  route_->settings.authorizer = std::move(name);
  return *this;
}

Routes::Declaration& Routes::Declaration::cache(int ttl_seconds) {
  route_->settings.cache_ttl_seconds = ttl_seconds;
  return *this;
}

Routes::Declaration& Routes::Declaration::throttle(double rate_limit, int burst_limit) {
  route_->settings.throttle = Throttle{rate_limit, burst_limit};
  return *this;
}

Routes::Declaration& Routes::Declaration::errors(std::initializer_list<int> statuses) {
  for (const int status : statuses) add_response({status, reason_phrase(status), nullptr, false});
  return *this;
}

Routes::Declaration& Routes::Declaration::apply(RouteOptions options) {
  if (!options.name.empty()) name(std::move(options.name));
  if (!options.summary.empty()) summary(std::move(options.summary));
  auth(options.auth);
  route_->settings.scopes.clear();
  for (const AuthScope& scope : options.scopes) route_->settings.scopes.emplace_back(scope.text());
  api_key_required(options.api_key_required);
  if (!options.authorizer.empty()) {
    route_->settings.authorizer = std::move(options.authorizer);
    if (route_->settings.auth == AuthMode::none) route_->settings.auth = AuthMode::custom;
  }
  cache(options.cache_ttl_seconds);
  route_->settings.throttle = options.throttle;
  for (const int status : options.errors)
    add_response({status, reason_phrase(status), nullptr, false});
  return *this;
}

void Routes::Declaration::add_response(ResponseDoc response) {
  auto& responses = route_->doc.responses;
  const auto same_status = std::find_if(responses.begin(), responses.end(), [&](const auto& known) {
    return known.status == response.status;
  });
  if (same_status != responses.end()) {
    *same_status = std::move(response);
  } else {
    responses.push_back(std::move(response));
  }
}

Routes::Declaration Routes::add(Route route) {
  routes_.push_back(std::move(route));
  return Declaration(routes_.back());
}

void Routes::table(ResourceName name, TableOptions options) {
  const std::string logical_name(name.text());
  for (const TableDeclaration& table : resources_.tables) {
    if (table.name == logical_name) {
      throw std::invalid_argument("table " + logical_name + " is declared twice");
    }
  }
  TableDeclaration table{logical_name, std::move(options)};
  check_table(table);
  resources_.tables.push_back(std::move(table));
}

void Routes::bucket(ResourceName name) {
  const std::string logical_name(name.text());
  for (const BucketDeclaration& bucket : resources_.buckets) {
    if (bucket.name == logical_name) {
      throw std::invalid_argument("bucket " + logical_name + " is declared twice");
    }
  }
  resources_.buckets.push_back({logical_name});
}

void Routes::authorizer(ResourceName name, AuthorizerOptions options, AuthorizerHandler handler) {
  AuthorizerDeclaration declaration{std::string(name.text()), std::move(options),
                                    std::move(handler)};
  for (const AuthorizerDeclaration& known : resources_.authorizers) {
    if (known.name == declaration.name) {
      throw std::invalid_argument("authorizer " + declaration.name + " is declared twice");
    }
  }
  check_authorizer(declaration);
  resources_.authorizers.push_back(std::move(declaration));
}

Routes& Routes::include(Routes group) {
  // A group's tables and buckets are the application's too; a name declared in two groups
  // is refused as if both were declared here.
  for (TableDeclaration& table : group.resources_.tables) {
    for (const TableDeclaration& known : resources_.tables) {
      if (known.name == table.name) {
        throw std::invalid_argument("table " + table.name + " is declared twice");
      }
    }
    resources_.tables.push_back(std::move(table));
  }
  for (BucketDeclaration& bucket : group.resources_.buckets) {
    for (const BucketDeclaration& known : resources_.buckets) {
      if (known.name == bucket.name) {
        throw std::invalid_argument("bucket " + bucket.name + " is declared twice");
      }
    }
    resources_.buckets.push_back(std::move(bucket));
  }
  for (AuthorizerDeclaration& declaration : group.resources_.authorizers) {
    for (const AuthorizerDeclaration& known : resources_.authorizers) {
      if (known.name == declaration.name) {
        throw std::invalid_argument("authorizer " + declaration.name + " is declared twice");
      }
    }
    resources_.authorizers.push_back(std::move(declaration));
  }
  std::deque<Route> routes = std::move(group).take();
  for (Route& route : routes) routes_.push_back(std::move(route));
  return *this;
}

Routes& Routes::use(Middleware middleware) {
  middleware_.push_back(std::move(middleware));
  return *this;
}

Routes& Routes::before(BeforeHook hook) {
  return use([hook = std::move(hook)](Request& request, const Next& next) {
    hook(request);
    return next(request);
  });
}

Routes& Routes::after(AfterHook hook) {
  return use([hook = std::move(hook)](Request& request, const Next& next) {
    events::ProxyResponse response;
    try {
      response = next(request);
    } catch (const HttpError& error) {
      // The hook sees error answers as the client will.
      response = error_response(error, request.correlation_id());
    }
    hook(request, response);
    return response;
  });
}

std::deque<Route> Routes::take() && {
  for (Route& route : routes_) {
    if (!prefix_.empty()) route.path = route.path == "/" ? prefix_ : prefix_ + route.path;
    route.middleware.insert(route.middleware.begin(), middleware_.begin(), middleware_.end());
  }
  return std::move(routes_);
}

std::vector<Route> Routes::release() && {
  hand_over_resources(std::move(resources_));
  std::deque<Route> routes = std::move(*this).take();
  for (Route& route : routes) {
    if (route.handler_name.empty()) {
      route.handler_name = default_handler_name(route.method, route.path);
    }
  }
  return {std::make_move_iterator(routes.begin()), std::make_move_iterator(routes.end())};
}

std::string default_handler_name(std::string_view method, std::string_view path) {
  std::string name;
  for (const char character : method) {
    name += static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
  }
  bool separator = true;
  for (const char character : path) {
    if (std::isalnum(static_cast<unsigned char>(character)) != 0) {
      if (separator) name += '_';
      separator = false;
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
    } else {
      separator = true;
    }
  }
  return name;
}

}  // namespace cppstack::http
