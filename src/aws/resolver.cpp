// A small stub resolver: /etc/hosts, then A (and, when none, AAAA) queries over UDP to the
// name servers of /etc/resolv.conf (RFC 1035 messages), answers cached for their TTL (at
// most a minute). It replaces getaddrinfo, which pulls glibc's NSS into a static binary.
#include "resolver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cppstack/aws/errors.hpp>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>

#include "resolver_config.hpp"

namespace cppstack::aws::detail {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::size_t kMaxMessage = 1232;

struct CachedAnswer {
  std::vector<Address> addresses;
  Clock::time_point expires;
};

std::mutex cache_mutex;
std::map<std::string, CachedAnswer, std::less<>>& cache() {
  static std::map<std::string, CachedAnswer, std::less<>> entries;
  return entries;
}

ResolverConfig& configuration() {
  static ResolverConfig config;
  return config;
}

bool numeric_address(std::string_view host, std::uint16_t port, Address& out) {
  const std::string text(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  if (::inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (::inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out.length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::vector<Address> from_hosts_file(const std::string& path, std::string_view host,
                                     std::uint16_t port) {
  std::vector<Address> out;
  std::ifstream in(path);
  std::string line;
  const std::string wanted = lower(host);
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string address;
    std::string name;
    if (!(words >> address)) continue;
    while (words >> name) {
      Address parsed;
      if (lower(name) == wanted && numeric_address(address, port, parsed)) out.push_back(parsed);
    }
  }
  return out;
}

// RFC 6761, section 6.3: "localhost" and names under ".localhost" are the loopback address,
// whether or not /etc/hosts lists them (a minimal root, as CodeBuild's debian:bookworm
// without Docker's /etc/hosts, has none), and are never sent to a DNS server.
bool is_localhost_name(std::string_view host) {
  const std::string name = lower(host.ends_with('.') ? host.substr(0, host.size() - 1) : host);
  constexpr std::string_view suffix = ".localhost";
  return name == "localhost" || name.ends_with(suffix);
}

std::vector<Address> loopback_addresses(std::uint16_t port) {
  std::vector<Address> out(2);
  (void)numeric_address("127.0.0.1", port, out[0]);
  (void)numeric_address("::1", port, out[1]);
  return out;
}

std::vector<Address> servers_from_resolv_conf(const std::string& path) {
  std::vector<Address> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string keyword;
    std::string address;
    Address parsed;
    if (words >> keyword >> address && keyword == "nameserver" &&
        numeric_address(address, 53, parsed))
      out.push_back(parsed);
  }
  return out;
}

std::string query_message(std::uint16_t id, std::string_view host, std::uint16_t type) {
  std::string out;
  const auto put16 = [&out](std::uint16_t value) {
    out += static_cast<char>(value >> 8U);
    out += static_cast<char>(value & 0xFFU);
  };
  put16(id);
  put16(0x0100);  // recursion desired
  put16(1);
  put16(0);
  put16(0);
  put16(0);
  std::size_t start = 0;
  while (start < host.size()) {
    const std::size_t end = std::min(host.find('.', start), host.size());
    const std::size_t length = end - start;
    if (length == 0 || length > 63) throw NetworkError("invalid host name: " + std::string(host));
    out += static_cast<char>(length);
    out += host.substr(start, length);
    start = end + 1;
  }
  out += '\0';
  put16(type);
  put16(1);  // class IN
  return out;
}

struct Answer {
  bool matched = false;  ///< the message answers our query
  int rcode = 0;
  std::vector<Address> addresses;
  std::uint32_t ttl = 60;
};

/// Skips a (possibly compressed) name; false when it runs past the message.
bool skip_name(std::string_view message, std::size_t& at) {
  while (at < message.size()) {
    const auto length = static_cast<unsigned char>(message[at]);
    if (length == 0) {
      ++at;
      return true;
    }
    if ((length & 0xC0U) == 0xC0U) {
      at += 2;
      return at <= message.size();
    }
    at += 1U + length;
  }
  return false;
}

std::uint16_t read16(std::string_view message, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(message[at]) << 8U) |
                                    static_cast<unsigned char>(message[at + 1]));
}

Answer parse_answer(std::string_view message, std::uint16_t id, std::uint16_t type,
                    std::uint16_t port) {
  Answer out;
  if (message.size() < 12 || read16(message, 0) != id || (message[2] & 0x80) == 0) return out;
  out.matched = true;
  out.rcode = message[3] & 0x0F;
  const std::uint16_t questions = read16(message, 4);
  const std::uint16_t answers = read16(message, 6);
  std::size_t at = 12;
  for (std::uint16_t i = 0; i < questions; ++i) {
    if (!skip_name(message, at) || at + 4 > message.size()) return out;
    at += 4;
  }
  for (std::uint16_t i = 0; i < answers; ++i) {
    if (!skip_name(message, at) || at + 10 > message.size()) return out;
    const std::uint16_t record_type = read16(message, at);
    const std::uint32_t ttl =
        (static_cast<std::uint32_t>(read16(message, at + 4)) << 16U) | read16(message, at + 6);
    const std::uint16_t length = read16(message, at + 8);
    at += 10;
    if (at + length > message.size()) return out;
    Address address;
    if (record_type == type && type == kTypeA && length == 4) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
      v4->sin_family = AF_INET;
      v4->sin_port = htons(port);
      std::memcpy(&v4->sin_addr, message.data() + at, 4);
      address.length = sizeof(sockaddr_in);
      out.addresses.push_back(address);
      out.ttl = std::min(out.ttl, ttl);
    } else if (record_type == type && type == kTypeAaaa && length == 16) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(port);
      std::memcpy(&v6->sin6_addr, message.data() + at, 16);
      address.length = sizeof(sockaddr_in6);
      out.addresses.push_back(address);
      out.ttl = std::min(out.ttl, ttl);
    }
    at += length;
  }
  return out;
}

class UdpSocket {
 public:
  explicit UdpSocket(int family)
      : fd_(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {}
  ~UdpSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

/// Asks one server; std::nullopt when it does not answer within `wait`.
std::optional<Answer> ask(const Address& server, std::string_view host, std::uint16_t type,
                          std::uint16_t port, Clock::time_point until) {
  thread_local std::mt19937 random{std::random_device{}()};
  const auto id = static_cast<std::uint16_t>(random());
  const std::string query = query_message(id, host, type);
  const UdpSocket socket(server.storage.ss_family);
  if (socket.fd() < 0 ||
      ::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&server.storage), server.length) !=
          0 ||
      ::send(socket.fd(), query.data(), query.size(), 0) < 0)
    return std::nullopt;
  std::array<char, kMaxMessage> buffer{};
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd entry{.fd = socket.fd(), .events = POLLIN, .revents = 0};
    if (::poll(&entry, 1, static_cast<int>(left) + 1) <= 0) continue;
    const ssize_t received = ::recv(socket.fd(), buffer.data(), buffer.size(), 0);
    if (received <= 0) {
      if (received < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      return std::nullopt;  // e.g. ECONNREFUSED: nothing listens there
    }
    Answer answer = parse_answer(
        std::string_view(buffer.data(), static_cast<std::size_t>(received)), id, type, port);
    if (answer.matched) return answer;  // else a stray datagram: keep waiting
  }
}

std::vector<Address> query_servers(std::string_view host, std::uint16_t port,
                                   Clock::time_point deadline) {
  const ResolverConfig& config = configuration();
  const std::vector<Address> servers =
      config.servers.empty() ? servers_from_resolv_conf(config.resolv_conf_path) : config.servers;
  if (servers.empty())
    throw NetworkError("cannot resolve " + std::string(host) + ": no nameserver in " +
                       config.resolv_conf_path);
  for (int round = 0; round < 2; ++round) {
    for (const Address& server : servers) {
      const Clock::time_point until = std::min(deadline, Clock::now() + config.attempt_timeout);
      auto answer = ask(server, host, kTypeA, port, until);
      if (answer && answer->rcode == 0 && answer->addresses.empty())
        answer = ask(server, host, kTypeAaaa, port,
                     std::min(deadline, Clock::now() + config.attempt_timeout));
      if (!answer) {
        if (Clock::now() >= deadline) break;
        continue;
      }
      if (answer->rcode == 3 || (answer->rcode == 0 && answer->addresses.empty()))
        throw NetworkError("cannot resolve " + std::string(host) + ": no such host");
      if (answer->rcode != 0) continue;  // SERVFAIL, REFUSED: try the next server
      const std::lock_guard lock(cache_mutex);
      cache()[std::string(host)] = {
          answer->addresses,
          Clock::now() + std::chrono::seconds(std::min<std::uint32_t>(answer->ttl, 60))};
      return answer->addresses;
    }
  }
  throw TimeoutError("cannot resolve " + std::string(host) + ": no name server answered in time");
}

}  // namespace

void set_resolver_config(ResolverConfig config) {
  configuration() = std::move(config);
  const std::lock_guard lock(cache_mutex);
  cache().clear();
}

std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                             Clock::time_point deadline) {
  Address numeric;
  if (numeric_address(host, port, numeric)) return {numeric};
  if (auto listed = from_hosts_file(configuration().hosts_path, host, port); !listed.empty())
    return listed;
  if (is_localhost_name(host)) return loopback_addresses(port);
  {
    const std::lock_guard lock(cache_mutex);
    const auto found = cache().find(host);
    if (found != cache().end() && found->second.expires > Clock::now()) {
      std::vector<Address> out = found->second.addresses;
      for (Address& address : out) {
        if (address.storage.ss_family == AF_INET)
          reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
        else
          reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
      }
      return out;
    }
  }
  return query_servers(host, port, deadline);
}

}  // namespace cppstack::aws::detail
