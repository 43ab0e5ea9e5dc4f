#include "local_services.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace cppstack::aws::testing {

LocalServices::LocalServices(const std::vector<std::string>& buckets) {
  char pattern[] = "/tmp/cppstack-aws-services-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  data_dir_ = pattern;
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  // s3rver 3.7.1 makes its ListObjectsV2 continuation tokens with DES, which Node.js 17+
  // (OpenSSL 3) refuses unless its legacy provider is loaded.
  std::vector<std::string> arguments{"node", "--openssl-legacy-provider", LOCAL_SERVICES_SCRIPT,
                                     SERVICES_DIR, data_dir_.string()};
  arguments.insert(arguments.end(), buckets.begin(), buckets.end());
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const int spawned = ::posix_spawnp(&pid_, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  stdin_fd_ = to_child[1];
  if (spawned != 0) {
    ::close(from_child[0]);
    throw std::runtime_error("cannot start node (install Node.js: make deps)");
  }
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd entry{.fd = from_child[0], .events = POLLIN, .revents = 0};
    if (::poll(&entry, 1, 1000) <= 0) continue;
    char buffer[256];
    const ssize_t count = ::read(from_child[0], buffer, sizeof buffer);
    if (count <= 0) break;
    line.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(from_child[0]);
  boost::system::error_code error;
  const auto ports = boost::json::parse(line, error);
  if (error || !ports.is_object())
    throw std::runtime_error("dynalite and s3rver did not start (run `cd services && npm ci`): " +
                             line);
  dynamodb_port_ = static_cast<std::uint16_t>(ports.at("dynamodb").to_number<int>());
  s3_port_ = static_cast<std::uint16_t>(ports.at("s3").to_number<int>());
}

LocalServices::~LocalServices() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);  // the script exits when its stdin closes
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

std::string LocalServices::dynamodb_url() const {
  return "http://127.0.0.1:" + std::to_string(dynamodb_port_);
}
std::string LocalServices::s3_url() const { return "http://127.0.0.1:" + std::to_string(s3_port_); }

}  // namespace cppstack::aws::testing

namespace cppstack::aws::testing {

HelperProcess::HelperProcess(std::vector<std::string> arguments) {
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const int spawned = ::posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  stdin_fd_ = to_child[1];
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (spawned == 0 && line.find('\n') == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd entry{.fd = from_child[0], .events = POLLIN, .revents = 0};
    if (::poll(&entry, 1, 1000) <= 0) continue;
    char buffer[64];
    const ssize_t count = ::read(from_child[0], buffer, sizeof buffer);
    if (count <= 0) break;
    line.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(from_child[0]);
  const int port = std::atoi(line.c_str());
  if (port <= 0 || port > 65535)
    throw std::runtime_error(arguments.at(0) + " did not start: " + line);
  port_ = static_cast<std::uint16_t>(port);
}

HelperProcess::~HelperProcess() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

}  // namespace cppstack::aws::testing
