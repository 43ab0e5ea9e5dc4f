// Signs one request described as JSON on stdin and prints the result as JSON, for the
// comparison with botocore's signer (botocore_agreement_test.py).
//   in:  {"method","path","query","headers":[[name,value]...],"body","region","service",
//         "amz_date","s3":bool,"access_key","secret_key","token","presign_expires":seconds}
//   out: {"authorization": "..."} or, with presign_expires, {"presigned_query": "..."}
#include <boost/json.hpp>
#include <cppstack/aws/sigv4.hpp>
#include <iostream>
#include <iterator>

int main() {
  const std::string input((std::istreambuf_iterator<char>(std::cin)),
                          std::istreambuf_iterator<char>());
  const boost::json::object in = boost::json::parse(input).as_object();
  const auto text = [&in](const char* key) -> std::string {
    const auto* value = in.if_contains(key);
    return value == nullptr ? std::string() : std::string(value->as_string());
  };
  const cppstack::aws::Credentials credentials{.access_key_id = text("access_key"),
                                               .secret_access_key = text("secret_key"),
                                               .session_token = text("token")};
  const std::string region = text("region");
  const std::string service = text("service");
  const std::string date = text("amz_date");
  const std::string method = text("method");
  const std::string path = text("path");
  const std::string query = text("query");
  const cppstack::aws::SigningScope scope{.region = region,
                                          .service = service,
                                          .amz_date = date,
                                          .s3_path_rules = in.at("s3").as_bool()};
  boost::json::object out;
  if (const auto* expires = in.if_contains("presign_expires")) {
    out["presigned_query"] =
        cppstack::aws::presign_query(method, path, text("host"), credentials, scope,
                                     std::chrono::seconds(expires->to_number<int>()));
  } else {
    cppstack::aws::RequestToSign request{.method = method, .path = path, .query = query};
    for (const auto& header : in.at("headers").as_array()) {
      const auto& pair = header.as_array();
      request.headers.emplace_back(std::string(pair.at(0).as_string()),
                                   std::string(pair.at(1).as_string()));
      if (pair.at(0).as_string() == "x-amz-content-sha256")
        request.payload_hash = std::string(pair.at(1).as_string());
    }
    if (request.payload_hash.empty())
      request.payload_hash = cppstack::aws::sha256_hex(text("body"));
    out["authorization"] = cppstack::aws::sign(request, credentials, scope).authorization;
  }
  std::cout << boost::json::serialize(out) << '\n';
  return 0;
}
