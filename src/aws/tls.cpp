// mbedTLS 2.28 (Debian's libmbedtls-dev, linked statically): chosen over OpenSSL 3, wolfSSL
// and BearSSL by size and set-up cost (docs/performance.md, "TLS library").
#include "tls.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cppstack/aws/errors.hpp>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "connection.hpp"

namespace cppstack::aws::detail {

namespace {

std::string mbedtls_message(int code) {
  std::array<char, 160> text{};
  mbedtls_strerror(code, text.data(), text.size());
  return text.data();
}

bool readable_file(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

/// What every session shares: the random generator, the CA certificates and the settings.
/// Built on the first https connection, never at initialisation.
struct SharedConfig {
  mbedtls_entropy_context entropy{};
  mbedtls_ctr_drbg_context random{};
  mbedtls_x509_crt authorities{};
  mbedtls_ssl_config config{};
  std::string error;  ///< why it is unusable; empty when ready

  SharedConfig() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&random);
    mbedtls_x509_crt_init(&authorities);
    mbedtls_ssl_config_init(&config);
    static constexpr std::string_view personal = "cppstack-aws";
    if (const int code = mbedtls_ctr_drbg_seed(
            &random, mbedtls_entropy_func, &entropy,
            reinterpret_cast<const unsigned char*>(personal.data()), personal.size());
        code != 0) {
      error = "cannot seed the random generator: " + mbedtls_message(code);
      return;
    }
    const std::string bundle = ca_bundle_path();
    if (bundle.empty()) {
      error = "no CA bundle: set SSL_CERT_FILE, or install ca-certificates";
      return;
    }
    // A bundle may hold a few certificates mbedTLS cannot parse; a positive return counts them.
    if (const int code = mbedtls_x509_crt_parse_file(&authorities, bundle.c_str());
        code < 0 || authorities.version == 0) {
      error = "cannot read the CA bundle " + bundle + ": " + mbedtls_message(code);
      return;
    }
    mbedtls_ssl_config_defaults(&config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                MBEDTLS_SSL_PRESET_DEFAULT);
    mbedtls_ssl_conf_min_version(&config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_authmode(&config, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&config, &authorities, nullptr);
    mbedtls_ssl_conf_rng(&config, mbedtls_ctr_drbg_random, &random);
  }
  ~SharedConfig() {
    mbedtls_ssl_config_free(&config);
    mbedtls_x509_crt_free(&authorities);
    mbedtls_ctr_drbg_free(&random);
    mbedtls_entropy_free(&entropy);
  }
  SharedConfig(const SharedConfig&) = delete;
  SharedConfig& operator=(const SharedConfig&) = delete;
};

SharedConfig& shared_config() {
  static SharedConfig config;  // thread-safe, built on first use
  return config;
}

/// The socket under mbedTLS, with a read-ahead buffer: mbedTLS asks for each record's 5-byte
/// header and then for its body, and one recv of whatever has arrived serves both.
struct Bio {
  int fd = -1;
  std::array<unsigned char, 16384 + 512> buffer;  // filled by recv before it is read
  std::size_t begin = 0;
  std::size_t end = 0;
};

int send_callback(void* context, const unsigned char* data, std::size_t size) {
  const int fd = static_cast<Bio*>(context)->fd;
  const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
  if (sent >= 0) return static_cast<int>(sent);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_WRITE;
  return errno == ECONNRESET || errno == EPIPE ? MBEDTLS_ERR_NET_CONN_RESET
                                               : MBEDTLS_ERR_NET_SEND_FAILED;
}

int receive_callback(void* context, unsigned char* data, std::size_t size) {
  Bio& bio = *static_cast<Bio*>(context);
  if (bio.begin == bio.end) {
    const ssize_t received = ::recv(bio.fd, bio.buffer.data(), bio.buffer.size(), 0);
    if (received == 0) return 0;
    if (received < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_READ;
      return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
    }
    bio.begin = 0;
    bio.end = static_cast<std::size_t>(received);
  }
  const std::size_t count = std::min(size, bio.end - bio.begin);
  std::memcpy(data, bio.buffer.data() + bio.begin, count);
  bio.begin += count;
  return static_cast<int>(count);
}

}  // namespace

struct TlsSession::State {
  Bio bio;
  mbedtls_ssl_context ssl{};
  State() { mbedtls_ssl_init(&ssl); }
  ~State() { mbedtls_ssl_free(&ssl); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  /// Waits for what mbedTLS asked for; throws for any other code.
  void wait_or_throw(int code, std::chrono::steady_clock::time_point deadline,
                     std::string_view what) const {
    if (code == MBEDTLS_ERR_SSL_WANT_READ) {
      wait_for(bio.fd, POLLIN, deadline, what);
    } else if (code == MBEDTLS_ERR_SSL_WANT_WRITE) {
      wait_for(bio.fd, POLLOUT, deadline, what);
    } else {
      throw NetworkError(std::string(what) + " failed: " + mbedtls_message(code));
    }
  }
};

std::string ca_bundle_path() {
  if (const char* file = std::getenv("SSL_CERT_FILE"); file != nullptr && *file != '\0')
    return file;
  for (const char* path :
       {"/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt"})
    if (readable_file(path)) return path;
  return {};
}

TlsSession::TlsSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
TlsSession::~TlsSession() = default;

std::unique_ptr<TlsSession> TlsSession::handshake(Connection& connection, const std::string& host,
                                                  std::chrono::steady_clock::time_point deadline) {
  static std::mutex setup;
  SharedConfig* shared = nullptr;
  {
    const std::lock_guard lock(setup);
    shared = &shared_config();
  }
  if (!shared->error.empty()) throw NetworkError("TLS: " + shared->error);
  auto state = std::make_unique<State>();
  state->bio.fd = connection.fd_;
  if (const int code = mbedtls_ssl_setup(&state->ssl, &shared->config); code != 0)
    throw NetworkError("TLS set-up failed: " + mbedtls_message(code));
  // The name is both the SNI and what the certificate must match.
  mbedtls_ssl_set_hostname(&state->ssl, host.c_str());
  mbedtls_ssl_set_bio(&state->ssl, &state->bio, send_callback, receive_callback, nullptr);
  for (;;) {
    const int code = mbedtls_ssl_handshake(&state->ssl);
    if (code == 0) break;
    if (code == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
      std::array<char, 256> reason{};
      mbedtls_x509_crt_verify_info(reason.data(), reason.size(), "",
                                   mbedtls_ssl_get_verify_result(&state->ssl));
      throw NetworkError("TLS: the certificate of " + host + " is not trusted: " + reason.data());
    }
    state->wait_or_throw(code, deadline, "the TLS handshake with " + host);
  }
  return std::unique_ptr<TlsSession>(new TlsSession(std::move(state)));
}

void TlsSession::write_all(std::string_view bytes, std::chrono::steady_clock::time_point deadline) {
  while (!bytes.empty()) {
    const int code = mbedtls_ssl_write(
        &state_->ssl, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    if (code > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(code));
    } else {
      state_->wait_or_throw(code, deadline, "sending the request");
    }
  }
}

std::size_t TlsSession::read_some(char* buffer, std::size_t size,
                                  std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const int code = mbedtls_ssl_read(&state_->ssl, reinterpret_cast<unsigned char*>(buffer), size);
    if (code > 0) return static_cast<std::size_t>(code);
    if (code == 0 || code == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
    state_->wait_or_throw(code, deadline, "waiting for the answer");
  }
}

bool TlsSession::has_buffered() const {
  return state_->bio.begin != state_->bio.end || mbedtls_ssl_get_bytes_avail(&state_->ssl) > 0 ||
         mbedtls_ssl_check_pending(&state_->ssl) != 0;
}

}  // namespace cppstack::aws::detail
