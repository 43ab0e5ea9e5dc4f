// Measures a custom-runtime binary the way Lambda meets it, on loopback:
//   cold start      exec -> its first GET /next arrives (side by side with the static floor)
//   first response  exec -> the response to a /v1/metadata event has been posted
//   warm CPU        user+sys CPU of the process per invocation over N invocations
//   memory          peak RSS after N invocations, and RSS growth over the second half
// The driver plays the Runtime API with plain sockets so that its own cost stays out of the
// measured process's CPU figures.
#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double microseconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double, std::micro>(end - start).count();
}

class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 16) != 0) {
      throw std::runtime_error(std::string("listen failed: ") + std::strerror(errno));
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { ::close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  [[nodiscard]] int accept_one() const {
    const int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) throw std::runtime_error("accept failed");
    const int on = 1;
    ::setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return connection;
  }
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// One HTTP/1.1 connection from the runtime; reconnects are accepted transparently.
class RuntimeConnection {
 public:
  explicit RuntimeConnection(const Listener& listener) : listener_(listener) {}
  ~RuntimeConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RuntimeConnection(const RuntimeConnection&) = delete;
  RuntimeConnection& operator=(const RuntimeConnection&) = delete;

  /// Reads one whole request (headers and Content-Length body); returns its request line.
  std::string read_request() {
    for (;;) {
      if (fd_ < 0) fd_ = listener_.accept_one();
      const std::size_t header_end = buffer_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const std::size_t body_length = content_length(buffer_.substr(0, header_end));
        if (buffer_.size() >= header_end + 4 + body_length) {
          std::string request_line = buffer_.substr(0, buffer_.find("\r\n"));
          buffer_.erase(0, header_end + 4 + body_length);
          return request_line;
        }
      }
      char chunk[65536];
      const ssize_t received = ::read(fd_, chunk, sizeof chunk);
      if (received <= 0) {
        ::close(fd_);
        fd_ = -1;
        buffer_.clear();
        continue;
      }
      buffer_.append(chunk, static_cast<std::size_t>(received));
    }
  }

  void send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t written = ::write(fd_, bytes.data() + sent, bytes.size() - sent);
      if (written <= 0) throw std::runtime_error("write to runtime failed");
      sent += static_cast<std::size_t>(written);
    }
  }

 private:
  static std::size_t content_length(const std::string& headers) {
    std::string lower = headers;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char character) {
      return static_cast<char>(std::tolower(character));
    });
    const std::size_t found = lower.find("\r\ncontent-length:");
    if (found == std::string::npos) return 0;
    return std::stoul(lower.substr(found + 17));
  }

  const Listener& listener_;
  int fd_ = -1;
  std::string buffer_;
};

std::string event_response(const std::string& request_id, const std::string& event) {
  return "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: " + request_id +
         "\r\nLambda-Runtime-Deadline-Ms: 9999999999999\r\n"
         "Lambda-Runtime-Invoked-Function-Arn: "
         "arn:aws:lambda:us-east-1:123456789012:function:bench\r\n"
         "Content-Type: application/json\r\nContent-Length: " +
         std::to_string(event.size()) + "\r\n\r\n" + event;
}

const std::string accepted_response =
    "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
    "{\"status\":\"OK\"}";

pid_t spawn(const std::string& binary, const std::string& runtime_api) {
  std::string variable = "AWS_LAMBDA_RUNTIME_API=" + runtime_api;
  char* arguments[] = {const_cast<char*>(binary.c_str()), nullptr};
  char* environment[] = {variable.data(), nullptr};
  // The runtime's own log lines would drown the tables: send them to /dev/null.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int failed = posix_spawn(&pid, binary.c_str(), &actions, nullptr, arguments, environment);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) {
    throw std::runtime_error("cannot start " + binary);
  }
  return pid;
}

rusage stop(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  return usage;
}

// Time on CPU in ns from the scheduler (/proc/PID/schedstat): exact, where rusage's
// user/system split is sampled at timer ticks.
double scheduler_cpu_ns(pid_t pid) {
  std::ifstream schedstat("/proc/" + std::to_string(pid) + "/schedstat");
  double on_cpu_ns = -1;
  schedstat >> on_cpu_ns;
  return on_cpu_ns;
}

long status_field_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

struct StartTimes {
  double first_request_us;
  double first_response_us;
};

StartTimes measure_start(const std::string& binary, const std::string& event, bool respond) {
  const Listener listener;
  RuntimeConnection connection(listener);
  const Clock::time_point started = Clock::now();
  const pid_t pid = spawn(binary, listener.address());
  connection.read_request();
  const Clock::time_point first_request = Clock::now();
  Clock::time_point first_response = first_request;
  if (respond) {
    connection.send(event_response("cold-1", event));
    const std::string posted = connection.read_request();
    first_response = Clock::now();
    if (posted.find("/cold-1/response") == std::string::npos) {
      stop(pid);
      throw std::runtime_error(binary + " did not post a response: " + posted);
    }
  }
  stop(pid);
  return {microseconds_between(started, first_request),
          microseconds_between(started, first_response)};
}

struct WarmResult {
  double cpu_us_per_invocation;
  double user_us_per_invocation;
  double system_us_per_invocation;
  double scheduler_us_per_invocation;
  long peak_rss_kib;
  long rss_at_half_kib;
  long rss_at_end_kib;
};

WarmResult measure_warm(const std::string& binary, const std::string& event, long invocations) {
  const Listener listener;
  RuntimeConnection connection(listener);
  const pid_t pid = spawn(binary, listener.address());
  double cpu_ns_after_first = 0;
  long rss_at_half = 0;
  long rss_at_end = 0;
  long peak = 0;
  for (long index = 0; index < invocations; ++index) {
    connection.read_request();  // GET /next
    connection.send(event_response("warm-" + std::to_string(index), event));
    const std::string posted = connection.read_request();
    if (posted.find("/response") == std::string::npos) {
      stop(pid);
      throw std::runtime_error("unexpected post: " + posted);
    }
    connection.send(accepted_response);
    if (index == 0) cpu_ns_after_first = scheduler_cpu_ns(pid);
    if (index + 1 == invocations / 2) rss_at_half = status_field_kib(pid, "VmRSS");
  }
  connection.read_request();  // the next GET: every invocation is fully done
  rss_at_end = status_field_kib(pid, "VmRSS");
  peak = status_field_kib(pid, "VmHWM");
  const double warm_cpu_ns = scheduler_cpu_ns(pid) - cpu_ns_after_first;
  const rusage usage = stop(pid);
  const auto microseconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) * 1e6 + static_cast<double>(time.tv_usec);
  };
  const double count = static_cast<double>(invocations);
  const double user_us = microseconds(usage.ru_utime) / count;
  const double system_us = microseconds(usage.ru_stime) / count;
  return {user_us + system_us,
          user_us,
          system_us,
          warm_cpu_ns / 1000.0 / static_cast<double>(invocations - 1),
          peak,
          rss_at_half,
          rss_at_end};
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Cold start, first response, warm CPU and memory of a Lambda custom runtime"};
  std::string bootstrap;
  std::string floor;
  std::string event_file;
  int runs = 31;
  long invocations = 100000;
  cli.add_option("--bootstrap", bootstrap, "the runtime binary to measure")->required();
  cli.add_option("--floor", floor, "static program that only connects and sends GET /next")
      ->required();
  cli.add_option("--event", event_file, "event to answer /next with")->required();
  cli.add_option("--runs", runs, "cold starts per binary (median reported)");
  cli.add_option("--invocations", invocations, "warm invocations");
  CLI11_PARSE(cli, argc, argv);
  std::signal(SIGPIPE, SIG_IGN);

  const std::string event = read_file(event_file);
  std::vector<double> floor_times;
  std::vector<double> bootstrap_times;
  std::vector<double> first_responses;
  std::vector<double> floor_first_responses;
  // Interleaved so both binaries see the same machine noise.
  for (int run = 0; run < runs; ++run) {
    const StartTimes floor_start = measure_start(floor, event, true);
    floor_times.push_back(floor_start.first_request_us);
    floor_first_responses.push_back(floor_start.first_response_us);
    const StartTimes times = measure_start(bootstrap, event, true);
    bootstrap_times.push_back(times.first_request_us);
    first_responses.push_back(times.first_response_us);
  }
  const WarmResult warm = measure_warm(bootstrap, event, invocations);
  const WarmResult floor_warm = measure_warm(floor, event, invocations);
  const double floor_median = median(floor_times);
  const double bootstrap_median = median(bootstrap_times);

  std::printf("| figure | value | bar |\n|---|---|---|\n");
  std::printf("| cold start: floor (static C, connect + GET), median of %d | %.0f us | |\n", runs,
              floor_median);
  std::printf("| cold start: bootstrap exec -> first GET /next, median of %d | %.0f us | |\n", runs,
              bootstrap_median);
  std::printf("| cold start ratio bootstrap / floor | %.2f x | <= 1.3 x |\n",
              bootstrap_median / floor_median);
  std::printf(
      "| first response: exec -> /v1/metadata response posted, median | %.0f us | <= 2000 us |\n",
      median(first_responses));
  std::printf("| first response of the floor (fixed response, no JSON), median | %.0f us | |\n",
              median(floor_first_responses));
  std::printf(
      "| warm CPU per invocation (user+sys, whole process), %ld invocations | %.1f us | "
      "|\n",
      invocations, warm.cpu_us_per_invocation);
  std::printf("| of which user / system (rusage, sampled at timer ticks) | %.1f us / %.1f us | |\n",
              warm.user_us_per_invocation, warm.system_us_per_invocation);
  std::printf("| warm on-CPU time per invocation (scheduler, exact; init excluded) | %.1f us | |\n",
              warm.scheduler_us_per_invocation);
  std::printf("| the same for the floor (same 4 system calls, no JSON) | %.1f us | |\n",
              floor_warm.scheduler_us_per_invocation);
  std::printf(
      "| runtime client + application above the floor, per invocation | %.1f us | <= 20 us |\n",
      warm.scheduler_us_per_invocation - floor_warm.scheduler_us_per_invocation);
  std::printf("| peak RSS after %ld invocations | %.2f MB | <= 8 MB |\n", invocations,
              static_cast<double>(warm.peak_rss_kib) / 1024.0);
  std::printf("| RSS at half / at end | %ld KiB / %ld KiB | not growing |\n", warm.rss_at_half_kib,
              warm.rss_at_end_kib);
  return 0;
}
