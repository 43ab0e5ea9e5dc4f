// HTTPS through mbedTLS against a loopback TLS server with certificates made for the test
// (the right one accepted; another name's or an untrusted one refused), the CA bundle from
// SSL_CERT_FILE; and the stub resolver against a DNS server on loopback.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cppstack/aws/dynamodb.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "local_services.hpp"
#include "resolver_config.hpp"
#include "scripted_server.hpp"
#include "tls.hpp"

namespace {

using namespace cppstack::aws;
using cppstack::aws::testing::HelperProcess;

struct Thing {
  std::string id;
};
BOOST_DESCRIBE_STRUCT(Thing, (), (id))

/// A CA, certificates for localhost and for another name signed by it, and a self-signed one.
class Certificates {
 public:
  Certificates() {
    char pattern[] = "/tmp/cppstack-aws-tls-XXXXXX";
    directory_ = ::mkdtemp(pattern);
    const std::string d = directory_.string();
    const std::string script =
        "set -e; cd " + d +
        "; "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "  -subj /CN=test-ca -keyout ca.key -out ca.pem "
        "  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
        "2>/dev/null; "
        "for name in localhost other.example; do "
        "  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=$name "
        "    -keyout $name.key -out $name.csr 2>/dev/null; "
        "  echo subjectAltName=DNS:$name > $name.ext; "
        "  openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "    -extfile $name.ext -out $name.pem 2>/dev/null; "
        "done; "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "  -subj /CN=localhost -addext subjectAltName=DNS:localhost "
        "  -keyout untrusted.key -out untrusted.pem 2>/dev/null";
    std::ofstream(directory_ / "make.sh") << script;
    if (std::system(("bash " + (directory_ / "make.sh").string()).c_str()) != 0)
      throw std::runtime_error("openssl could not make the test certificates");
  }
  ~Certificates() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  Certificates(const Certificates&) = delete;
  Certificates& operator=(const Certificates&) = delete;
  [[nodiscard]] std::string path(const std::string& name) const {
    return (directory_ / name).string();
  }

 private:
  std::filesystem::path directory_;
};

std::unique_ptr<Certificates> certificates;

class TlsEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    certificates = std::make_unique<Certificates>();
    // Read once, on the first https connection of the process.
    ::setenv("SSL_CERT_FILE", certificates->path("ca.pem").c_str(), 1);
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    ::setenv("AWS_REGION", "eu-west-1", 1);
    ::setenv("TABLE_THINGS", "things", 1);
  }
  void TearDown() override { certificates.reset(); }
};
const auto* const environment = ::testing::AddGlobalTestEnvironment(new TlsEnvironment);

HelperProcess tls_server(const std::string& certificate) {
  return HelperProcess({"python3", TLS_SERVER, certificates->path(certificate + ".pem"),
                        certificates->path(certificate + ".key")});
}

std::optional<Thing> get_from(std::uint16_t port) {
  ::setenv("AWS_ENDPOINT_URL_DYNAMODB", ("https://localhost:" + std::to_string(port)).c_str(), 1);
  const DynamoDb client;
  return Table<Thing>("things", &client).get({{"id", "a"}});
}

TEST(Tls, TheBundleFromSslCertFileIsUsed) {
  EXPECT_EQ(detail::ca_bundle_path(), certificates->path("ca.pem"));
}

TEST(Tls, AVerifiedServerAnswers) {
  const auto server = tls_server("localhost");
  const auto thing = get_from(server.port());
  ASSERT_TRUE(thing);
  EXPECT_EQ(thing->id, "over-tls");
}

TEST(Tls, ACertificateForAnotherNameIsRefused) {
  const auto server = tls_server("other.example");
  try {
    (void)get_from(server.port());
    FAIL() << "a certificate for other.example was accepted for localhost";
  } catch (const NetworkError& error) {
    EXPECT_NE(std::string(error.what()).find("not trusted"), std::string::npos) << error.what();
  }
}

TEST(Tls, AnUntrustedCertificateIsRefused) {
  const auto server = tls_server("untrusted");
  try {
    (void)get_from(server.port());
    FAIL() << "a self-signed certificate was accepted";
  } catch (const NetworkError& error) {
    EXPECT_NE(std::string(error.what()).find("not trusted"), std::string::npos) << error.what();
  }
}

detail::Address loopback(std::uint16_t port) {
  detail::Address address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(port);
  v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.length = sizeof(sockaddr_in);
  return address;
}

std::string text_of(const detail::Address& address) {
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address.storage);
  const std::uint32_t ip = ntohl(v4->sin_addr.s_addr);
  return std::to_string(ip >> 24U) + "." + std::to_string((ip >> 16U) & 0xFFU) + "." +
         std::to_string((ip >> 8U) & 0xFFU) + "." + std::to_string(ip & 0xFFU) + ":" +
         std::to_string(ntohs(v4->sin_port));
}

class Dns : public ::testing::Test {
 protected:
  void TearDown() override { detail::set_resolver_config({}); }
};

TEST_F(Dns, NamesResolveThroughTheConfiguredServer) {
  const HelperProcess dns({"python3", DNS_SERVER, "dynamo.test=127.0.0.1", "s3.test=10.1.2.3"});
  detail::set_resolver_config({.hosts_path = "/dev/null", .servers = {loopback(dns.port())}});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const auto found = detail::resolve("s3.test", 443, deadline);
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(text_of(found[0]), "10.1.2.3:443");
  EXPECT_THROW((void)detail::resolve("missing.test", 443, deadline), NetworkError);
  // Numeric addresses need no server.
  EXPECT_EQ(text_of(detail::resolve("127.0.0.1", 80, deadline).at(0)), "127.0.0.1:80");
}

TEST_F(Dns, TheClientReachesAServiceByName) {
  const HelperProcess dns({"python3", DNS_SERVER, "dynamo.test=127.0.0.1"});
  detail::set_resolver_config({.hosts_path = "/dev/null", .servers = {loopback(dns.port())}});
  cppstack::aws::testing::ScriptedServer server;
  server.script({{.status = 200, .body = R"({"Item":{"id":{"S":"by-name"}}})"}});
  ::setenv("AWS_ENDPOINT_URL_DYNAMODB",
           ("http://dynamo.test:" + std::to_string(server.port())).c_str(), 1);
  const DynamoDb client;
  EXPECT_EQ(Table<Thing>("things", &client).get({{"id", "a"}})->id, "by-name");
  EXPECT_NE(server.last_request().find("Host: dynamo.test:"), std::string::npos);
}

TEST_F(Dns, LocalhostIsTheLoopbackWithoutAHostsEntryOrAServer) {
  // RFC 6761, section 6.3: localhost names resolve to the loopback address and are never sent
  // to a name server. The configured server here is a port nobody serves: a query would time
  // out, and /dev/null lists no name.
  detail::set_resolver_config({.hosts_path = "/dev/null",
                               .servers = {loopback(9)},
                               .attempt_timeout = std::chrono::milliseconds(100)});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  const auto found = detail::resolve("LocalHost", 4566, deadline);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(text_of(found[0]), "127.0.0.1:4566");
  EXPECT_EQ(found[1].storage.ss_family, AF_INET6);
  EXPECT_EQ(text_of(detail::resolve("s3.localhost.", 80, deadline).at(0)), "127.0.0.1:80");
  EXPECT_THROW((void)detail::resolve("localhost.example", 80, deadline), TimeoutError);
}

TEST_F(Dns, NoAnswerIsATimeout) {
  // A UDP port nobody serves.
  detail::set_resolver_config({.hosts_path = "/dev/null",
                               .servers = {loopback(9)},
                               .attempt_timeout = std::chrono::milliseconds(100)});
  EXPECT_THROW((void)detail::resolve("dynamo.test", 80,
                                     std::chrono::steady_clock::now() + std::chrono::seconds(1)),
               TimeoutError);
}

}  // namespace
