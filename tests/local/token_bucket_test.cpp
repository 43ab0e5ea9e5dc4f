#include <gtest/gtest.h>

#include <cppstack/local/token_bucket.hpp>

namespace cppstack::local {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, AllowsTheBurstThenRefillsAtTheRate) {
  const auto start = TokenBucket::Clock::time_point{} + 100s;
  TokenBucket bucket(/*rate=*/2, /*burst=*/3, start);
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_FALSE(bucket.try_take(start));
  EXPECT_FALSE(bucket.try_take(start + 400ms));  // 0.8 tokens
  EXPECT_TRUE(bucket.try_take(start + 500ms));   // 1.0 token
  EXPECT_FALSE(bucket.try_take(start + 500ms));
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  const auto start = TokenBucket::Clock::time_point{} + 100s;
  TokenBucket bucket(/*rate=*/100, /*burst=*/2, start);
  const auto later = start + 60s;
  EXPECT_TRUE(bucket.try_take(later));
  EXPECT_TRUE(bucket.try_take(later));
  EXPECT_FALSE(bucket.try_take(later));
}

TEST(TokenBucket, ZeroRateAllowsOnlyTheBurst) {
  const auto start = TokenBucket::Clock::time_point{} + 100s;
  TokenBucket bucket(/*rate=*/0, /*burst=*/1, start);
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_FALSE(bucket.try_take(start + 3600s));
}

}  // namespace
}  // namespace cppstack::local
