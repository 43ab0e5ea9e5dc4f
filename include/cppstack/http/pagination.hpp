#pragma once
// Cursor-based pages whose answers stay well under Lambda's 6 MB response limit by
// construction: a page ends at its item count or at its byte budget, whichever comes first,
// and says where the next one starts with an opaque cursor, in the body ("next") and in a
// `Link: <...?cursor=...>; rel="next"` header a client can follow as it is.
//
//   struct ListBookmarks : cppstack::http::PageQuery { std::optional<std::string> tag; };
//   BOOST_DESCRIBE_STRUCT(ListBookmarks, (cppstack::http::PageQuery), (tag))
//
//   routes.get("/v1/bookmarks", [store](const Request&, const Query<ListBookmarks>& query) {
//     PageBuilder<Bookmark> page(query.limit);
//     for (auto it = store->upper_bound(page.after<std::int64_t>(query.cursor)); ...; ++it)
//       if (!page.add(it->second, std::to_string(it->first))) break;
//     return std::move(page).done();     // 200 {"items": [...], "next": "..."} + Link
//   });

#include <boost/describe/class.hpp>
#include <cppstack/http/rules.hpp>
#include <cppstack/http/typed_json.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::http {

/// A page's default byte budget: 1 MiB of JSON.
inline constexpr std::size_t default_page_bytes = std::size_t{1} << 20;
/// The largest budget a page may have: Lambda escapes the body once more inside its 6 MB
/// response (each quote and backslash doubles), so 2.5 MiB leaves room for the worst case.
inline constexpr std::size_t max_page_bytes = std::size_t{5} << 19;

/// Handler result: one page of a list. Answered 200 with {"items": [...], "next": cursor}
/// ("next" absent on the last page) and, when there is a next page, a Link header to it.
template <class T>
struct PageOf {
  std::vector<T> items;
  std::optional<std::string> next;  ///< cursor of the next page; empty on the last
  BOOST_DESCRIBE_CLASS(PageOf, (), (items, next), (), ())
};

/// The usual query of a paged list: `limit` (1 to 100, default 20) and the `cursor` a previous
/// page gave. Derive from it to add filters; the rules come along.
struct PageQuery {
  int limit = 20;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(PageQuery, (), (limit, cursor))
CPPSTACK_RULES(PageQuery, (limit, minimum(1), maximum(100)), (cursor, max_length(1024)))

/// The cursor a client sees for a position (an item's key): URL-safe base64, no padding.
[[nodiscard]] std::string encode_cursor(std::string_view position);
/// The position a cursor stands for; std::nullopt when none was given. BadRequest naming
/// "cursor" when it is not one encode_cursor() made.
[[nodiscard]] std::optional<std::string> decode_cursor(const std::optional<std::string>& cursor);
/// What an item adds to a page's size: its JSON, with each quote and backslash counted twice
/// (Lambda's response escapes the body once more), and a separator.
[[nodiscard]] std::size_t page_item_bytes(const boost::json::value& item);

struct Request;
/// The Link header value of the page after this request's: the same path and query, the
/// cursor replaced: `</prod/v1/bookmarks?limit=10&cursor=MTA>; rel="next"`.
[[nodiscard]] std::string next_page_link(const Request& request, std::string_view cursor);

/// Fills a Page with at most `limit` items and about `max_bytes` of JSON. The first item is
/// always taken, so every page makes progress.
template <class T>
class PageBuilder {
 public:
  explicit PageBuilder(std::size_t limit, std::size_t max_bytes = default_page_bytes)
      : limit_(limit), max_bytes_(max_bytes < max_page_bytes ? max_bytes : max_page_bytes) {}

  /// Where the page starts: the position after which to list (as T, e.g. an integer key), or
  /// std::nullopt for the first page. BadRequest naming "cursor" when it does not decode.
  template <class Position = std::string>
  [[nodiscard]] std::optional<Position> after(const std::optional<std::string>& cursor) const {
    const std::optional<std::string> position = decode_cursor(cursor);
    if (!position) return std::nullopt;
    auto value = parse_parameter<Position>(*position);
    if (!value) throw BadRequest("cursor is not one this API gave", "cursor");
    return value;
  }

  /// Adds `item`, whose position is `position` (the next page starts after it). False, and
  /// the item is not added, when the page is full: stop there.
  bool add(T item, std::string_view position) {
    const std::size_t bytes = page_item_bytes(to_json(item));
    if (!page_.items.empty() && (page_.items.size() >= limit_ || used_ + bytes > max_bytes_)) {
      page_.next = encode_cursor(last_position_);
      return false;
    }
    used_ += bytes;
    last_position_ = std::string(position);
    page_.items.push_back(std::move(item));
    return true;
  }

  /// The page; its `next` is set when add() refused an item.
  [[nodiscard]] PageOf<T> done() && { return std::move(page_); }

 private:
  std::size_t limit_;
  std::size_t max_bytes_;
  std::size_t used_ = 0;
  std::string last_position_;
  PageOf<T> page_;
};

namespace detail {
template <class T>
struct IsPage : std::false_type {};
template <class T>
struct IsPage<PageOf<T>> : std::true_type {};
}  // namespace detail

}  // namespace cppstack::http
