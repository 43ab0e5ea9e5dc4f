// SHA-256 (FIPS 180-4) with three block functions: portable C++, x86-64 SHA-NI and Armv8
// SHA2, the last two used only when the CPU reports the instructions. Every engine is checked
// against the others and against known digests (tests/aws/crypto_test.cpp).
#include "crypto.hpp"

#include <bit>
#include <cstring>

// g++ declares the Armv8 SHA2 intrinsics for a function with the target attribute; clang 14
// only when the whole file is compiled for them.
#if defined(__aarch64__) && (!defined(__clang__) || defined(__ARM_FEATURE_SHA2))
#define CPPSTACK_SHA256_ARMV8 1
#endif

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#elif defined(CPPSTACK_SHA256_ARMV8)
#include <arm_neon.h>
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace cppstack::aws::detail {

namespace {

alignas(16) constexpr std::array<std::uint32_t, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::array<std::uint32_t, 8> kInitial = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

std::uint32_t load_big_endian(const unsigned char* bytes) {
  return (std::uint32_t{bytes[0]} << 24U) | (std::uint32_t{bytes[1]} << 16U) |
         (std::uint32_t{bytes[2]} << 8U) | std::uint32_t{bytes[3]};
}

void blocks_portable(std::uint32_t* state, const unsigned char* blocks, std::size_t count) {
  for (; count > 0; --count, blocks += 64) {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t i = 0; i < 16; ++i) w[i] = load_big_endian(blocks + 4 * i);
    for (std::size_t i = 16; i < 64; ++i) {
      const std::uint32_t s0 =
          std::rotr(w[i - 15], 7) ^ std::rotr(w[i - 15], 18) ^ (w[i - 15] >> 3U);
      const std::uint32_t s1 =
          std::rotr(w[i - 2], 17) ^ std::rotr(w[i - 2], 19) ^ (w[i - 2] >> 10U);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (std::size_t i = 0; i < 64; ++i) {
      const std::uint32_t s1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
      const std::uint32_t choice = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + s1 + choice + kRound[i] + w[i];
      const std::uint32_t s0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
      const std::uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + s0 + majority;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

#if defined(__x86_64__)

bool cpu_has_sha_ni() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool ssse3 = (c & (1U << 9U)) != 0;
  const bool sse41 = (c & (1U << 19U)) != 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return ssse3 && sse41 && (b & (1U << 29U)) != 0;
}

// The state is kept as ABEF and CDGH, the order SHA256RNDS2 works on; each step of the loop
// is four rounds, the message schedule four words at a time (SHA256MSG1, + W[t-7], MSG2).
__attribute__((target("sha,sse4.1,ssse3"))) void blocks_sha_ni(std::uint32_t* state,
                                                               const unsigned char* blocks,
                                                               std::size_t count) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));
  const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (; count > 0; --count, blocks += 64) {
    const __m128i abef_before = abef;
    const __m128i cdgh_before = cdgh;
    __m128i w[4];  // std::array would drop the vector type's alignment attribute
    for (std::size_t i = 0; i < 4; ++i)
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * i)),
                              byte_swap);
    for (std::size_t step = 0; step < 16; ++step) {
      __m128i& current = w[step % 4];
      if (step >= 4) {
        const __m128i& next = w[(step + 1) % 4];
        const __m128i& before_last = w[(step + 2) % 4];
        const __m128i& last = w[(step + 3) % 4];
        const __m128i partial = _mm_add_epi32(_mm_sha256msg1_epu32(current, next),
                                              _mm_alignr_epi8(last, before_last, 4));
        current = _mm_sha256msg2_epu32(partial, last);
      }
      __m128i words = _mm_add_epi32(
          current, _mm_load_si128(reinterpret_cast<const __m128i*>(kRound.data() + 4 * step)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, words);
      words = _mm_shuffle_epi32(words, 0x0E);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, words);
    }
    abef = _mm_add_epi32(abef, abef_before);
    cdgh = _mm_add_epi32(cdgh, cdgh_before);
  }
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  dcba = _mm_blend_epi16(feba, dchg, 0xF0);
  hgfe = _mm_alignr_epi8(dchg, feba, 8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), dcba);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), hgfe);
}

#elif defined(CPPSTACK_SHA256_ARMV8)

bool cpu_has_sha2() { return (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0; }

// Four rounds a step (SHA256H, SHA256H2), the message schedule four words at a time
// (SHA256SU0, SHA256SU1).
__attribute__((target("+crypto"))) void blocks_armv8(std::uint32_t* state,
                                                     const unsigned char* blocks,
                                                     std::size_t count) {
  uint32x4_t abcd = vld1q_u32(state);
  uint32x4_t efgh = vld1q_u32(state + 4);
  for (; count > 0; --count, blocks += 64) {
    const uint32x4_t abcd_before = abcd;
    const uint32x4_t efgh_before = efgh;
    uint32x4_t w[4];  // std::array would drop the vector type's attributes
    for (std::size_t i = 0; i < 4; ++i)
      w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(blocks + 16 * i)));
    for (std::size_t step = 0; step < 16; ++step) {
      uint32x4_t& current = w[step % 4];
      if (step >= 4)
        current = vsha256su1q_u32(vsha256su0q_u32(current, w[(step + 1) % 4]), w[(step + 2) % 4],
                                  w[(step + 3) % 4]);
      const uint32x4_t words = vaddq_u32(current, vld1q_u32(kRound.data() + 4 * step));
      const uint32x4_t abcd_step = abcd;
      abcd = vsha256hq_u32(abcd, efgh, words);
      efgh = vsha256h2q_u32(efgh, abcd_step, words);
    }
    abcd = vaddq_u32(abcd, abcd_before);
    efgh = vaddq_u32(efgh, efgh_before);
  }
  vst1q_u32(state, abcd);
  vst1q_u32(state + 4, efgh);
}

#endif

std::vector<Sha256Engine> detect_engines() {
  std::vector<Sha256Engine> engines{{"portable", blocks_portable}};
#if defined(__x86_64__)
  if (cpu_has_sha_ni()) engines.push_back({"x86-sha-ni", blocks_sha_ni});
#elif defined(CPPSTACK_SHA256_ARMV8)
  if (cpu_has_sha2()) engines.push_back({"armv8-sha2", blocks_armv8});
#endif
  return engines;
}

constexpr unsigned char kInnerPad = 0x36;
constexpr unsigned char kOuterPad = 0x5c;

/// A key block XOR `pad`: keys longer than a block are hashed first (RFC 2104).
std::array<char, 64> padded_key(std::string_view key, unsigned char pad) {
  std::array<char, 64> block{};
  Digest hashed{};
  if (key.size() > block.size()) {
    Sha256 hash;
    hash.update(key);
    hashed = hash.finish();
    key = std::string_view(reinterpret_cast<const char*>(hashed.data()), hashed.size());
  }
  if (!key.empty()) std::memcpy(block.data(), key.data(), key.size());
  for (char& byte : block) byte = static_cast<char>(static_cast<unsigned char>(byte) ^ pad);
  return block;
}

std::string_view view_of(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace

const std::vector<Sha256Engine>& sha256_engines() {
  static const std::vector<Sha256Engine> engines = detect_engines();
  return engines;
}

Sha256::Sha256(Sha256Blocks blocks) : blocks_(blocks), state_(kInitial) {}

void Sha256::update(std::string_view bytes) {
  if (bytes.empty()) return;  // its data() may be null, which memcpy must not see
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t size = bytes.size();
  length_ += size;
  if (pending_size_ > 0) {
    const std::size_t taken = std::min(size, pending_.size() - pending_size_);
    std::memcpy(pending_.data() + pending_size_, data, taken);
    pending_size_ += taken;
    data += taken;
    size -= taken;
    if (pending_size_ < pending_.size()) return;
    blocks_(state_.data(), pending_.data(), 1);
    pending_size_ = 0;
  }
  if (size >= 64) {
    blocks_(state_.data(), data, size / 64);
    data += size / 64 * 64;
    size %= 64;
  }
  if (size > 0) {
    std::memcpy(pending_.data(), data, size);
    pending_size_ = size;
  }
}

Digest Sha256::finish() {
  // 0x80, zeros to 56 bytes mod 64, then the length in bits as a big-endian 64-bit number.
  const std::uint64_t bits = length_ * 8;
  std::array<unsigned char, 128> tail{};
  std::memcpy(tail.data(), pending_.data(), pending_size_);
  tail[pending_size_] = 0x80;
  const std::size_t tail_size = pending_size_ < 56 ? 64 : 128;
  for (std::size_t i = 0; i < 8; ++i)
    tail[tail_size - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  blocks_(state_.data(), tail.data(), tail_size / 64);
  Digest digest{};
  for (std::size_t i = 0; i < 8; ++i) {
    digest[4 * i] = static_cast<unsigned char>(state_[i] >> 24U);
    digest[4 * i + 1] = static_cast<unsigned char>(state_[i] >> 16U);
    digest[4 * i + 2] = static_cast<unsigned char>(state_[i] >> 8U);
    digest[4 * i + 3] = static_cast<unsigned char>(state_[i]);
  }
  return digest;
}

HmacSha256::HmacSha256(std::string_view key) {
  const std::array<char, 64> inner_block = padded_key(key, kInnerPad);
  const std::array<char, 64> outer_block = padded_key(key, kOuterPad);
  inner_.update({inner_block.data(), inner_block.size()});
  outer_.update({outer_block.data(), outer_block.size()});
}

Digest HmacSha256::mac(std::string_view data) const {
  Sha256 inner = inner_;
  inner.update(data);
  const Digest inner_digest = inner.finish();
  Sha256 outer = outer_;
  outer.update(view_of(inner_digest));
  return outer.finish();
}

std::string sha256(std::string_view bytes) {
  Sha256 hash;
  hash.update(bytes);
  const Digest digest = hash.finish();
  return std::string(view_of(digest));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return std::string(view_of(HmacSha256(key).mac(data)));
}

std::string hex(std::string_view bytes) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto value = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = digits[value >> 4U];
    out[2 * i + 1] = digits[value & 0x0FU];
  }
  return out;
}

std::string hex(const Digest& digest) { return hex(view_of(digest)); }

}  // namespace cppstack::aws::detail
