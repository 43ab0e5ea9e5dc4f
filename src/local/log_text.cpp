#include <cppstack/local/log_text.hpp>
#include <cstdint>

namespace cppstack::local {

namespace {

void append_byte_escape(std::string& out, unsigned char byte) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out.append("\\x");
  out.push_back(hex[byte >> 4U]);
  out.push_back(hex[byte & 0xFU]);
}

/// Length of the valid UTF-8 sequence at the start of `text` and its code point; length 0
/// when the first byte does not start one (overlong forms, surrogates and values over
/// U+10FFFF are not valid, RFC 3629 section 4).
std::pair<std::size_t, std::uint32_t> utf8_sequence(std::string_view text) {
  const auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  std::uint32_t code = 0;
  std::uint32_t minimum = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1FU;
    minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0FU;
    minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07U;
    minimum = 0x10000;
  } else {
    return {0, 0};
  }
  if (text.size() < length) return {0, 0};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0U) != 0x80U) return {0, 0};
    code = (code << 6U) | (byte(i) & 0x3FU);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {0, 0};
  return {length, code};
}

/// Code points that end a line or reorder text on a terminal although they are valid UTF-8.
bool is_hidden_control(std::uint32_t code) {
  return (code >= 0x80 && code <= 0x9F) || code == 0x2028 || code == 0x2029 ||
         (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069);
}

}  // namespace

void append_escaped_log_text(std::string& out, std::string_view text, TabPolicy tabs) {
  out.reserve(out.size() + text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7F) {
      if (byte == '\\' && i + 1 < text.size() && text[i + 1] == 'x') {
        append_byte_escape(out, byte);
      } else {
        out.push_back(static_cast<char>(byte));
      }
      ++i;
      continue;
    }
    if (byte < 0x80) {  // C0 controls and DEL
      if (byte == '\t' && tabs == TabPolicy::keep) {
        out.push_back('\t');
      } else {
        append_byte_escape(out, byte);
      }
      ++i;
      continue;
    }
    const auto [length, code] = utf8_sequence(text.substr(i));
    if (length == 0) {
      append_byte_escape(out, byte);
      ++i;
      continue;
    }
    if (is_hidden_control(code)) {
      for (std::size_t k = 0; k < length; ++k) {
        append_byte_escape(out, static_cast<unsigned char>(text[i + k]));
      }
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
}

std::string escape_log_text(std::string_view text, TabPolicy tabs) {
  std::string out;
  append_escaped_log_text(out, text, tabs);
  return out;
}

}  // namespace cppstack::local
