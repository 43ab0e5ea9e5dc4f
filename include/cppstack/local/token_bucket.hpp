#pragma once
// API Gateway's throttling: a token bucket refilled at `rate` tokens per second up to
// `burst` tokens; a request that finds no token is answered 429 Too Many Requests.
// Thread-safe.
//
//   cppstack::local::TokenBucket bucket(/*rate=*/10, /*burst=*/5);
//   if (!bucket.try_take()) { /* 429 */ }

#include <chrono>
#include <mutex>

namespace cppstack::local {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_second, double burst, Clock::time_point now = Clock::now());

  /// Takes one token when there is one.
  bool try_take(Clock::time_point now = Clock::now());

 private:
  std::mutex mutex_;
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_refill_;
};

}  // namespace cppstack::local
