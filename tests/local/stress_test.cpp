// 10,000 requests on keep-alive connections with crashes injected: every request gets exactly
// one answer, crashes get 502, everything else 200.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

TEST(Stress, TenThousandRequestsWithCrashesInjected) {
  constexpr int clients = 8;
  constexpr int per_client = 1250;
  constexpr int crash_every = 50;
  Emulator emulator(
      {"start-api", "--bootstrap", FIXTURE_FUNCTION, "--concurrency", "16", "--no-access-log"});
  std::atomic<int> ok{0};
  std::atomic<int> crashed{0};
  std::atomic<int> wrong{0};
  std::atomic<int> transport_errors{0};
  std::vector<std::thread> threads;
  for (int client = 0; client < clients; ++client) {
    threads.emplace_back([&, client] {
      std::optional<Connection> connection;
      for (int i = 0; i < per_client; ++i) {
        const int index = client * per_client + i;
        const bool crash = index % crash_every == 7;
        try {
          if (!connection) connection.emplace(emulator.port());
          const auto response = connection->send(
              http::verb::get, crash ? "/prod/crash" : "/prod/item/" + std::to_string(index));
          if (crash && response.result_int() == 502) {
            ++crashed;
          } else if (!crash && response.result_int() == 200 &&
                     response.body() == R"({"path":"/item/)" + std::to_string(index) + R"("})") {
            ++ok;
          } else {
            ++wrong;
          }
        } catch (const std::exception&) {
          ++transport_errors;
          connection.reset();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const int total = clients * per_client;
  EXPECT_EQ(transport_errors.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(crashed.load(), total / crash_every);
  EXPECT_EQ(ok.load(), total - total / crash_every);
  EXPECT_EQ(emulator.stop(), 0);
}

}  // namespace
}  // namespace cppstack::local::testing
