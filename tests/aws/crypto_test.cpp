// SHA-256 and HMAC-SHA256 of the client: every block function this CPU can run (portable,
// SHA-NI, Armv8 SHA2) against FIPS 180-4's and RFC 4231's published digests, and against
// mbedTLS's SHA-256 for every length around the block and padding boundaries, whole and fed in
// pieces.
#include <gtest/gtest.h>
#include <mbedtls/sha256.h>

#include <random>

#include "crypto.hpp"

namespace cppstack::aws::detail {
namespace {

std::string digest_hex(const Sha256Engine& engine, std::string_view bytes) {
  Sha256 hash(engine.blocks);
  hash.update(bytes);
  return hex(hash.finish());
}

std::string mbedtls_hex(std::string_view bytes) {
  std::array<unsigned char, 32> digest{};
  EXPECT_EQ(mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                               digest.data(), 0),
            0);
  return hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string from_hex_bytes(unsigned char byte, std::size_t count) {
  return std::string(count, static_cast<char>(byte));
}

TEST(Sha256, TheEngineInUseIsTheLastDetected) {
  const auto& engines = sha256_engines();
  ASSERT_FALSE(engines.empty());
  EXPECT_EQ(engines.front().name, "portable");
  std::cout << "SHA-256 engines on this CPU:";
  for (const auto& engine : engines) std::cout << ' ' << engine.name;
  std::cout << '\n';
}

TEST(Sha256, EveryEngineGivesFips180Digests) {
  // FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values": SHA256.pdf,
  // SHA256_2.pdf) and the empty message.
  const std::string million(1000000, 'a');
  const std::vector<std::pair<std::string_view, std::string_view>> vectors = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"}};
  for (const auto& engine : sha256_engines())
    for (const auto& [message, expected] : vectors)
      EXPECT_EQ(digest_hex(engine, message), expected)
          << engine.name << ", " << message.size() << " bytes";
}

TEST(Sha256, EveryEngineAgreesWithMbedTlsAtEveryLengthAndSplit) {
  std::mt19937 random(20261207);
  std::string bytes(1100, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  for (const auto& engine : sha256_engines()) {
    for (std::size_t length = 0; length <= bytes.size(); ++length) {
      const std::string_view message(bytes.data(), length);
      const std::string expected = mbedtls_hex(message);
      ASSERT_EQ(digest_hex(engine, message), expected) << engine.name << ", " << length;
      // The same bytes in uneven pieces: the pending partial block is carried correctly.
      Sha256 pieces(engine.blocks);
      for (std::size_t at = 0; at < length;) {
        const std::size_t piece = std::min<std::size_t>(length - at, 1 + random() % 97);
        pieces.update(message.substr(at, piece));
        at += piece;
      }
      ASSERT_EQ(hex(pieces.finish()), expected) << engine.name << ", pieces of " << length;
    }
  }
}

TEST(HmacSha256, Rfc4231TestCases) {
  // RFC 4231, section 4: test cases 1, 2, 3 and 6 (a key longer than the block is hashed).
  EXPECT_EQ(hex(hmac_sha256(from_hex_bytes(0x0b, 20), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac_sha256(from_hex_bytes(0xaa, 20), from_hex_bytes(0xdd, 50))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  EXPECT_EQ(hex(hmac_sha256(from_hex_bytes(0xaa, 131),
                            "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, AKeyUsedAgainGivesTheSameMacs) {
  const HmacSha256 key("a signing key of 32 bytes exactly");
  for (const std::string_view message :
       {"", "one", "a longer message, over one block of sixty-four bytes in all"}) {
    EXPECT_EQ(hex(key.mac(message)),
              hex(hmac_sha256("a signing key of 32 bytes exactly", message)));
    EXPECT_EQ(hex(key.mac(message)), hex(key.mac(message)));
  }
}

}  // namespace
}  // namespace cppstack::aws::detail
