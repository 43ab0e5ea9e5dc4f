#include <algorithm>
#include <cppstack/local/token_bucket.hpp>

namespace cppstack::local {

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock::time_point now)
    : rate_(std::max(0.0, rate_per_second)),
      burst_(std::max(1.0, burst)),
      tokens_(burst_),
      last_refill_(now) {}

bool TokenBucket::try_take(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now > last_refill_) {
    const double elapsed = std::chrono::duration<double>(now - last_refill_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_refill_ = now;
  }
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace cppstack::local
