// S3 over its REST API (Amazon S3 API reference: GetObject, PutObject, HeadObject,
// DeleteObject, ListObjectsV2) and presigned URLs (SigV4 query authentication).
#include <cppstack/aws/environment.hpp>
#include <cppstack/aws/s3.hpp>

#include <charconv>

namespace cppstack::aws {

namespace {

/// The text of the first <tag>...</tag> in `xml`, XML entities decoded.
std::optional<std::string> element(std::string_view xml, std::string_view tag) {
  std::string open(1, '<');
  open.append(tag).push_back('>');
  std::string close("</");
  close.append(tag).push_back('>');
  const std::size_t start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  const std::size_t finish = xml.find(close, start + open.size());
  if (finish == std::string_view::npos) return std::nullopt;
  const std::string_view raw = xml.substr(start + open.size(), finish - start - open.size());
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    const std::size_t semicolon = raw.find(';', i);
    const std::string_view entity = semicolon == std::string_view::npos
                                        ? std::string_view()
                                        : raw.substr(i + 1, semicolon - i - 1);
    if (entity == "amp")
      out += '&';
    else if (entity == "lt")
      out += '<';
    else if (entity == "gt")
      out += '>';
    else if (entity == "quot")
      out += '"';
    else if (entity == "apos")
      out += '\'';
    else if (entity.starts_with('#') && entity.size() > 1) {
      unsigned code = 0;
      const bool hex = entity[1] == 'x';
      const std::string_view digits = entity.substr(hex ? 2 : 1);
      std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
      if (code < 0x80) {
        out += static_cast<char>(code);
      } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      }
    } else {
      out += '&';
      continue;
    }
    i = semicolon;
  }
  return out;
}

void read_s3_error(const HttpResponse& response, ServiceError::Details& details) {
  details.code = element(response.body, "Code").value_or("");
  details.message = element(response.body, "Message").value_or("");
  details.request_id = element(response.body, "RequestId").value_or("");
  if (details.code.empty()) {
    // HEAD answers have no body: the status says it.
    details.code = response.status == 404   ? "NotFound"
                   : response.status == 403 ? "Forbidden"
                   : response.status == 503 ? "SlowDown"
                                            : "HTTP" + std::to_string(response.status);
  }
}

constexpr ServiceProtocol kS3Protocol{
    .service = "s3", .s3_rules = true, .read_error = read_s3_error};

std::uint64_t parse_size(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

void check_key(std::string_view key) {
  if (key.empty() || key.size() > 1024)
    throw std::invalid_argument("an S3 key is 1 to 1024 bytes long");
}

}  // namespace

const ServiceProtocol& s3_protocol() { return kS3Protocol; }

const ServiceClient& s3() {
  static const ServiceClient client(kS3Protocol);
  return client;
}

Bucket::Bucket(std::string logical_name, const ServiceClient* client)
    : logical_name_(std::move(logical_name)), client_(client) {
  (void)resource_variable("BUCKET", logical_name_);
}

const std::string& Bucket::name() const {
  if (name_.empty()) name_ = bucket_name(logical_name_);
  return name_;
}

const ServiceClient& Bucket::client() const { return client_ != nullptr ? *client_ : s3(); }

Bucket::Address Bucket::address(std::string_view key) const {
  // A local server (AWS_ENDPOINT_URL*) is addressed path-style; AWS virtual-hosted, except
  // for bucket names with dots, which the *.s3 certificate does not cover.
  const std::string encoded_key = uri_encode(key, true);
  std::string path(1, '/');
  if (client().endpoint().custom || name().find('.') != std::string::npos) {
    path += name();
    if (!key.empty()) path.append(1, '/').append(encoded_key);
    return {"", std::move(path)};
  }
  path += encoded_key;
  return {name(), std::move(path)};
}

std::optional<Object> Bucket::get(std::string_view key) const {
  check_key(key);
  Address where = address(key);
  HttpResponse response = client().call("GetObject", {.method = "GET",
                                                      .path = std::move(where.path),
                                                      .host_prefix = std::move(where.host_prefix),
                                                      .not_found_is_answer = true});
  if (response.status == 404) return std::nullopt;
  return Object{.body = std::move(response.body),
                .content_type = std::string(response.header("content-type").value_or("")),
                .etag = std::string(response.header("etag").value_or(""))};
}

void Bucket::put(std::string_view key, std::string body, std::string_view content_type) const {
  check_key(key);
  Address where = address(key);
  (void)client().call("PutObject", {.method = "PUT",
                                    .path = std::move(where.path),
                                    .headers = {{"content-type", std::string(content_type)}},
                                    .body = std::move(body),
                                    .host_prefix = std::move(where.host_prefix)});
}

std::optional<ObjectInfo> Bucket::head(std::string_view key) const {
  check_key(key);
  Address where = address(key);
  const HttpResponse response =
      client().call("HeadObject", {.method = "HEAD",
                                   .path = std::move(where.path),
                                   .host_prefix = std::move(where.host_prefix),
                                   .not_found_is_answer = true});
  if (response.status == 404) return std::nullopt;
  return ObjectInfo{.key = std::string(key),
                    .size = parse_size(response.header("content-length").value_or("0")),
                    .etag = std::string(response.header("etag").value_or("")),
                    .last_modified = std::string(response.header("last-modified").value_or("")),
                    .content_type = std::string(response.header("content-type").value_or(""))};
}

void Bucket::remove(std::string_view key) const {
  check_key(key);
  Address where = address(key);
  (void)client().call("DeleteObject", {.method = "DELETE",
                                       .path = std::move(where.path),
                                       .host_prefix = std::move(where.host_prefix)});
}

ObjectPage Bucket::list(const ListRequest& request) const {
  if (request.limit < 1 || request.limit > 1000)
    throw std::invalid_argument("a listing's limit is 1 to 1000");
  Address where = address("");
  // Parameters in canonical order, so the query is the same text the signature covers.
  std::string query;
  if (request.cursor)
    query.append("continuation-token=").append(uri_encode(*request.cursor)).append("&");
  query.append("list-type=2&max-keys=").append(std::to_string(request.limit));
  if (!request.prefix.empty()) query.append("&prefix=").append(uri_encode(request.prefix));
  const HttpResponse response =
      client().call("ListObjectsV2", {.method = "GET",
                                      .path = std::move(where.path),
                                      .query = std::move(query),
                                      .host_prefix = std::move(where.host_prefix)});
  ObjectPage page;
  std::size_t at = 0;
  for (;;) {
    const std::size_t start = response.body.find("<Contents>", at);
    if (start == std::string::npos) break;
    const std::size_t finish = response.body.find("</Contents>", start);
    if (finish == std::string::npos) break;
    const std::string_view block(response.body.data() + start, finish - start);
    page.objects.push_back({.key = element(block, "Key").value_or(""),
                            .size = parse_size(element(block, "Size").value_or("0")),
                            .etag = element(block, "ETag").value_or(""),
                            .last_modified = element(block, "LastModified").value_or("")});
    at = finish;
  }
  if (element(response.body, "IsTruncated").value_or("false") == "true")
    page.cursor = element(response.body, "NextContinuationToken");
  return page;
}

std::string Bucket::presign(std::string_view method, std::string_view key,
                            std::chrono::seconds expires) const {
  check_key(key);
  const Address where = address(key);
  const Endpoint& endpoint = client().endpoint();
  Endpoint target = endpoint;
  if (!where.host_prefix.empty()) target.host = where.host_prefix + "." + endpoint.host;
  const Environment& environment = client().environment();
  const std::string date = amz_date(std::chrono::system_clock::now());
  const std::string host = target.authority();
  const std::string query = presign_query(
      method, where.path, host, environment.credentials,
      {.region = environment.region, .service = "s3", .amz_date = date, .s3_path_rules = true},
      expires);
  return (target.tls ? "https://" : "http://") + host + where.path + "?" + query;
}

std::string Bucket::presign_get(std::string_view key, std::chrono::seconds expires) const {
  return presign("GET", key, expires);
}

std::string Bucket::presign_put(std::string_view key, std::chrono::seconds expires) const {
  return presign("PUT", key, expires);
}

}  // namespace cppstack::aws
