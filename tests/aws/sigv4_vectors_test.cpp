// The aws4_testsuite vectors (AWS's published SigV4 test suite, as kept in botocore's test
// tree; Apache-2.0, see aws4_testsuite/LICENSE and NOTICE), read as data: each .req is signed
// and its canonical request, string to sign and Authorization compared with .creq, .sts and
// .authz.
#include <gtest/gtest.h>

#include <cppstack/aws/sigv4.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using cppstack::aws::Credentials;
using cppstack::aws::RequestToSign;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct ParsedRequest {
  std::string method;
  std::string path;
  std::string query;
  std::vector<cppstack::aws::Header> headers;
  std::string body;
};

// A .req file: request line, Name:value header lines (a line starting with white space
// continues the previous value), an empty line, the body.
ParsedRequest parse_request(const std::string& text) {
  ParsedRequest request;
  std::size_t position = text.find('\n');
  const std::string line = text.substr(0, position);
  const std::size_t space = line.find(' ');
  const std::size_t version = line.rfind(" HTTP/");
  request.method = line.substr(0, space);
  const std::string target = line.substr(space + 1, version - space - 1);
  const std::size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) request.query = target.substr(question + 1);
  while (position != std::string::npos && position + 1 <= text.size()) {
    const std::size_t start = position + 1;
    position = text.find('\n', start);
    const std::string header =
        text.substr(start, position == std::string::npos ? std::string::npos : position - start);
    if (header.empty()) {
      if (position != std::string::npos) request.body = text.substr(position + 1);
      break;
    }
    if (header.front() == ' ' || header.front() == '\t') {
      request.headers.back().second += "\n" + header;
      continue;
    }
    const std::size_t colon = header.find(':');
    request.headers.emplace_back(header.substr(0, colon), header.substr(colon + 1));
  }
  return request;
}

std::vector<fs::path> vector_directories() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(AWS4_TESTSUITE)) {
    if (entry.path().extension() == ".req") out.push_back(entry.path().parent_path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Aws4TestSuite : public testing::TestWithParam<fs::path> {};

TEST_P(Aws4TestSuite, SignsAsTheVectorSays) {
  const fs::path directory = GetParam();
  const fs::path base = directory / directory.filename();
  ParsedRequest parsed = parse_request(read_file(base.string() + ".req"));
  // get-vanilla-with-session-token signs a token its .req leaves out (a client adds it from
  // its credentials): take it from the signed request, .sreq.
  const std::string expected_canonical = read_file(base.string() + ".creq");
  const auto has_header = [&parsed](std::string_view name) {
    return std::any_of(parsed.headers.begin(), parsed.headers.end(), [name](const auto& header) {
      return header.first.size() == name.size() &&
             std::equal(name.begin(), name.end(), header.first.begin(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    });
  };
  if (expected_canonical.find("x-amz-security-token:") != std::string::npos &&
      !has_header("X-Amz-Security-Token")) {
    for (const auto& header : parse_request(read_file(base.string() + ".sreq")).headers)
      if (header.first == "X-Amz-Security-Token") parsed.headers.push_back(header);
  }
  const RequestToSign request{.method = parsed.method,
                              .path = parsed.path,
                              .query = parsed.query,
                              .headers = parsed.headers,
                              .payload_hash = cppstack::aws::sha256_hex(parsed.body)};
  const Credentials credentials{.access_key_id = "AKIDEXAMPLE",
                                .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
  const auto signature = cppstack::aws::sign(
      request, credentials,
      {.region = "us-east-1", .service = "service", .amz_date = "20150830T123600Z"});
  EXPECT_EQ(signature.canonical_request, expected_canonical);
  EXPECT_EQ(signature.string_to_sign, read_file(base.string() + ".sts"));
  EXPECT_EQ(signature.authorization, read_file(base.string() + ".authz"));
}

INSTANTIATE_TEST_SUITE_P(Vectors, Aws4TestSuite, testing::ValuesIn(vector_directories()),
                         [](const testing::TestParamInfo<fs::path>& param) {
                           std::string name = param.param.filename().string();
                           for (char& c : name)
                             if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
                           return name;
                         });

TEST(Aws4TestSuite, FindsEveryVector) { EXPECT_EQ(vector_directories().size(), 34U); }

TEST(UriEncode, KeepsUnreservedAndEncodesTheRestInUpperCase) {
  EXPECT_EQ(cppstack::aws::uri_encode("a-_.~Z9 /+*é"), "a-_.~Z9%20%2F%2B%2A%C3%A9");
  EXPECT_EQ(cppstack::aws::uri_encode("a b/c", true), "a%20b/c");
}

TEST(AmzDate, FormatsUtc) {
  EXPECT_EQ(cppstack::aws::amz_date(std::chrono::system_clock::from_time_t(1440938160)),
            "20150830T123600Z");
}

}  // namespace
