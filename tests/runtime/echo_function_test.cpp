// Runs runtime_echo_function as a real process: exit codes, SIGTERM and the environment
// contract as the Lambda platform (or the local emulator) sees them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fake_runtime_api.hpp"

extern char** environ;

namespace cppstack::runtime {
namespace {

using namespace std::chrono_literals;
using testing::FakeRuntimeApi;
using testing::standard_event;

class EchoFunctionProcess {
 public:
  // runtime_api == nullptr leaves AWS_LAMBDA_RUNTIME_API out of the environment.
  explicit EchoFunctionProcess(const char* runtime_api) {
    char pattern[] = "/tmp/runtime_echo_stderr_XXXXXX";
    const int fd = ::mkstemp(pattern);
    if (fd >= 0) ::close(fd);
    stderr_path_ = pattern;

    std::vector<std::string> variables;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (std::string_view(*entry).rfind("AWS_LAMBDA_RUNTIME_API=", 0) != 0) {
        variables.emplace_back(*entry);
      }
    }
    if (runtime_api != nullptr) {
      variables.push_back(std::string("AWS_LAMBDA_RUNTIME_API=") + runtime_api);
    }
    std::vector<char*> environment;
    for (auto& variable : variables) environment.push_back(variable.data());
    environment.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::string program = RUNTIME_ECHO_FUNCTION_PATH;
    char* arguments[] = {program.data(), nullptr};
    spawned_ = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, arguments,
                             environment.data()) == 0;
    posix_spawn_file_actions_destroy(&actions);
  }

  ~EchoFunctionProcess() {
    if (spawned_ && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::remove(stderr_path_.c_str());
  }

  [[nodiscard]] bool spawned() const { return spawned_; }
  void signal(int number) const { ::kill(pid_, number); }

  /// Exit status, or -1 if the process did not exit normally within the (generous) timeout.
  int wait_for_exit(std::chrono::seconds timeout = 30s) {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < give_up) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(5ms);
    }
    return -1;
  }

  [[nodiscard]] std::string captured_stderr() const {
    std::ifstream file(stderr_path_);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
  }

 private:
  std::string stderr_path_;
  pid_t pid_ = -1;
  bool spawned_ = false;
  bool exited_ = false;
};

TEST(EchoFunction, EchoesEventsThenExitsZeroOnSigtermWhileWaiting) {
  FakeRuntimeApi api;
  api.push_event(standard_event("first", R"({"n":1})"));
  api.push_event(standard_event("second", R"({"n":2})"));
  const std::string address = api.address();
  EchoFunctionProcess process(address.c_str());
  ASSERT_TRUE(process.spawned());
  ASSERT_TRUE(api.wait_until_holding_next(15s));
  process.signal(SIGTERM);
  EXPECT_EQ(process.wait_for_exit(), 0);
  EXPECT_EQ(api.requests_to("/2018-06-01/runtime/invocation/first/response").at(0).body,
            R"({"n":1})");
  EXPECT_EQ(api.requests_to("/2018-06-01/runtime/invocation/second/response").at(0).body,
            R"({"n":2})");
  const std::string log = process.captured_stderr();
  EXPECT_NE(log.find("SIGTERM"), std::string::npos) << log;
}

TEST(EchoFunction, MissingRuntimeApiVariableExitsOneWithAMessage) {
  EchoFunctionProcess process(nullptr);
  ASSERT_TRUE(process.spawned());
  EXPECT_EQ(process.wait_for_exit(), 1);
  const std::string log = process.captured_stderr();
  EXPECT_NE(log.find("AWS_LAMBDA_RUNTIME_API is not set"), std::string::npos) << log;
}

TEST(EchoFunction, HostNameInRuntimeApiVariableExitsOne) {
  EchoFunctionProcess process("localhost:9001");
  ASSERT_TRUE(process.spawned());
  EXPECT_EQ(process.wait_for_exit(), 1);
  EXPECT_NE(process.captured_stderr().find("numeric"), std::string::npos);
}

TEST(EchoFunction, UnreachableRuntimeApiExitsTwoAfterRetries) {
  std::string address;
  {
    FakeRuntimeApi closed;  // take an ephemeral port, then free it
    address = closed.address();
  }
  EchoFunctionProcess process(address.c_str());
  ASSERT_TRUE(process.spawned());
  EXPECT_EQ(process.wait_for_exit(), 2);
  const std::string log = process.captured_stderr();
  EXPECT_NE(log.find(address), std::string::npos) << log;
  EXPECT_NE(log.find("Connection refused"), std::string::npos) << log;
}

}  // namespace
}  // namespace cppstack::runtime
