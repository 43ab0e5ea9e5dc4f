#include <gtest/gtest.h>

#include <cppstack/runtime/runtime_loop.hpp>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace cppstack::runtime {
namespace {

class RuntimeApiVariable : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv("AWS_LAMBDA_RUNTIME_API"); }
  static std::string rejection_for(const char* value) {
    if (value == nullptr) {
      ::unsetenv("AWS_LAMBDA_RUNTIME_API");
    } else {
      ::setenv("AWS_LAMBDA_RUNTIME_API", value, 1);
    }
    try {
      (void)RuntimeOptions::from_environment();
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    return {};
  }
};

TEST_F(RuntimeApiVariable, MissingVariableIsAClearError) {
  const std::string message = rejection_for(nullptr);
  EXPECT_NE(message.find("AWS_LAMBDA_RUNTIME_API is not set"), std::string::npos) << message;
  EXPECT_NE(rejection_for("").find("not set"), std::string::npos);
}

TEST_F(RuntimeApiVariable, HostNameIsRejectedBecauseNamesAreNotResolved) {
  const std::string message = rejection_for("localhost:9001");
  EXPECT_NE(message.find("localhost:9001"), std::string::npos) << message;
  EXPECT_NE(message.find("numeric"), std::string::npos) << message;
}

TEST_F(RuntimeApiVariable, MalformedPortsAndAddressesAreRejected) {
  for (const char* value :
       {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:90x1",
        "127.0.0.1:-1", ":9001", "::1:9001", "[::1:9001", "300.1.1.1:9001", "127.1:9001"}) {
    EXPECT_FALSE(rejection_for(value).empty()) << value;
  }
}

TEST_F(RuntimeApiVariable, NumericIpv4AndIpv6AddressesAreAccepted) {
  for (const char* value : {"127.0.0.1:9001", "169.254.100.1:9001", "[::1]:9001"}) {
    ::setenv("AWS_LAMBDA_RUNTIME_API", value, 1);
    const RuntimeOptions options = RuntimeOptions::from_environment();
    EXPECT_EQ(options.runtime_api, value);
    EXPECT_EQ(options.max_transport_retries, RuntimeOptions{}.max_transport_retries);
  }
}

TEST(InvocationRemainingTime, CountsDownToTheDeadline) {
  Invocation invocation;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  invocation.deadline_ms = now_ms + 60000;
  EXPECT_GT(invocation.remaining_time().count(), 0);
  EXPECT_LE(invocation.remaining_time().count(), 60000);
  invocation.deadline_ms = now_ms - 1000;
  EXPECT_LT(invocation.remaining_time().count(), 0);
}

}  // namespace
}  // namespace cppstack::runtime
