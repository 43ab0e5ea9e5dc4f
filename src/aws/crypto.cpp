#include "crypto.hpp"

#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

#include <array>
#include <stdexcept>

namespace cppstack::aws::detail {

namespace {
const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}
}  // namespace

std::string sha256(std::string_view bytes) {
  std::array<unsigned char, 32> digest{};
  if (mbedtls_sha256_ret(bytes_of(bytes), bytes.size(), digest.data(), 0) != 0)
    throw std::runtime_error("SHA-256 failed");
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> mac{};
  if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), bytes_of(key), key.size(),
                      bytes_of(data), data.size(), mac.data()) != 0)
    throw std::runtime_error("HMAC-SHA256 failed");
  return {reinterpret_cast<const char*>(mac.data()), mac.size()};
}

std::string hex(std::string_view bytes) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    out += digits[value >> 4U];
    out += digits[value & 0x0FU];
  }
  return out;
}

}  // namespace cppstack::aws::detail
