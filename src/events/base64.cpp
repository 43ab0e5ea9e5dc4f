#include <array>
#include <cppstack/events/base64.hpp>
#include <cstdint>

namespace cppstack::events {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t invalid_sextet = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(invalid_sextet);
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<std::uint8_t>(alphabet[i])] = i;
  return table;
}

constexpr std::array<std::uint8_t, 256> decode_table = make_decode_table();

std::uint32_t sextet(char c) { return decode_table[static_cast<std::uint8_t>(c)]; }

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string text((bytes.size() + 2) / 3 * 4, '=');
  const auto* in = reinterpret_cast<const std::uint8_t*>(bytes.data());
  char* out = text.data();
  std::size_t remaining = bytes.size();
  for (; remaining >= 3; remaining -= 3, in += 3, out += 4) {
    const std::uint32_t triple = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
    out[0] = alphabet[triple >> 18];
    out[1] = alphabet[(triple >> 12) & 0x3f];
    out[2] = alphabet[(triple >> 6) & 0x3f];
    out[3] = alphabet[triple & 0x3f];
  }
  if (remaining == 1) {
    const std::uint32_t triple = std::uint32_t{in[0]} << 16;
    out[0] = alphabet[triple >> 18];
    out[1] = alphabet[(triple >> 12) & 0x3f];
  } else if (remaining == 2) {
    const std::uint32_t triple = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8);
    out[0] = alphabet[triple >> 18];
    out[1] = alphabet[(triple >> 12) & 0x3f];
    out[2] = alphabet[(triple >> 6) & 0x3f];
  }
  return text;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;

  std::string bytes(text.size() / 4 * 3 - padding, '\0');
  char* out = bytes.data();
  const std::size_t full_quads = padding == 0 ? text.size() / 4 : text.size() / 4 - 1;
  const char* in = text.data();
  for (std::size_t quad = 0; quad < full_quads; ++quad, in += 4, out += 3) {
    const std::uint32_t a = sextet(in[0]), b = sextet(in[1]), c = sextet(in[2]), d = sextet(in[3]);
    // Any invalid character sets the high bits, so one test covers all four.
    if (((a | b | c | d) & 0xc0) != 0) return std::nullopt;
    const std::uint32_t triple = (a << 18) | (b << 12) | (c << 6) | d;
    out[0] = static_cast<char>(triple >> 16);
    out[1] = static_cast<char>((triple >> 8) & 0xff);
    out[2] = static_cast<char>(triple & 0xff);
  }
  if (padding != 0) {
    const std::uint32_t a = sextet(in[0]), b = sextet(in[1]);
    const std::uint32_t c = padding == 2 ? 0 : sextet(in[2]);
    if (((a | b | c) & 0xc0) != 0) return std::nullopt;
    const std::uint32_t triple = (a << 18) | (b << 12) | (c << 6);
    out[0] = static_cast<char>(triple >> 16);
    if (padding == 1) out[1] = static_cast<char>((triple >> 8) & 0xff);
  }
  return bytes;
}

}  // namespace cppstack::events
