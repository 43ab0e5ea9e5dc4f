// Hot reload: a rebuilt bootstrap takes the next invocation; busy old instances finish first.

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <sstream>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

TEST(HotReload, NewBuildServesNewRequestsWhileBusyOldInstancesFinish) {
  TempDir directory;
  const auto bootstrap = directory.write("bootstrap", versioned_function("A"), true);
  Emulator emulator({"start-api", "--bootstrap", bootstrap.string()});
  auto response = request(emulator.port(), verb::get, "/prod/first");
  ASSERT_EQ(response.result_int(), 200) << emulator.logs();
  EXPECT_EQ(response.body(), "A /first");

  // An old instance is busy while the new build lands.
  auto slow = std::async(std::launch::async,
                         [&] { return request(emulator.port(), verb::get, "/prod/slow").body(); });
  ASSERT_TRUE(emulator.wait_for_log("slow request started"));
  directory.write("bootstrap", versioned_function("B"), true);

  response = request(emulator.port(), verb::get, "/prod/second");
  EXPECT_EQ(response.body(), "B /second");
  EXPECT_EQ(slow.get(), "A /slow");  // finished on the old build
  response = request(emulator.port(), verb::get, "/prod/third");
  EXPECT_EQ(response.body(), "B /third");
  EXPECT_TRUE(emulator.wait_for_log("bootstrap changed"));
  EXPECT_TRUE(emulator.wait_for_log("tutorial function B initialised"));
}

TEST(HotReload, IdleOldInstancesAreNotReused) {
  TempDir directory;
  const auto bootstrap = directory.write("bootstrap", versioned_function("one"), true);
  Emulator emulator({"start-api", "--bootstrap", bootstrap.string()});
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/a").body(), "one /a");
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/b").body(), "one /b");
  directory.write("bootstrap", versioned_function("two"), true);
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/c").body(), "two /c");
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/d").body(), "two /d");
}

}  // namespace
}  // namespace cppstack::local::testing
