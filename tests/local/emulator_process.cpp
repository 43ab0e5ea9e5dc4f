#include "emulator_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace cppstack::local::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

std::string read_file(const std::filesystem::path& file) {
  std::ifstream input(file, std::ios::binary);
  std::ostringstream text;
  text << input.rdbuf();
  return text.str();
}

// fork + exec with stdin from a file and stdout/stderr to the given descriptors.
pid_t spawn(const std::vector<std::string>& arguments, int stdin_fd, int stdout_fd, int stderr_fd) {
  std::vector<char*> argv;
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(stdin_fd, 0);
    dup2(stdout_fd, 1);
    dup2(stderr_fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_with_timeout(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

}  // namespace

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("cppstack-local-test-" + std::to_string(getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content,
                                     bool executable) const {
  const auto file = path_ / name;
  // Written beside and renamed into place, as a build would: a running copy is never changed.
  const auto staging = path_ / (name + ".tmp");
  {
    std::ofstream output(staging, std::ios::binary | std::ios::trunc);
    output << content;
  }
  if (executable) {
    std::filesystem::permissions(
        staging, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                     std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                     std::filesystem::perms::others_exec);
  }
  std::filesystem::rename(staging, file);
  return file;
}

Emulator::Emulator(std::vector<std::string> arguments) {
  log_file_ = directory_.path() / "stderr.log";
  std::vector<std::string> command{CPPSTACK_LOCAL_EXE};
  command.insert(command.end(), arguments.begin(), arguments.end());
  command.emplace_back("--port");
  command.emplace_back("0");
  // The ThreadSanitizer run (CMakePresets.json, preset tsan) serves on several I/O threads.
  if (const char* threads = std::getenv("CPPSTACK_LOCAL_THREADS");
      threads != nullptr &&
      std::find(arguments.begin(), arguments.end(), "--threads") == arguments.end()) {
    command.emplace_back("--threads");
    command.emplace_back(threads);
  }
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const int err = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_ = spawn(command, in, out[1], err);
  ::close(out[1]);
  ::close(err);
  ::close(in);
  // The first stdout line names the port; read it with a bounded wait. It is taken the moment
  // it is written (poll, not a sleep), so a test acts on it as a supervisor would.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd readable{.fd = out[0], .events = POLLIN, .revents = 0};
    if (::poll(&readable, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    char buffer[256];
    const ssize_t got = ::read(out[0], buffer, sizeof buffer);
    if (got > 0) {
      line.append(buffer, static_cast<std::size_t>(got));
    } else if (got == 0) {
      break;
    }
  }
  ::close(out[0]);
  const auto colon = line.rfind(':');
  if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos) {
    ADD_FAILURE() << "emulator did not start; stdout: " << line << "\nstderr: " << logs();
    return;
  }
  port_ = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

Emulator::~Emulator() {
  if (pid_ > 0) stop();
}

std::string Emulator::logs() const { return read_file(log_file_); }

bool Emulator::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (logs().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int Emulator::stop(int signal_number) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal_number);
  const int status = wait_with_timeout(pid_, std::chrono::seconds(15));
  pid_ = -1;
  return status;
}

struct Connection::State {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
};

Connection::Connection(std::uint16_t port) : state_(std::make_unique<State>()) {
  state_->stream.expires_after(std::chrono::seconds(60));
  state_->stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

Connection::~Connection() = default;

Response Connection::send(http::verb method, const std::string& target, const std::string& body,
                          const Headers& headers) {
  http::request<http::string_body> message{method, target, 11};
  message.set(http::field::host, "127.0.0.1");
  message.set(http::field::user_agent, "local-tests/1.0");
  for (const auto& [name, value] : headers) message.insert(name, value);
  message.body() = body;
  if (!body.empty() || method == http::verb::post || method == http::verb::put) {
    message.prepare_payload();
  }
  state_->stream.expires_after(std::chrono::seconds(60));
  http::write(state_->stream, message);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.header_limit(1024 * 1024);         // answers may carry headers up to 64 KB each
  parser.skip(method == http::verb::head);  // a HEAD response has no body to read
  http::read(state_->stream, state_->buffer, parser);
  return parser.release();
}

Response request(std::uint16_t port, http::verb method, const std::string& target,
                 const std::string& body, const Headers& headers) {
  Connection connection(port);
  return connection.send(method, target, body, headers);
}

CommandResult run_command(const std::vector<std::string>& arguments, const std::string& input) {
  TempDir directory;
  const auto in_file = directory.write("stdin", input);
  const auto out_file = directory.path() / "stdout";
  const auto err_file = directory.path() / "stderr";
  const int in = ::open(in_file.c_str(), O_RDONLY | O_CLOEXEC);
  const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = spawn(arguments, in, out, err);
  ::close(in);
  ::close(out);
  ::close(err);
  CommandResult result;
  result.exit_code = wait_with_timeout(pid, std::chrono::seconds(60));
  result.out = read_file(out_file);
  result.err = read_file(err_file);
  return result;
}

std::vector<std::string> header_values(const Response& response, const std::string& name) {
  std::vector<std::string> values;
  for (const auto& field : response) {
    if (beast::iequals(field.name_string(), name)) values.emplace_back(field.value());
  }
  return values;
}

boost::json::value parse_json(const std::string& text) {
  boost::system::error_code error;
  auto value = boost::json::parse(text, error);
  if (error) ADD_FAILURE() << "not JSON: " << text.substr(0, 500);
  return value;
}

std::vector<std::string> StartLambda::operator()(const std::vector<std::string>& extra) const {
  std::vector<std::string> arguments{"start-lambda", "--bootstrap", bootstrap, "--function-name",
                                     function_name};
  arguments.insert(arguments.end(), options.begin(), options.end());
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

std::string StartLambda::invocations() const {
  return "/2015-03-31/functions/" + function_name + "/invocations";
}

std::string versioned_function(const std::string& version) {
  std::ifstream input(std::string(FUNCTIONS_DIR) + "/tutorial_function.sh");
  std::stringstream text;
  text << input.rdbuf();
  std::string script = text.str();
  const std::string marker = "set -euo pipefail\n";
  script.insert(script.find(marker) + marker.size(), "FUNCTION_VERSION=" + version + "\n");
  return script;
}

}  // namespace cppstack::local::testing
