#include "crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <cppstack/events/base64.hpp>
#include <memory>
#include <vector>

namespace cppstack::local::auth {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* pointer) const noexcept { Free(pointer); }
};
using PkeyPointer = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyContextPointer = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using DigestContextPointer = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBuilderPointer =
    std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPointer = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using BignumPointer = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

BignumPointer bignum(std::string_view big_endian) {
  return BignumPointer(
      BN_bin2bn(bytes_of(big_endian), static_cast<int>(big_endian.size()), nullptr));
}

PkeyPointer rsa_public_key(std::string_view modulus, std::string_view exponent) {
  const BignumPointer n = bignum(modulus);
  const BignumPointer e = bignum(exponent);
  const ParamBuilderPointer builder(OSSL_PARAM_BLD_new());
  if (!n || !e || !builder ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    return nullptr;
  }
  const ParamsPointer params(OSSL_PARAM_BLD_to_param(builder.get()));
  const PkeyContextPointer context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1) return nullptr;
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  return PkeyPointer(key);
}

}  // namespace

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    text.push_back(digits[value >> 4]);
    text.push_back(digits[value & 0xf]);
  }
  return text;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(bytes_of(bytes), bytes.size(), digest);
  return hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(), digest,
       &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string standard(text);
  for (char& character : standard) {
    if (character == '-') {
      character = '+';
    } else if (character == '_') {
      character = '/';
    } else if (character == '+' || character == '/' || character == '=') {
      return std::nullopt;  // not the URL alphabet, or padded
    }
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  while (standard.size() % 4 != 0) standard.push_back('=');
  return events::base64_decode(standard);
}

bool rs256_verify(std::string_view modulus, std::string_view exponent, std::string_view data,
                  std::string_view signature) {
  const PkeyPointer key = rsa_public_key(modulus, exponent);
  const DigestContextPointer context(EVP_MD_CTX_new());
  if (!key || !context ||
      EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(context.get(), bytes_of(signature), signature.size(), bytes_of(data),
                          data.size()) == 1;
}

bool equal_in_constant_time(std::string_view left, std::string_view right) noexcept {
  return left.size() == right.size() && CRYPTO_memcmp(left.data(), right.data(), left.size()) == 0;
}

}  // namespace cppstack::local::auth
