#pragma once
// SHA-256 and HMAC-SHA256 for SigV4 and payload hashes. The block function uses the CPU's
// SHA instructions where it has them (x86-64 SHA-NI, Armv8 SHA2: Graviton, recent Intel and
// every AMD EPYC) and portable code elsewhere; the choice is made once per process.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::aws::detail {

/// Processes `count` 64-byte blocks into the eight state words.
using Sha256Blocks = void (*)(std::uint32_t* state, const unsigned char* blocks, std::size_t count);

struct Sha256Engine {
  std::string_view name;  ///< "portable", "x86-sha-ni", "armv8-sha2"
  Sha256Blocks blocks;
};

/// Every engine this CPU can run, the portable one first; the last is the one used.
[[nodiscard]] const std::vector<Sha256Engine>& sha256_engines();

using Digest = std::array<unsigned char, 32>;

/// Incremental SHA-256; copyable, so a state after a common prefix can be reused.
class Sha256 {
 public:
  explicit Sha256(Sha256Blocks blocks = sha256_engines().back().blocks);
  void update(std::string_view bytes);
  /// The digest; the object is spent afterwards.
  [[nodiscard]] Digest finish();

 private:
  Sha256Blocks blocks_;
  std::array<std::uint32_t, 8> state_;
  std::array<unsigned char, 64> pending_{};
  std::size_t pending_size_ = 0;
  std::uint64_t length_ = 0;
};

/// HMAC-SHA256 under one key, its inner and outer pads hashed once: each message then costs
/// its own blocks and one more.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  [[nodiscard]] Digest mac(std::string_view data) const;

 private:
  Sha256 inner_;
  Sha256 outer_;
};

/// Raw 32-byte SHA-256(bytes).
[[nodiscard]] std::string sha256(std::string_view bytes);
/// Raw 32-byte HMAC-SHA256(key, data).
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);
/// Lower-case hex of `bytes`.
[[nodiscard]] std::string hex(std::string_view bytes);
/// The same of a digest.
[[nodiscard]] std::string hex(const Digest& digest);

}  // namespace cppstack::aws::detail
