#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cppstack/local/local_auth.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "auth/crypto.hpp"

namespace cppstack::local {
namespace {

namespace fs = std::filesystem;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct BnFree {
  void operator()(BIGNUM* number) const { BN_free(number); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("local auth folder: " + what);
}

std::string read_file(const fs::path& file) {
  std::ifstream input(file, std::ios::binary);
  if (!input) fail("cannot read " + file.string());
  std::ostringstream text;
  text << input.rdbuf();
  return text.str();
}

// Writes `content` to `file` unless it exists, atomically: a complete temporary file is linked
// into place, so a concurrent writer's file wins whole or not at all. Returns the file's text.
std::string write_once(const fs::path& file, const std::string& content, mode_t mode) {
  if (fs::exists(file)) return read_file(file);
  const fs::path temporary =
      file.string() + ".tmp." + std::to_string(::getpid()) + "." +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  const int descriptor = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (descriptor < 0) fail("cannot create " + temporary.string());
  const bool written =
      ::write(descriptor, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(descriptor);
  if (written) (void)::link(temporary.c_str(), file.c_str());  // EEXIST: the other one won
  ::unlink(temporary.c_str());
  if (!written) fail("cannot write " + file.string());
  return read_file(file);
}

std::string random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    fail("no random bytes");
  }
  return bytes;
}

std::string random_text(std::size_t length, std::string_view alphabet) {
  std::string text;
  for (const char byte : random_bytes(length)) {
    text.push_back(alphabet[static_cast<unsigned char>(byte) % alphabet.size()]);
  }
  return text;
}

std::string base64url(std::string_view bytes) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string text;
  std::size_t index = 0;
  for (; index + 2 < bytes.size(); index += 3) {
    const auto triple = (static_cast<unsigned>(static_cast<unsigned char>(bytes[index])) << 16) |
                        (static_cast<unsigned>(static_cast<unsigned char>(bytes[index + 1])) << 8) |
                        static_cast<unsigned char>(bytes[index + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) text.push_back(alphabet[(triple >> shift) & 63]);
  }
  const std::size_t rest = bytes.size() - index;
  if (rest > 0) {
    unsigned triple = static_cast<unsigned>(static_cast<unsigned char>(bytes[index])) << 16;
    if (rest == 2)
      triple |= static_cast<unsigned>(static_cast<unsigned char>(bytes[index + 1])) << 8;
    text.push_back(alphabet[(triple >> 18) & 63]);
    text.push_back(alphabet[(triple >> 12) & 63]);
    if (rest == 2) text.push_back(alphabet[(triple >> 6) & 63]);
  }
  return text;
}

std::string generated_private_key_pem() {
  Pkey key(EVP_RSA_gen(2048));
  if (!key) fail("cannot generate an RSA key");
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("cannot write the RSA key");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

Pkey load_private_key(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail("the issuer's private key does not parse");
  return key;
}

std::string big_number(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) fail("not an RSA key");
  const std::unique_ptr<BIGNUM, BnFree> number(raw);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(number.get())), '\0');
  BN_bn2bin(number.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return bytes;
}

std::string key_id(const EVP_PKEY* key) {
  return auth::sha256_hex(big_number(key, OSSL_PKEY_PARAM_RSA_N)).substr(0, 32);
}

std::string jwks_of(const EVP_PKEY* key) {
  const boost::json::object jwk{{"alg", "RS256"},
                                {"e", base64url(big_number(key, OSSL_PKEY_PARAM_RSA_E))},
                                {"kid", key_id(key)},
                                {"kty", "RSA"},
                                {"n", base64url(big_number(key, OSSL_PKEY_PARAM_RSA_N))},
                                {"use", "sig"}};
  return boost::json::serialize(boost::json::object{{"keys", boost::json::array{jwk}}}) + "\n";
}

std::string rs256_sign(EVP_PKEY* key, std::string_view data) {
  const std::unique_ptr<EVP_MD_CTX, MdCtxFree> context(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    fail("cannot sign");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    fail("cannot sign");
  }
  signature.resize(size);
  return signature;
}

// A claim value given on the command line: JSON when it parses as JSON, else a string.
boost::json::value claim_value(const std::string& text) {
  boost::system::error_code error;
  auto value = boost::json::parse(text, error);
  if (error) return boost::json::string(text);
  return value;
}

// A stable UUID-shaped subject for a user name, as Cognito's sub claims look.
std::string subject_of(std::string_view username) {
  const std::string digest = auth::sha256_hex(username);
  return digest.substr(0, 8) + "-" + digest.substr(8, 4) + "-4" + digest.substr(13, 3) + "-8" +
         digest.substr(17, 3) + "-" + digest.substr(20, 12);
}

std::string join(const std::vector<std::string>& items, char separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text.push_back(separator);
    text += item;
  }
  return text;
}

}  // namespace

std::string local_user_pool_id(std::string_view region) {
  return std::string(region) + "_cppstackLocal";
}

std::vector<std::string> read_iam_credentials_file(const std::filesystem::path& file) {
  std::ifstream input(file);
  if (!input) throw std::runtime_error("cannot read IAM credentials file " + file.string());
  std::vector<std::string> credentials;
  std::string profile;
  std::string access_key;
  std::string secret;
  std::string session_token;
  const auto flush = [&] {
    if (!access_key.empty() && !secret.empty()) {
      credentials.push_back(access_key + ":" + secret + ":" + profile +
                            (session_token.empty() ? "" : ":" + session_token));
    }
    access_key.clear();
    secret.clear();
    session_token.clear();
  };
  const auto trim = [](std::string text) {
    text.erase(0, text.find_first_not_of(" \t"));
    text.erase(text.find_last_not_of(" \t\r") + 1);
    return text;
  };
  std::string line;
  while (std::getline(input, line)) {
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      flush();
      profile = trim(line.substr(1, line.size() - 2));
      continue;
    }
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    const std::string name = trim(line.substr(0, equals));
    const std::string value = trim(line.substr(equals + 1));
    if (name == "aws_access_key_id") access_key = value;
    if (name == "aws_secret_access_key") secret = value;
    if (name == "aws_session_token") session_token = value;
  }
  flush();
  if (credentials.empty()) {
    throw std::runtime_error("IAM credentials file " + file.string() +
                             " has no profile with aws_access_key_id and aws_secret_access_key");
  }
  return credentials;
}

LocalAuthFolder::LocalAuthFolder(std::filesystem::path directory)
    : directory_(std::move(directory)) {
  for (const char* sub : {"", "issuer", "api-keys", "iam"}) {
    const fs::path path = directory_ / sub;
    if (fs::exists(path)) continue;
    fs::create_directories(path);
    fs::permissions(path, fs::perms::owner_all);
  }
}

std::filesystem::path LocalAuthFolder::issuer_jwks() const {
  const std::string pem =
      write_once(directory_ / "issuer" / "private-key.pem", generated_private_key_pem(), 0600);
  auto jwks = directory_ / "issuer" / "jwks.json";
  (void)write_once(jwks, jwks_of(load_private_key(pem).get()), 0644);
  return jwks;
}

std::string LocalAuthFolder::mint_token(const TokenClaims& claims) const {
  (void)issuer_jwks();
  const Pkey key = load_private_key(read_file(directory_ / "issuer" / "private-key.pem"));
  const std::int64_t now = claims.issued_at != 0
                               ? claims.issued_at
                               : std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  boost::json::object payload{{"sub", subject_of(claims.username)}, {"iss", claims.issuer}};
  if (!claims.groups.empty()) {
    payload["cognito:groups"] = boost::json::array(claims.groups.begin(), claims.groups.end());
  }
  payload["origin_jti"] = auth::hex(random_bytes(16));
  payload["event_id"] = auth::hex(random_bytes(16));
  if (claims.access) {
    payload["client_id"] = claims.client_id;
    payload["token_use"] = "access";
    payload["scope"] =
        claims.scopes.empty() ? "aws.cognito.signin.user.admin" : join(claims.scopes, ' ');
    payload["username"] = claims.username;
  } else {
    payload["aud"] = claims.client_id;
    payload["token_use"] = "id";
    payload["cognito:username"] = claims.username;
    payload["email"] = claims.username + "@example.com";
    payload["email_verified"] = true;
  }
  payload["auth_time"] = now;
  payload["iat"] = now;
  payload["exp"] = now + claims.lifetime_seconds;
  payload["jti"] = auth::hex(random_bytes(16));
  for (const auto& [name, value] : claims.extra) payload[name] = claim_value(value);

  const std::string header =
      boost::json::serialize(boost::json::object{{"kid", key_id(key.get())}, {"alg", "RS256"}});
  const std::string signed_text =
      base64url(header) + "." + base64url(boost::json::serialize(payload));
  return signed_text + "." + base64url(rs256_sign(key.get(), signed_text));
}

void LocalAuthFolder::fill_key_values(ApiKeySettings& settings) const {
  for (auto& key : settings.keys) {
    if (!key.value.empty()) continue;
    key.value = write_once(directory_ / "api-keys" / key.name, auth::hex(random_bytes(20)), 0600);
    while (!key.value.empty() && (key.value.back() == '\n' || key.value.back() == '\r')) {
      key.value.pop_back();
    }
  }
}

std::filesystem::path LocalAuthFolder::iam_credentials_file() const {
  auto file = directory_ / "iam" / "credentials";
  if (fs::exists(file)) return file;
  std::string access_key = "AKIA";
  access_key += random_text(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  const std::string secret =
      random_text(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  std::string content = "[";
  content += local_iam_profile;
  content += "]\naws_access_key_id = ";
  content += access_key;
  content += "\naws_secret_access_key = ";
  content += secret;
  content += "\n";
  (void)write_once(file, content, 0600);
  return file;
}

std::filesystem::path LocalAuthFolder::iam_environment_file() const {
  const auto credentials = read_iam_credentials_file(iam_credentials_file());
  const std::string& first = credentials.front();
  const auto colon = first.find(':');
  const auto second_colon = first.find(':', colon + 1);
  auto file = directory_ / "iam" / "credentials.env";
  (void)write_once(file,
                   "AWS_ACCESS_KEY_ID=" + first.substr(0, colon) + "\nAWS_SECRET_ACCESS_KEY=" +
                       first.substr(colon + 1, second_colon - colon - 1) + "\n",
                   0600);
  return file;
}

}  // namespace cppstack::local
