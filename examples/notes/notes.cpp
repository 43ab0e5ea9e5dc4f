// A notes API kept in the function's memory: create, list, read and delete notes.
#include <cppstack/app/application.hpp>
#include <cppstack/http/routes.hpp>
#include <ranges>

using namespace cppstack::http;

struct NewNote {
  std::string title;
  std::string text;
};
BOOST_DESCRIBE_STRUCT(NewNote, (), (title, text))
struct Note : NewNote {
  std::int64_t id;
};
BOOST_DESCRIBE_STRUCT(Note, (NewNote), (id))
struct Page {
  int limit = 100;
};
BOOST_DESCRIBE_STRUCT(Page, (), (limit))

// The application's state: one per process, shared by the handlers.
struct Store {
  std::map<std::int64_t, Note> notes;
  std::int64_t next_id = 1;
};

std::vector<Route> cppstack::app::application_routes(const std::shared_ptr<ApplicationState>&) {
  auto store = std::make_shared<Store>();
  const auto find = [store](const Request& request) -> Note& {
    const auto found = store->notes.find(request.path<std::int64_t>("id"));
    if (found == store->notes.end()) throw NotFound("no note with this id", "id");
    return found->second;
  };
  Routes routes;
  routes.table("notes", {.partition_key = {"id", KeyType::string}});
  routes.bucket("note-attachments");
  routes.post("/v1/notes", [store](const Request&, const Body<NewNote>& note) {
    const std::int64_t id = store->next_id++;
    return Created<Note>{"/v1/notes/" + std::to_string(id), store->notes[id] = {note, id}};
  });
  routes.get("/v1/notes", [store](const Request&, const Query<Page>& page) {
    if (page.limit < 1) throw BadRequest("limit must be at least 1", "limit");
    auto first =
        store->notes | std::views::values | std::views::take(page.limit) | std::views::common;
    return std::vector<Note>(first.begin(), first.end());
  });
  routes.get("/v1/notes/{id}", {.errors = {404}}, find);
  routes.del("/v1/notes/{id}", {.errors = {404}}, [store, find](const Request& request) {
    store->notes.erase(find(request).id);
    return NoContent{};
  });
  return std::move(routes).release();
}
