// The emulator's log relay: never blocks its caller, bounded, and says how many lines it had
// to drop when the terminal could not keep up.

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cppstack/local/lambda_log.hpp>
#include <regex>
#include <string>

namespace cppstack::local {
namespace {

std::string read_available(int fd, std::chrono::milliseconds patience) {
  std::string text;
  char buffer[65536];
  while (true) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(patience.count())) <= 0) return text;
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(got));
  }
}

TEST(LambdaLog, StuckTerminalDropsLinesAndSaysHowMany) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  {
    // Nobody reads the pipe while 10,000 lines arrive: once it and the 4 KB buffer are
    // full, lines are dropped instead of blocking this thread.
    LambdaLog log(fds[1], false, 4096);
    const std::string line(99, 'y');
    for (int i = 0; i < 10000; ++i) log.line(line);
    const auto shown = read_available(fds[0], std::chrono::milliseconds(500));
    log.line("after the flood");
    // Read until the last line arrives (the writer thread may be slow on a loaded machine).
    auto rest = shown;
    for (int attempt = 0; attempt < 40 && rest.find("after the flood\n") == std::string::npos;
         ++attempt) {
      rest += read_available(fds[0], std::chrono::milliseconds(500));
    }
    // The writer may take the buffer more than once during the flood, so there can be several
    // notices: together they account for every dropped line.
    const std::regex notice(
        R"(\[cppstack-local\] (\d+) log lines dropped: the terminal could not keep up)");
    std::size_t dropped = 0;
    std::size_t notices = 0;
    for (auto it = std::sregex_iterator(rest.begin(), rest.end(), notice);
         it != std::sregex_iterator(); ++it) {
      dropped += std::stoul((*it)[1]);
      ++notices;
    }
    ASSERT_GT(notices, 0U) << rest.size();
    const auto kept = static_cast<std::size_t>(std::count(rest.begin(), rest.end(), 'y')) / 99;
    EXPECT_EQ(dropped + kept, 10000U);
    EXPECT_NE(rest.find("after the flood\n"), std::string::npos);
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(LambdaLog, LinesKeepTheirOrderAndMultiLineTextsStayWhole) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  {
    LambdaLog log(fds[1], true);
    log.function_line("id-1", "from the function");
    log.line("END RequestId: id-1\nREPORT RequestId: id-1\t");
    log.notice("emulator");
  }
  EXPECT_EQ(read_available(fds[0], std::chrono::milliseconds(200)),
            "id-1\tfrom the function\nEND RequestId: id-1\nREPORT RequestId: id-1\t\n"
            "[cppstack-local] emulator\n");
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace cppstack::local
