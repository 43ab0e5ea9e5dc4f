#include <cppstack/observability/utf8.hpp>

namespace cppstack::observability {
namespace {

// Length of the valid UTF-8 sequence at text[0], or 0 with `invalid_length` set to the bytes
// that form the maximal invalid subpart (Unicode 15, table 3-7 and section 3.9).
std::size_t utf8_sequence_length(std::string_view text, std::size_t& invalid_length) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return 1;
  std::size_t continuation_bytes = 0;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation_bytes = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation_bytes = 2;
    if (lead == 0xE0) second_low = 0xA0;   // overlong
    if (lead == 0xED) second_high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuation_bytes = 3;
    if (lead == 0xF0) second_low = 0x90;   // overlong
    if (lead == 0xF4) second_high = 0x8F;  // beyond U+10FFFF
  } else {
    invalid_length = 1;
    return 0;
  }
  for (std::size_t index = 1; index <= continuation_bytes; ++index) {
    if (index >= text.size()) {
      invalid_length = index;
      return 0;
    }
    const auto byte = static_cast<unsigned char>(text[index]);
    const unsigned char low = index == 1 ? second_low : 0x80;
    const unsigned char high = index == 1 ? second_high : 0xBF;
    if (byte < low || byte > high) {
      invalid_length = index;
      return 0;
    }
  }
  return continuation_bytes + 1;
}

}  // namespace

std::string to_valid_utf8(std::string_view text) {
  std::size_t position = 0;
  std::size_t invalid_length = 0;
  while (position < text.size()) {
    const std::size_t length = utf8_sequence_length(text.substr(position), invalid_length);
    if (length == 0) break;
    position += length;
  }
  if (position == text.size()) return std::string(text);

  static constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";
  std::string repaired;
  repaired.reserve(text.size() + 16);
  repaired.append(text.substr(0, position));
  while (position < text.size()) {
    const std::size_t length = utf8_sequence_length(text.substr(position), invalid_length);
    if (length == 0) {
      repaired.append(kReplacementCharacter);
      position += invalid_length;
    } else {
      repaired.append(text.substr(position, length));
      position += length;
    }
  }
  return repaired;
}

}  // namespace cppstack::observability
