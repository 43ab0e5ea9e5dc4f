#include <gtest/gtest.h>

#include <cppstack/events/base64.hpp>
#include <string>
#include <string_view>

namespace {

using cppstack::events::base64_decode;
using cppstack::events::base64_encode;
using namespace std::string_literals;

struct Vector {
  std::string_view bytes;
  std::string_view text;
};

// RFC 4648, section 10.
constexpr Vector rfc4648_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesRfc4648Vectors) {
  for (const Vector& vector : rfc4648_vectors) {
    EXPECT_EQ(base64_encode(vector.bytes), vector.text) << "input: " << vector.bytes;
  }
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const Vector& vector : rfc4648_vectors) {
    EXPECT_EQ(base64_decode(vector.text), std::string(vector.bytes)) << "input: " << vector.text;
  }
}

TEST(Base64, UsesPlusAndSlashForTheLastTwoSextets) {
  EXPECT_EQ(base64_encode("\xfb\xff\xbf"s), "+/+/");
  EXPECT_EQ(base64_decode("+/+/"), "\xfb\xff\xbf"s);
}

TEST(Base64, RoundTripsEveryByteValueAtEveryLength) {
  std::string bytes;
  for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
  for (std::size_t length = 0; length <= bytes.size(); ++length) {
    const std::string_view prefix(bytes.data(), length);
    const std::string text = base64_encode(prefix);
    ASSERT_EQ(text.size(), (length + 2) / 3 * 4);
    const auto decoded = base64_decode(text);
    ASSERT_TRUE(decoded.has_value()) << text;
    EXPECT_EQ(*decoded, prefix) << "length " << length;
  }
}

TEST(Base64, KeepsEmbeddedNulBytes) {
  const std::string bytes("\0a\0"s);
  EXPECT_EQ(base64_encode(bytes), "AGEA");
  EXPECT_EQ(base64_decode("AGEA"), bytes);
}

TEST(Base64, RejectsInvalidInput) {
  const std::string_view invalid_inputs[] = {
      "Zg",              // unpadded
      "Zg=",             // length not a multiple of 4
      "Zm9vY",           // length not a multiple of 4
      "Z===",            // three padding characters
      "====",            // padding only
      "=Zg=",            // padding first
      "Zg==Zg==",        // padding in the middle
      "Zm=v",            // padding inside a quad
      "Zm9v!A==",        // character outside the alphabet
      "Zm 9",            // whitespace
      "Zm9\n",           // line break (MIME style is not accepted)
      "Zm9vYm\r\nZm9v",  // line break inside the text
      "Zm-_",            // URL-safe alphabet
      "Zm\xc3\xa9",      // non-ASCII bytes
  };
  for (std::string_view text : invalid_inputs) {
    EXPECT_FALSE(base64_decode(text).has_value()) << "accepted: " << text;
  }
}

TEST(Base64, RejectsNulInsideText) { EXPECT_FALSE(base64_decode("Zm\0v"s).has_value()); }

}  // namespace
