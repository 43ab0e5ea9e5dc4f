// Ten typed routes in one file, as an API's route file looks: bodies, queries and typed paths
// with declared rules, a page, and a greeting whose text scripts/bench-reload.sh edits. `make
// bench` times how long after saving this file a running `make run` answers with the edit.
#include <cppstack/app/application.hpp>
#include <cppstack/http/routes.hpp>
#include <set>

using namespace cppstack::http;

struct Greeting {
  std::string message;
};
BOOST_DESCRIBE_STRUCT(Greeting, (), (message))
struct NewItem {
  std::string name;
  std::optional<std::string> description;
  std::vector<std::string> tags;
  double price = 0;
};
BOOST_DESCRIBE_STRUCT(NewItem, (), (name, description, tags, price))
CPPSTACK_RULES(NewItem, (name, min_length(1), max_length(100)), (tags, max_items(10)),
               (price, minimum(0)))
struct Item : NewItem {
  std::int64_t id;
  DateTime created_at;
};
BOOST_DESCRIBE_STRUCT(Item, (NewItem), (id, created_at))
struct ItemPath {
  std::int64_t id;
};
BOOST_DESCRIBE_STRUCT(ItemPath, (), (id))
CPPSTACK_RULES(ItemPath, (id, minimum(1)))
struct Search : PageQuery {
  std::optional<std::string> tag;
  std::optional<double> max_price;
};
BOOST_DESCRIBE_STRUCT(Search, (PageQuery), (tag, max_price))
struct Rename {
  std::string name;
};
BOOST_DESCRIBE_STRUCT(Rename, (), (name))
CPPSTACK_RULES(Rename, (name, min_length(1), max_length(100)))

std::vector<Route> cppstack::app::application_routes(const std::shared_ptr<ApplicationState>&) {
  auto items = std::make_shared<std::map<std::int64_t, Item>>();
  const auto find = [items](const Request&, const Path<ItemPath>& path) -> Item& {
    const auto found = items->find(path.id);
    if (found == items->end()) throw NotFound("no item with this id", "id");
    return found->second;
  };
  Routes routes("/v1");
  routes.get("/", [](const Request&) { return Greeting{"Hello from typed routes"}; });
  routes.post("/items", [items](const Request&, const Body<NewItem>& in) {
    const std::int64_t id = items->empty() ? 1 : items->rbegin()->first + 1;
    return Created<Item>{"/v1/items/" + std::to_string(id),
                         (*items)[id] = {in, id, DateTime::now()}};
  });
  routes.get("/items", [items](const Request&, const Query<Search>& query) {
    PageBuilder<Item> page(query.limit);
    for (auto it = items->upper_bound(page.after<std::int64_t>(query.cursor).value_or(0));
         it != items->end(); ++it) {
      if (query.max_price && it->second.price > *query.max_price) continue;
      if (!page.add(it->second, std::to_string(it->first))) break;
    }
    return std::move(page).done();
  });
  routes.get("/items/{id}", {.errors = {404}}, find);
  routes.put("/items/{id}", {.errors = {404}},
             [find](const Request& request, const Path<ItemPath>& path, const Body<NewItem>& in) {
               Item& item = find(request, path);
               static_cast<NewItem&>(item) = in;
               return item;
             });
  routes.patch("/items/{id}/name", {.errors = {404}},
               [find](const Request& request, const Path<ItemPath>& path, const Body<Rename>& in) {
                 Item& item = find(request, path);
                 item.name = in.name;
                 return item;
               });
  routes.del("/items/{id}", {.errors = {404}},
             [items, find](const Request& request, const Path<ItemPath>& path) {
               items->erase(find(request, path).id);
               return NoContent{};
             });
  routes.get("/items/{id}/tags", {.errors = {404}},
             [find](const Request& request, const Path<ItemPath>& path) {
               return find(request, path).tags;
             });
  routes.get("/tags", [items](const Request&) {
    std::set<std::string> tags;
    for (const auto& [id, item] : *items) tags.insert(item.tags.begin(), item.tags.end());
    return std::vector<std::string>(tags.begin(), tags.end());
  });
  routes.get("/stats", [items](const Request&) {
    return std::vector<std::int64_t>{static_cast<std::int64_t>(items->size())};
  });
  return std::move(routes).release();
}
