// Reads a proxy event straight from the JSON text with Boost.JSON's push parser.
//
// The event is parsed on every invocation, inside a budget of a few microseconds. Building a
// DOM and then copying it into the event took about 30% longer than filling the event while the
// parser walks the text, so the handler below does the latter. proxy_event_from_json replays a
// DOM through the same handler: both entry points share one set of rules and messages.

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <cmath>
#include <cppstack/events/proxy_event.hpp>
#include <cstdint>
#include <utility>

#include "event_fields.hpp"

namespace cppstack::events {
namespace json = boost::json;
namespace {

using json::error_code;
using json::string_view;

enum class Frame : std::uint8_t {
  root,
  string_map,         // headers, queryStringParameters, pathParameters, stageVariables
  multi_value_map,    // multiValueHeaders, multiValueQueryStringParameters
  multi_value_array,  // the values of one multi-value entry
  request_context,
  identity,
};

enum class RootField : std::uint8_t {
  unknown,
  resource,
  path,
  http_method,
  headers,
  multi_value_headers,
  query_string_parameters,
  multi_value_query_string_parameters,
  path_parameters,
  stage_variables,
  request_context,
  body,
  is_base64_encoded,
};

struct RootFieldName {
  std::string_view name;
  RootField field;
};
constexpr RootFieldName root_field_names[] = {
    {"resource", RootField::resource},
    {"path", RootField::path},
    {"httpMethod", RootField::http_method},
    {"headers", RootField::headers},
    {"multiValueHeaders", RootField::multi_value_headers},
    {"queryStringParameters", RootField::query_string_parameters},
    {"multiValueQueryStringParameters", RootField::multi_value_query_string_parameters},
    {"pathParameters", RootField::path_parameters},
    {"stageVariables", RootField::stage_variables},
    {"requestContext", RootField::request_context},
    {"body", RootField::body},
    {"isBase64Encoded", RootField::is_base64_encoded},
};

// requestContext members beyond the plain strings of detail::context_string_fields.
constexpr int context_unknown = -1;
constexpr int context_request_time_epoch = -2;
constexpr int context_identity = -3;
constexpr int context_authorizer = -4;

// Field names differ mostly in length or first letter; checking those first keeps the
// byte comparison for the one real candidate.
bool same_name(std::string_view name, std::string_view key) {
  return name.size() == key.size() && !key.empty() && name.front() == key.front() && name == key;
}

enum class ValueKind : std::uint8_t { object, array, string, int64, other_number, boolean, null };

class EventHandler {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code&) {
    if (failed() || enter_passive_container()) return true;
    on_value(ValueKind::object);
    return true;
  }
  bool on_object_end(std::size_t size, error_code&) {
    if (failed() || leave_passive_container(size, ValueKind::object)) return true;
    leave_frame();
    return true;
  }
  bool on_array_begin(error_code&) {
    if (failed() || enter_passive_container()) return true;
    on_value(ValueKind::array);
    return true;
  }
  bool on_array_end(std::size_t size, error_code&) {
    if (failed() || leave_passive_container(size, ValueKind::array)) return true;
    leave_frame();
    return true;
  }

  bool on_key_part(string_view part, std::size_t, error_code&) {
    return dispatch([&](json::value_stack& capture) { capture.push_chars(part); },
                    [&] { partial_text_.append(part.data(), part.size()); });
  }
  bool on_key(string_view last_part, std::size_t, error_code&) {
    return dispatch([&](json::value_stack& capture) { capture.push_key(last_part); },
                    [&] {
                      on_key_text(complete_text(last_part));
                      partial_text_.clear();
                    });
  }
  bool on_string_part(string_view part, std::size_t, error_code&) {
    return dispatch([&](json::value_stack& capture) { capture.push_chars(part); },
                    [&] { partial_text_.append(part.data(), part.size()); });
  }
  bool on_string(string_view last_part, std::size_t, error_code&) {
    return dispatch([&](json::value_stack& capture) { capture.push_string(last_part); },
                    [&] {
                      on_value(ValueKind::string, complete_text(last_part));
                      partial_text_.clear();
                    });
  }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t number, string_view, error_code&) {
    return dispatch([&](json::value_stack& capture) { capture.push_int64(number); },
                    [&] { on_value(ValueKind::int64, {}, number); });
  }
  bool on_uint64(std::uint64_t number, string_view, error_code&) {
    return dispatch([&](json::value_stack& capture) { capture.push_uint64(number); },
                    [&] { on_value(ValueKind::other_number); });
  }
  bool on_double(double number, string_view, error_code&) {
    // Boost.JSON reads 1e400 as infinity, which no JSON writer can give back: refuse it here
    // rather than keep a value that would later be written as the non-JSON `Infinity`.
    if (!std::isfinite(number) && !failed() && skip_depth_ == 0 && authorizer_depth_ > 0) {
      fail("requestContext", "authorizer", "holds a number out of range");
      return true;
    }
    return dispatch([&](json::value_stack& capture) { capture.push_double(number); },
                    [&] { on_value(ValueKind::other_number); });
  }
  bool on_bool(bool flag, error_code&) {
    return dispatch([&](json::value_stack& capture) { capture.push_bool(flag); },
                    [&] { on_value(ValueKind::boolean, {}, 0, flag); });
  }
  bool on_null(error_code&) {
    return dispatch([&](json::value_stack& capture) { capture.push_null(); },
                    [&] { on_value(ValueKind::null); });
  }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

  /// True when a member had the wrong shape (the document may still be valid JSON).
  [[nodiscard]] bool has_shape_error() const { return failed(); }

  /// The event, once the whole document was read without a syntax error.
  ProxyEvent take_event() {
    if (failed()) throw EventParseError(error_);
    if (!has_http_method_) throw EventParseError("httpMethod is missing");
    if (!has_path_) throw EventParseError("path is missing");
    return std::move(event_);
  }

 private:
  [[nodiscard]] bool failed() const { return !error_.empty(); }

  // Routes one scalar, key or piece of text: dropped after a shape error or inside a skipped
  // member, copied into the authorizer while capturing it, else read into the event. Forced
  // inline: without it the parse measured 12% slower.
  template <typename Capture, typename Interpret>
  [[gnu::always_inline]] bool dispatch(Capture capture, Interpret interpret) {
    if (failed() || skip_depth_ > 0) return true;
    if (authorizer_depth_ > 0) {
      capture(*authorizer_);
    } else {
      interpret();
    }
    return true;
  }

  // Records the first shape problem; the parse goes on so that a syntax error later in the
  // text still wins (not-JSON is the more useful message).
  void fail(std::string_view parent, std::string_view name, std::string_view problem) {
    error_.reserve(parent.size() + name.size() + problem.size() + 2);
    if (!parent.empty()) error_.append(parent).append(".");
    error_.append(name).append(" ").append(problem);
  }

  std::string_view complete_text(string_view last_part) {
    if (partial_text_.empty()) return {last_part.data(), last_part.size()};
    partial_text_.append(last_part.data(), last_part.size());
    return partial_text_;
  }

  // Unknown members are skipped and the authorizer is captured whole; inside either, only the
  // nesting depth matters here.
  bool enter_passive_container() {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    if (authorizer_depth_ > 0) {
      ++authorizer_depth_;
      return true;
    }
    return false;
  }

  bool leave_passive_container(std::size_t size, ValueKind kind) {
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    if (authorizer_depth_ == 0) return false;
    if (kind == ValueKind::object) {
      authorizer_->push_object(size);
    } else {
      authorizer_->push_array(size);
    }
    if (--authorizer_depth_ == 0) {
      event_.request_context.authorizer.emplace(std::move(authorizer_->release().as_object()));
    }
    return true;
  }

  void push_frame(Frame frame) { frames_[frame_count_++] = frame; }

  void leave_frame() {
    const Frame frame = frames_[--frame_count_];
    // API Gateway never sends {} for a map; reading one as null keeps round trips stable.
    if (frame == Frame::string_map && string_map_owner_->has_value() &&
        (*string_map_owner_)->empty()) {
      string_map_owner_->reset();
    } else if (frame == Frame::multi_value_map && multi_value_map_owner_->has_value() &&
               (*multi_value_map_owner_)->empty()) {
      multi_value_map_owner_->reset();
    }
  }

  void skip_value(ValueKind kind) {
    if (kind == ValueKind::object || kind == ValueKind::array) skip_depth_ = 1;
  }

  void on_key_text(std::string_view key) {
    switch (frames_[frame_count_ - 1]) {
      case Frame::root:
        root_field_ = RootField::unknown;
        for (const RootFieldName& candidate : root_field_names) {
          if (same_name(candidate.name, key)) {
            root_field_ = candidate.field;
            break;
          }
        }
        break;
      case Frame::string_map:
      case Frame::multi_value_map:
        map_key_.assign(key);
        break;
      case Frame::request_context:
        context_field_ = context_unknown;
        for (std::size_t i = 0; i < std::size(detail::context_string_fields); ++i) {
          if (same_name(detail::context_string_fields[i].name, key)) {
            context_field_ = static_cast<int>(i);
            break;
          }
        }
        if (context_field_ == context_unknown) {
          if (same_name("requestTimeEpoch", key)) {
            context_field_ = context_request_time_epoch;
          } else if (same_name("identity", key)) {
            context_field_ = context_identity;
          } else if (same_name("authorizer", key)) {
            context_field_ = context_authorizer;
          }
        }
        break;
      case Frame::identity:
        identity_field_ = -1;
        for (std::size_t i = 0; i < std::size(detail::identity_fields); ++i) {
          if (same_name(detail::identity_fields[i].name, key)) {
            identity_field_ = static_cast<int>(i);
            break;
          }
        }
        break;
      case Frame::multi_value_array:
        break;  // arrays have no keys
    }
  }

  void on_value(ValueKind kind, std::string_view text = {}, std::int64_t number = 0,
                bool flag = false) {
    if (frame_count_ == 0) {
      if (kind != ValueKind::object) {
        error_ = "event must be a JSON object";
        return;
      }
      push_frame(Frame::root);
      return;
    }
    switch (frames_[frame_count_ - 1]) {
      case Frame::root:
        return on_root_value(kind, text, flag);
      case Frame::string_map: {
        if (kind != ValueKind::string) return fail(map_field_, map_key_, "must be a string");
        // Hinting the end makes keys that arrive sorted (as this library writes them) cheap.
        StringMap& map = **string_map_owner_;
        map.insert_or_assign(map.end(), std::move(map_key_), std::string(text));
        return;
      }
      case Frame::multi_value_map: {
        if (kind != ValueKind::array) {
          return fail(map_field_, map_key_, "must be an array of strings");
        }
        MultiValueMap& map = **multi_value_map_owner_;
        current_values_ =
            &map.insert_or_assign(map.end(), map_key_, std::vector<std::string>{})->second;
        return push_frame(Frame::multi_value_array);
      }
      case Frame::multi_value_array:
        if (kind != ValueKind::string) {
          return fail(map_field_, map_key_, "must be an array of strings");
        }
        current_values_->emplace_back(text);
        return;
      case Frame::request_context:
        return on_context_value(kind, text, number);
      case Frame::identity:
        return on_identity_value(kind, text);
    }
  }

  void read_string_map(ValueKind kind, std::string_view name, std::optional<StringMap>& target) {
    if (kind == ValueKind::null) return target.reset();
    if (kind != ValueKind::object) return fail({}, name, "must be an object");
    target.emplace();
    string_map_owner_ = &target;
    map_field_ = name;
    push_frame(Frame::string_map);
  }

  void read_multi_value_map(ValueKind kind, std::string_view name,
                            std::optional<MultiValueMap>& target) {
    if (kind == ValueKind::null) return target.reset();
    if (kind != ValueKind::object) return fail({}, name, "must be an object");
    target.emplace();
    multi_value_map_owner_ = &target;
    map_field_ = name;
    push_frame(Frame::multi_value_map);
  }

  void on_root_value(ValueKind kind, std::string_view text, bool flag) {
    switch (root_field_) {
      case RootField::unknown:
        return skip_value(kind);
      case RootField::resource:
        if (kind == ValueKind::null) return event_.resource.clear();
        if (kind != ValueKind::string) return fail({}, "resource", "must be a string");
        event_.resource.assign(text);
        return;
      case RootField::path:
        if (kind != ValueKind::string) return fail({}, "path", "must be a string");
        event_.path.assign(text);
        has_path_ = true;
        return;
      case RootField::http_method:
        if (kind != ValueKind::string) return fail({}, "httpMethod", "must be a string");
        event_.http_method.assign(text);
        has_http_method_ = true;
        return;
      case RootField::headers:
        return read_string_map(kind, "headers", event_.headers);
      case RootField::multi_value_headers:
        return read_multi_value_map(kind, "multiValueHeaders", event_.multi_value_headers);
      case RootField::query_string_parameters:
        return read_string_map(kind, "queryStringParameters", event_.query_string_parameters);
      case RootField::multi_value_query_string_parameters:
        return read_multi_value_map(kind, "multiValueQueryStringParameters",
                                    event_.multi_value_query_string_parameters);
      case RootField::path_parameters:
        return read_string_map(kind, "pathParameters", event_.path_parameters);
      case RootField::stage_variables:
        return read_string_map(kind, "stageVariables", event_.stage_variables);
      case RootField::request_context:
        event_.request_context = RequestContext{};
        if (kind == ValueKind::null) return;
        if (kind != ValueKind::object) return fail({}, "requestContext", "must be an object");
        return push_frame(Frame::request_context);
      case RootField::body:
        if (kind == ValueKind::null) return event_.body.reset();
        if (kind != ValueKind::string) return fail({}, "body", "must be a string");
        event_.body.emplace(text);
        return;
      case RootField::is_base64_encoded:
        if (kind == ValueKind::null) {
          event_.is_base64_encoded = false;
          return;
        }
        if (kind != ValueKind::boolean) return fail({}, "isBase64Encoded", "must be a boolean");
        event_.is_base64_encoded = flag;
        return;
    }
  }

  void on_context_value(ValueKind kind, std::string_view text, std::int64_t number) {
    RequestContext& context = event_.request_context;
    switch (context_field_) {
      case context_unknown:
        return skip_value(kind);
      case context_request_time_epoch:
        if (kind == ValueKind::null) {
          context.request_time_epoch = 0;
          return;
        }
        if (kind != ValueKind::int64) {
          return fail("requestContext", "requestTimeEpoch", "must be an integer (milliseconds)");
        }
        context.request_time_epoch = number;
        return;
      case context_identity:
        context.identity = Identity{};
        if (kind == ValueKind::null) return;
        if (kind != ValueKind::object)
          return fail("requestContext", "identity", "must be an object");
        return push_frame(Frame::identity);
      case context_authorizer:
        context.authorizer.reset();
        if (kind == ValueKind::null) return;
        if (kind != ValueKind::object) {
          return fail("requestContext", "authorizer", "must be an object");
        }
        // Owned by the default heap, like any value the caller keeps.
        if (!authorizer_) authorizer_.emplace();
        authorizer_->reset(json::storage_ptr());
        authorizer_depth_ = 1;
        return;
      default: {
        const detail::ContextStringField& field =
            detail::context_string_fields[static_cast<std::size_t>(context_field_)];
        std::string& target = context.*field.member;
        if (kind == ValueKind::null) return target.clear();
        if (kind != ValueKind::string)
          return fail("requestContext", field.name, "must be a string");
        target.assign(text);
        return;
      }
    }
  }

  void on_identity_value(ValueKind kind, std::string_view text) {
    if (identity_field_ < 0) return skip_value(kind);
    const detail::IdentityField& field =
        detail::identity_fields[static_cast<std::size_t>(identity_field_)];
    std::optional<std::string>& target = event_.request_context.identity.*field.member;
    if (kind == ValueKind::null) return target.reset();
    if (kind != ValueKind::string) {
      return fail("requestContext.identity", field.name, "must be a string");
    }
    target.emplace(text);
  }

  ProxyEvent event_;
  bool has_http_method_ = false;
  bool has_path_ = false;
  std::string error_;  // first shape problem; empty while the event is well formed

  // Containers this handler interprets nest at most three deep (root, map, values).
  std::array<Frame, 4> frames_{};
  std::size_t frame_count_ = 0;
  RootField root_field_ = RootField::unknown;
  int context_field_ = context_unknown;
  int identity_field_ = -1;

  std::string_view map_field_;
  std::string map_key_;
  std::optional<StringMap>* string_map_owner_ = nullptr;
  std::optional<MultiValueMap>* multi_value_map_owner_ = nullptr;
  std::vector<std::string>* current_values_ = nullptr;

  std::string partial_text_;  // a key or string the parser delivered in pieces
  std::size_t skip_depth_ = 0;
  std::size_t authorizer_depth_ = 0;
  std::optional<json::value_stack> authorizer_;
};

// Feeds a DOM to the handler in the order the push parser would.
void replay(const json::value& value, EventHandler& handler) {
  error_code ignored;
  switch (value.kind()) {
    case json::kind::object: {
      const json::object& object = value.get_object();
      handler.on_object_begin(ignored);
      for (const json::key_value_pair& member : object) {
        handler.on_key(member.key(), member.key().size(), ignored);
        replay(member.value(), handler);
      }
      handler.on_object_end(object.size(), ignored);
      return;
    }
    case json::kind::array: {
      const json::array& array = value.get_array();
      handler.on_array_begin(ignored);
      for (const json::value& element : array) replay(element, handler);
      handler.on_array_end(array.size(), ignored);
      return;
    }
    case json::kind::string:
      handler.on_string(value.get_string(), value.get_string().size(), ignored);
      return;
    case json::kind::int64:
      handler.on_int64(value.get_int64(), {}, ignored);
      return;
    case json::kind::uint64:
      handler.on_uint64(value.get_uint64(), {}, ignored);
      return;
    case json::kind::double_:
      handler.on_double(value.get_double(), {}, ignored);
      return;
    case json::kind::bool_:
      handler.on_bool(value.get_bool(), ignored);
      return;
    case json::kind::null:
      handler.on_null(ignored);
      return;
  }
}

}  // namespace

ProxyEvent parse_proxy_event(std::string_view json_text) {
  json::basic_parser<EventHandler> parser{json::parse_options{}};
  error_code error;
  const std::size_t consumed = parser.write_some(false, json_text.data(), json_text.size(), error);
  if (!error && consumed < json_text.size()) error = json::error::extra_data;
  if (error) throw EventParseError("event is not valid JSON: " + error.message());
  if (parser.handler().has_shape_error()) {
    // A member the reader refused may be one a later duplicate replaces: JSON names an object's
    // member twice, the last one counts (as Boost.JSON's DOM keeps it). The rare refusal is
    // decided on the DOM, so both entry points accept and refuse the same texts.
    return proxy_event_from_json(json::parse(json_text));
  }
  return parser.handler().take_event();
}

ProxyEvent proxy_event_from_json(const json::value& json_value) {
  EventHandler handler;
  replay(json_value, handler);
  return handler.take_event();
}

}  // namespace cppstack::events
