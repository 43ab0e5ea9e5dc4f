#include <cppstack/http/cors.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace cppstack::http {
namespace {

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    start = end + 1;
  }
  return items;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text.push_back(',');
    text += item;
  }
  return text;
}

// An origin is scheme://host[:port]: what browsers send in Origin, never a path.
bool is_origin(std::string_view origin) {
  const std::size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  const std::string_view authority = origin.substr(scheme_end + 3);
  if (authority.empty()) return false;
  return std::all_of(authority.begin(), authority.end(), [](char character) {
    return std::isalnum(static_cast<unsigned char>(character)) || character == '.' ||
           character == '-' || character == ':' || character == '[' || character == ']';
  });
}

bool is_header_token(std::string_view name) {
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char character) {
    return std::isalnum(static_cast<unsigned char>(character)) ||
           extra.find(character) != std::string_view::npos;
  });
}

bool is_method(std::string_view method) {
  static constexpr std::array<std::string_view, 7> methods{"GET",    "POST", "PUT",    "PATCH",
                                                           "DELETE", "HEAD", "OPTIONS"};
  return std::find(methods.begin(), methods.end(), method) != methods.end();
}

std::optional<std::string> non_empty(const VariableLookup& lookup, std::string_view name) {
  auto value = lookup(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

std::vector<std::string> read_origins(const VariableLookup& lookup) {
  const auto origins = non_empty(lookup, "CORS_ALLOW_ORIGINS");
  const auto alias = non_empty(lookup, "CORS_ALLOW_ORIGIN");
  if (origins && alias && *origins != *alias) {
    throw CorsConfigError(
        "CORS_ALLOW_ORIGIN is the old name of CORS_ALLOW_ORIGINS; set only CORS_ALLOW_ORIGINS "
        "(they differ: '" +
        *alias + "' and '" + *origins + "')");
  }
  const std::string_view name = origins ? "CORS_ALLOW_ORIGINS" : "CORS_ALLOW_ORIGIN";
  std::vector<std::string> list = split_list(origins ? *origins : alias.value_or(""));
  for (const auto& origin : list) {
    if (origin == "*" && list.size() > 1) {
      throw CorsConfigError(std::string(name) + " cannot mix '*' with origins");
    }
    if (origin != "*" && !is_origin(origin)) {
      throw CorsConfigError(std::string(name) +
                            " must list origins such as https://app.example.com (scheme, host "
                            "and optional port, no path), got '" +
                            origin + "'");
    }
  }
  return list;
}

}  // namespace

std::optional<std::string> CorsOptions::allowed_origin(std::string_view origin) const {
  if (any_origin()) {
    // A credentialed request may not be answered with "*": browsers reject it.
    if (allow_credentials)
      return origin.empty() ? std::nullopt : std::optional<std::string>(origin);
    return std::string("*");
  }
  for (const auto& allowed : allow_origins) {
    if (allowed == origin) return allowed;
  }
  return std::nullopt;
}

std::optional<CorsOptions> cors_options_from(const VariableLookup& lookup) {
  CorsOptions options;
  // Every variable is checked even when CORS is off, so a typo never waits for the day an
  // origin is added.
  options.allow_origins = read_origins(lookup);
  if (const auto methods = non_empty(lookup, "CORS_ALLOW_METHODS")) {
    auto list = split_list(*methods);
    for (const auto& method : list) {
      if (!is_method(method)) {
        throw CorsConfigError(
            "CORS_ALLOW_METHODS must list GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS, got '" +
            method + "'");
      }
    }
    options.allow_methods = join(list);
  }
  if (const auto headers = non_empty(lookup, "CORS_ALLOW_HEADERS")) {
    auto list = split_list(*headers);
    for (const auto& header : list) {
      if (!is_header_token(header)) {
        throw CorsConfigError("CORS_ALLOW_HEADERS must list header names, got '" + header + "'");
      }
    }
    options.allow_headers = join(list);
  }
  if (const auto credentials = non_empty(lookup, "CORS_ALLOW_CREDENTIALS")) {
    if (*credentials != "true" && *credentials != "false") {
      throw CorsConfigError("CORS_ALLOW_CREDENTIALS must be true or false, got '" + *credentials +
                            "'");
    }
    options.allow_credentials = *credentials == "true";
  }
  if (const auto max_age = non_empty(lookup, "CORS_MAX_AGE_SECONDS")) {
    int seconds = -1;
    const auto [end, error] =
        std::from_chars(max_age->data(), max_age->data() + max_age->size(), seconds);
    if (error != std::errc{} || end != max_age->data() + max_age->size() || seconds < 0 ||
        seconds > 86400) {
      throw CorsConfigError("CORS_MAX_AGE_SECONDS must be a whole number from 0 to 86400, got '" +
                            *max_age + "'");
    }
    options.max_age_seconds = seconds;
  }
  if (options.allow_origins.empty()) return std::nullopt;
  if (options.allow_credentials && options.any_origin()) {
    throw CorsConfigError(
        "CORS_ALLOW_CREDENTIALS=true needs explicit origins in CORS_ALLOW_ORIGINS, not '*'");
  }
  return options;
}

Middleware cors_middleware(CorsOptions options) {
  return [options = std::move(options)](Request& request, const Next& next) {
    const std::optional<std::string_view> origin = request.event.header("Origin");
    const bool preflight = request.event.http_method == "OPTIONS" && origin &&
                           request.event.header("Access-Control-Request-Method");
    events::ProxyResponse response;
    if (preflight) {
      response.status_code = 204;
      response.headers.emplace("Access-Control-Allow-Methods", options.allow_methods);
      response.headers.emplace("Access-Control-Allow-Headers", options.allow_headers);
      if (options.max_age_seconds > 0) {
        response.headers.emplace("Access-Control-Max-Age", std::to_string(options.max_age_seconds));
      }
    } else {
      response = next(request);
    }
    if (origin) {
      if (auto allowed = options.allowed_origin(*origin)) {
        response.headers.insert_or_assign("Access-Control-Allow-Origin", std::move(*allowed));
        if (options.allow_credentials) {
          response.headers.insert_or_assign("Access-Control-Allow-Credentials", "true");
        }
      }
    }
    // The answer depends on Origin whenever it is not the same for every origin; caches
    // (the browser's, a CDN, API Gateway's) must keep one copy per origin.
    if (!options.any_origin() || options.allow_credentials) {
      response.headers.insert_or_assign("Vary", "Origin");
    }
    return response;
  };
}

}  // namespace cppstack::http
