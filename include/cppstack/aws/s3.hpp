#pragma once
// S3: objects of one bucket, read and written whole, listed page by page (ListObjectsV2), and
// presigned GET and PUT URLs for browsers to download and upload directly.
//
//   cppstack::aws::Bucket attachments("note-attachments");          // $BUCKET_NOTE_ATTACHMENTS
//   std::string upload = attachments.presign_put("notes/" + id, std::chrono::minutes(15));
//   std::optional<Object> file = attachments.get("notes/" + id);
//   auto page = attachments.list({.prefix = "notes/", .limit = 100});

#include <chrono>
#include <cppstack/aws/service_client.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::aws {

/// The S3 protocol (REST-XML, S3's signing rules).
[[nodiscard]] const ServiceProtocol& s3_protocol();

struct Object {
  std::string body;
  std::string content_type;
  std::string etag;
};

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;   ///< ISO 8601, as S3 gives it
  std::string content_type{};  ///< from head(); empty in listings
};

struct ListRequest {
  std::string prefix{};
  int limit = 1000;                          ///< 1 to 1000
  std::optional<std::string_view> cursor{};  ///< from the previous page
};

struct ObjectPage {
  std::vector<ObjectInfo> objects;
  std::optional<std::string> cursor;  ///< std::nullopt on the last page
};

/// The process's shared S3 client (its connections live across invocations).
[[nodiscard]] const ServiceClient& s3();

class Bucket {
 public:
  /// The bucket declared as `logical_name`; its name is read from BUCKET_<NAME> on first use.
  explicit Bucket(std::string logical_name, const ServiceClient* client = nullptr);

  /// The object, or std::nullopt when there is none.
  [[nodiscard]] std::optional<Object> get(std::string_view key) const;
  void put(std::string_view key, std::string body,
           std::string_view content_type = "application/octet-stream") const;
  /// The object's metadata, or std::nullopt when there is none.
  [[nodiscard]] std::optional<ObjectInfo> head(std::string_view key) const;
  /// Deletes the object (no error when there was none, as S3 does).
  void remove(std::string_view key) const;
  [[nodiscard]] ObjectPage list(const ListRequest& request = {}) const;
  /// A URL that lets its holder GET the object until it expires (at most 7 days).
  [[nodiscard]] std::string presign_get(std::string_view key, std::chrono::seconds expires) const;
  /// A URL that lets its holder PUT the object until it expires (at most 7 days).
  [[nodiscard]] std::string presign_put(std::string_view key, std::chrono::seconds expires) const;

  [[nodiscard]] const std::string& name() const;

 private:
  struct Address {
    std::string host_prefix;  ///< virtual-hosted style: the bucket, on AWS
    std::string path;         ///< percent-encoded
  };
  [[nodiscard]] Address address(std::string_view key) const;
  [[nodiscard]] std::string presign(std::string_view method, std::string_view key,
                                    std::chrono::seconds expires) const;
  const ServiceClient& client() const;

  std::string logical_name_;
  const ServiceClient* client_;
  mutable std::string name_;
};

}  // namespace cppstack::aws
