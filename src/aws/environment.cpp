#include <cppstack/aws/environment.hpp>
#include <cppstack/aws/errors.hpp>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace cppstack::aws {

namespace {

std::string variable(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? std::string() : std::string(value);
}

std::string required(const std::string& name, std::string_view why) {
  std::string value = variable(name);
  if (value.empty()) throw ConfigurationError(name + " is not set; " + std::string(why));
  return value;
}

std::string upper_snake(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '-') {
      out += '_';
    } else if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else {
      out += c;
    }
  }
  return out;
}

std::string resource(std::string_view kind, std::string_view logical_name) {
  const std::string name = resource_variable(kind, logical_name);
  return required(name, "it names the " + std::string(kind == "TABLE" ? "table" : "bucket") +
                            " declared as '" + std::string(logical_name) +
                            "' (the CDK app and make run set it)");
}

}  // namespace

std::string Endpoint::authority() const {
  std::string out;
  const bool bracketed = host.find(':') != std::string::npos;  // an IPv6 address
  if (bracketed) out += '[';
  out += host;
  if (bracketed) out += ']';
  if (port != (tls ? 443 : 80)) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

Endpoint parse_endpoint_url(std::string_view url, std::string_view variable_name) {
  const auto fail = [&]() -> Endpoint {
    throw ConfigurationError(std::string(variable_name) + " must be http[s]://host[:port], got '" +
                             std::string(url.substr(0, 200)) + "'");
  };
  Endpoint endpoint{.custom = true};
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    endpoint.tls = false;
    endpoint.port = 80;
    rest = url.substr(7);
  } else {
    return fail();
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos) return fail();
  std::string_view host = rest;
  std::string_view port;
  if (rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail();
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return fail();
      port = rest.substr(close + 2);
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return fail();
  endpoint.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return fail();
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  return endpoint;
}

Environment Environment::from_process() {
  Environment environment;
  environment.credentials.access_key_id =
      required("AWS_ACCESS_KEY_ID", "Lambda sets it from the function's role");
  environment.credentials.secret_access_key =
      required("AWS_SECRET_ACCESS_KEY", "Lambda sets it from the function's role");
  environment.credentials.session_token = variable("AWS_SESSION_TOKEN");
  environment.region = variable("AWS_REGION");
  if (environment.region.empty()) environment.region = variable("AWS_DEFAULT_REGION");
  if (environment.region.empty())
    throw ConfigurationError("AWS_REGION is not set; Lambda sets it to the function's region");
  return environment;
}

Endpoint Environment::endpoint(std::string_view service) const {
  const std::string specific = "AWS_ENDPOINT_URL_" + upper_snake(service);
  if (const std::string url = variable(specific); !url.empty())
    return parse_endpoint_url(url, specific);
  if (const std::string url = variable("AWS_ENDPOINT_URL"); !url.empty())
    return parse_endpoint_url(url, "AWS_ENDPOINT_URL");
  return Endpoint{.host = std::string(service) + "." + region + ".amazonaws.com"};
}

std::string resource_variable(std::string_view kind, std::string_view logical_name) {
  bool valid = !logical_name.empty() && logical_name.front() >= 'a' && logical_name.front() <= 'z';
  for (const char c : logical_name)
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!valid)
    throw std::invalid_argument(
        "a resource name is lower-case letters, digits and hyphens, "
        "starting with a letter: '" +
        std::string(logical_name) + "'");
  return std::string(kind) + "_" + upper_snake(logical_name);
}

std::string table_name(std::string_view logical_name) { return resource("TABLE", logical_name); }

std::string bucket_name(std::string_view logical_name) { return resource("BUCKET", logical_name); }

}  // namespace cppstack::aws
