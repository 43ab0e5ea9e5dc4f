#pragma once
// Test support: dynalite and s3rver (tests/aws/local_services.js) as a child process on
// ephemeral loopback ports, stopped with the object.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cppstack::aws::testing {

class LocalServices {
 public:
  /// Starts both servers (s3rver with `buckets`); throws when they do not start in 30 s.
  explicit LocalServices(const std::vector<std::string>& buckets = {});
  ~LocalServices();
  LocalServices(const LocalServices&) = delete;
  LocalServices& operator=(const LocalServices&) = delete;

  [[nodiscard]] std::uint16_t dynamodb_port() const { return dynamodb_port_; }
  [[nodiscard]] std::uint16_t s3_port() const { return s3_port_; }
  [[nodiscard]] std::string dynamodb_url() const;
  [[nodiscard]] std::string s3_url() const;

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::uint16_t dynamodb_port_ = 0;
  std::uint16_t s3_port_ = 0;
  std::filesystem::path data_dir_;
};

/// Credentials s3rver accepts (dynalite accepts any signature).
inline constexpr const char* kAccessKey = "S3RVER";
inline constexpr const char* kSecretKey = "S3RVER";

}  // namespace cppstack::aws::testing

namespace cppstack::aws::testing {

/// A helper program (a loopback server) that prints its port on its first line and stops
/// when its stdin closes; stopped with the object.
class HelperProcess {
 public:
  explicit HelperProcess(std::vector<std::string> arguments);
  ~HelperProcess();
  HelperProcess(const HelperProcess&) = delete;
  HelperProcess& operator=(const HelperProcess&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace cppstack::aws::testing
