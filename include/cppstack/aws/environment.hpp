#pragma once
// Where the client finds its credentials, region and endpoints: the environment, as Lambda
// sets it and as the AWS SDKs read it. Nothing here touches the network.
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN   credentials
//   AWS_REGION (else AWS_DEFAULT_REGION)                           region
//   AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL              endpoint overrides
//   TABLE_<NAME>, BUCKET_<NAME>                                    physical resource names
//
//   std::string table = cppstack::aws::table_name("notes");   // $TABLE_NOTES

#include <cppstack/aws/sigv4.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace cppstack::aws {

struct Endpoint {
  bool tls = true;
  std::string host{};  ///< name or address, without brackets
  std::uint16_t port = 443;
  bool custom = false;  ///< from AWS_ENDPOINT_URL*: a local server (S3 then uses path style)

  /// The Host header: host, plus :port when it is not the scheme's default.
  [[nodiscard]] std::string authority() const;
};

/// Parses http[s]://host[:port][/] (no path, query or user info); throws ConfigurationError
/// naming `variable`.
[[nodiscard]] Endpoint parse_endpoint_url(std::string_view url, std::string_view variable);

struct Environment {
  Credentials credentials;
  std::string region;

  /// Reads the credentials and the region; throws ConfigurationError naming a missing one.
  [[nodiscard]] static Environment from_process();
  /// The endpoint of `service` ("dynamodb", "s3"): AWS_ENDPOINT_URL_<SERVICE>, then
  /// AWS_ENDPOINT_URL, then the service's regional endpoint.
  [[nodiscard]] Endpoint endpoint(std::string_view service) const;
};

/// The environment variable of a declared resource: ("TABLE", "note-attachments") ->
/// "TABLE_NOTE_ATTACHMENTS". Throws std::invalid_argument for a name that is not lower-case
/// letters, digits and hyphens starting with a letter.
[[nodiscard]] std::string resource_variable(std::string_view kind, std::string_view logical_name);
/// The physical name of the table declared as `logical_name`, from TABLE_<NAME>; throws
/// ConfigurationError naming the variable when it is unset.
[[nodiscard]] std::string table_name(std::string_view logical_name);
/// The physical name of the bucket declared as `logical_name`, from BUCKET_<NAME>.
[[nodiscard]] std::string bucket_name(std::string_view logical_name);

}  // namespace cppstack::aws
