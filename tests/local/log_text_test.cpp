// The one escaping of the emulator's lines: nothing a client, a token or a function sends can
// start a line of its own, drive the terminal, or make an escape ambiguous.

#include <gtest/gtest.h>

#include <cppstack/local/log_text.hpp>
#include <string>

namespace cppstack::local {
namespace {

// Recovers the original bytes: every `\xHH` is an escape (log_text.hpp).
std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x') {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 2, 2)), nullptr, 16)));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool has_raw_control(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

TEST(LogText, PrintableAsciiAndValidUtf8AreKept) {
  EXPECT_EQ(escape_log_text("GET /prod/v1/ 200 (0.52 ms)"), "GET /prod/v1/ 200 (0.52 ms)");
  EXPECT_EQ(escape_log_text("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(escape_log_text(R"({"a":"b\"c\\d\n"})"), R"({"a":"b\"c\\d\n"})");
}

TEST(LogText, C0ControlsAndDelAreEscaped) {
  EXPECT_EQ(escape_log_text("kid\nGET / 200\r\x1B[2J\x7F"), "kid\\x0AGET / 200\\x0D\\x1B[2J\\x7F");
  EXPECT_EQ(escape_log_text(std::string_view("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_log_text("a\tb"), "a\\x09b");
  EXPECT_EQ(escape_log_text("a\tb", TabPolicy::keep), "a\tb");
  EXPECT_EQ(escape_log_text("a\nb", TabPolicy::keep), "a\\x0Ab");
}

TEST(LogText, C1ControlsAndLineSeparatorsAreEscaped) {
  // Raw C1 bytes are not UTF-8; U+0085 (NEL), U+009B (CSI), U+2028, U+2029 are, and still end
  // lines or start escape sequences on some terminals and viewers.
  EXPECT_EQ(escape_log_text("a\x85"
                            "b\x9B"
                            "c"),
            "a\\x85b\\x9Bc");
  EXPECT_EQ(escape_log_text("a\xC2\x85"
                            "b\xC2\x9B"
                            "c"),
            "a\\xC2\\x85b\\xC2\\x9Bc");
  EXPECT_EQ(escape_log_text("a\xE2\x80\xA8"
                            "b\xE2\x80\xA9"
                            "c"),
            "a\\xE2\\x80\\xA8b\\xE2\\x80\\xA9c");
  // Bidirectional overrides reorder what the terminal shows.
  EXPECT_EQ(escape_log_text("a\xE2\x80\xAE"
                            "b"),
            "a\\xE2\\x80\\xAEb");
}

TEST(LogText, InvalidUtf8IsEscapedByteByByte) {
  EXPECT_EQ(escape_log_text("\xC0\xAF"), "\\xC0\\xAF");                    // overlong '/'
  EXPECT_EQ(escape_log_text("\xED\xA0\x80"), "\\xED\\xA0\\x80");           // a surrogate
  EXPECT_EQ(escape_log_text("\xF4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // over U+10FFFF
  EXPECT_EQ(escape_log_text("\xE2\x82"), "\\xE2\\x82");                    // cut short
  EXPECT_EQ(escape_log_text("\xFF"
                            "a"),
            "\\xFFa");
}

TEST(LogText, ALiteralBackslashXCannotPassForAnEscape) {
  // A client sending the four characters \x0A must not look like an escaped newline.
  const std::string escaped = escape_log_text("\\x0A");
  EXPECT_EQ(escaped, "\\x5Cx0A");
  EXPECT_EQ(unescape(escaped), "\\x0A");
}

TEST(LogText, EveryByteRoundTripsAndNoControlSurvives) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) {
    all.push_back(static_cast<char>(byte));
    all.append("\\x");
  }
  all.append("\xC2\x85\xE2\x80\xA8\\");
  const std::string escaped = escape_log_text(all);
  EXPECT_FALSE(has_raw_control(escaped));
  EXPECT_EQ(escaped.find("\xC2\x85"), std::string::npos);
  EXPECT_EQ(escaped.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(unescape(escaped), all);
}

}  // namespace
}  // namespace cppstack::local
