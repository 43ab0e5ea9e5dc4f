#pragma once
// TLS over a Connection's socket with mbedTLS: TLS 1.2, the peer's certificate verified
// against the CA bundle (read once, on the first https connection) and its host name.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace cppstack::aws::detail {

class Connection;

class TlsSession {
 public:
  static std::unique_ptr<TlsSession> handshake(Connection& connection, const std::string& host,
                                               std::chrono::steady_clock::time_point deadline);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  void write_all(std::string_view bytes, std::chrono::steady_clock::time_point deadline);
  std::size_t read_some(char* buffer, std::size_t size,
                        std::chrono::steady_clock::time_point deadline);
  /// True when mbedTLS holds received bytes not yet returned by read_some.
  [[nodiscard]] bool has_buffered() const;

 private:
  struct State;
  explicit TlsSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// The CA bundle's path: SSL_CERT_FILE when set, else the first that exists of Amazon Linux
/// 2023's /etc/pki/tls/certs/ca-bundle.crt and Debian's /etc/ssl/certs/ca-certificates.crt.
[[nodiscard]] std::string ca_bundle_path();

}  // namespace cppstack::aws::detail
