// The router's path templates: the first line is a template, the second a request path. A
// template either parses or throws; matching never fails badly, and a match of a template
// without parameters means the path names it.

#include <cppstack/http/path_template.hpp>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto newline = text.find('\n');
  const auto template_text = text.substr(0, newline);
  const auto path =
      newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  try {
    const auto path_template = cppstack::http::PathTemplate::parse(template_text);
    cppstack::events::StringMap parameters;
    (void)path_template.match(path, parameters);
    (void)path_template.more_specific_than(path_template);
  } catch (const std::exception&) {
  }
  return 0;
}
