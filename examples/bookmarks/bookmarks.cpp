// A bookmarks API kept in the function's memory: save (with an API key), list by tag a page at a
// time, read, delete (with an API key). Every rule is declared once, on the types.
#include <cppstack/app/application.hpp>
#include <cppstack/http/routes.hpp>

using namespace cppstack::http;

struct NewBookmark {
  std::string url;
  std::optional<std::string> title;
  std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(NewBookmark, (), (url, title, tags))
CPPSTACK_RULES(NewBookmark, (url, uri, pattern("^https?://"), max_length(2048)),
               (title, min_length(1), max_length(200)),
               (tags, max_items(5), unique_items, pattern("^[a-z0-9-]{1,30}$")))
struct Bookmark : NewBookmark {
  std::int64_t id;
  DateTime created_at;
};
BOOST_DESCRIBE_STRUCT(Bookmark, (NewBookmark), (id, created_at))
struct ListBookmarks : PageQuery {  // limit (1 to 100) and cursor
  std::optional<std::string> tag;
};
BOOST_DESCRIBE_STRUCT(ListBookmarks, (PageQuery), (tag))
struct ById {
  std::int64_t id;
};
BOOST_DESCRIBE_STRUCT(ById, (), (id))
CPPSTACK_RULES(ById, (id, minimum(1)))

std::vector<Route> cppstack::app::application_routes(const std::shared_ptr<ApplicationState>&) {
  auto store = std::make_shared<std::map<std::int64_t, Bookmark>>();
  const auto find = [store](const Request&, const Path<ById>& path) -> Bookmark& {
    const auto found = store->find(path.id);
    if (found == store->end()) throw NotFound("no bookmark with this id", "id");
    return found->second;
  };
  Routes routes("/v1/bookmarks");
  routes.post("/", {.auth = AuthMode::api_key},
              [store](const Request&, const Body<NewBookmark>& in) {
                const std::int64_t id = store->empty() ? 1 : store->rbegin()->first + 1;
                return Created<Bookmark>{"/v1/bookmarks/" + std::to_string(id),
                                         (*store)[id] = {in, id, DateTime::now()}};
              });
  routes.get("/", [store](const Request&, const Query<ListBookmarks>& query) {
    PageBuilder<Bookmark> page(query.limit);
    for (auto it = store->upper_bound(page.after<std::int64_t>(query.cursor).value_or(0));
         it != store->end(); ++it) {
      const auto& tags = it->second.tags;
      if (query.tag && std::find(tags.begin(), tags.end(), *query.tag) == tags.end()) continue;
      if (!page.add(it->second, std::to_string(it->first))) break;
    }
    return std::move(page).done();
  });
  routes.get("/{id}", {.errors = {404}}, find);
  routes.del("/{id}", {.auth = AuthMode::api_key, .errors = {404}},
             [store, find](const Request& request, const Path<ById>& path) {
               store->erase(find(request, path).id);
               return NoContent{};
             });
  return std::move(routes).release();
}
