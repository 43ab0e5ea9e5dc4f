#pragma once
// The one escaping every line the emulator writes goes through (its notices, access lines, the
// metrics view, the function's own lines): bytes a client, a token or a function controls can
// neither start a line of their own nor drive the terminal.
//
// As nginx escapes its access log, a byte that is a control or not text becomes `\xHH`:
// C0 controls, DEL, every byte of an invalid UTF-8 sequence, and the UTF-8 bytes of C1 controls
// (U+0080 to U+009F, U+0085 among them), the line and paragraph separators U+2028 and U+2029,
// and the bidirectional controls (U+202A to U+202E, U+2066 to U+2069) that reorder what a
// terminal shows. A backslash followed by `x` is written `\x5C`, so every `\xHH` in a line is
// an escape and the original bytes can be recovered. Valid UTF-8 text is kept as it is.
//
//   escape_log_text("kid \"a\nGET / 200\"")  // kid "a\x0AGET / 200"

#include <string>
#include <string_view>

namespace cppstack::local {

enum class TabPolicy {
  escape,  ///< a tab is a control like any other
  keep,    ///< a tab is kept: it separates the fields of a function's log line (CloudWatch)
};

/// `text` with every control, invalid UTF-8 byte and line or bidirectional separator escaped.
[[nodiscard]] std::string escape_log_text(std::string_view text,
                                          TabPolicy tabs = TabPolicy::escape);

/// Appends `escape_log_text(text, tabs)` to `out`.
void append_escaped_log_text(std::string& out, std::string_view text,
                             TabPolicy tabs = TabPolicy::escape);

}  // namespace cppstack::local
