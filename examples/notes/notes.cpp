// A notes API stored in DynamoDB (table `notes`), each note with one attachment in S3 (bucket
// `note-attachments`) that clients upload and download directly through presigned URLs.
#include <cppstack/app/application.hpp>
#include <cppstack/aws/dynamodb.hpp>
#include <cppstack/aws/s3.hpp>
#include <cppstack/http/routes.hpp>
#include <cstdio>
#include <random>

using namespace cppstack::http;
using namespace cppstack::aws;

struct NewNote {
  std::string title;
  std::string text;
};
BOOST_DESCRIBE_STRUCT(NewNote, (), (title, text))
struct Note : NewNote {
  std::string id;
};
BOOST_DESCRIBE_STRUCT(Note, (NewNote), (id))
struct ListQuery {
  int limit = 100;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(ListQuery, (), (limit, cursor))
struct Notes {
  std::vector<Note> notes;
  std::optional<std::string> cursor;  // pass it back for the next page
};
BOOST_DESCRIBE_STRUCT(Notes, (), (notes, cursor))
struct Attachment {
  std::string upload_url;    // PUT the file here within 15 minutes
  std::string download_url;  // GET it from here within 15 minutes
};
BOOST_DESCRIBE_STRUCT(Attachment, (), (upload_url, download_url))

std::string new_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(random()));
  return id;
}

std::vector<Route> cppstack::app::application_routes(const std::shared_ptr<ApplicationState>&) {
  auto notes = std::make_shared<Table<Note>>("notes");
  auto files = std::make_shared<Bucket>("note-attachments");
  const auto find = [notes](const Request& request) {
    auto note = notes->get({{"id", request.path("id")}});
    if (!note) throw NotFound("no note with this id", "id");
    return *note;
  };
  Routes routes;
  routes.table("notes", {.partition_key = {"id", KeyType::string}});
  routes.bucket("note-attachments");
  routes.post("/v1/notes", [notes](const Request&, const Body<NewNote>& body) {
    const Note note{body, new_id()};
    notes->put(note, Expression("attribute_not_exists(id)"));
    return Created<Note>{"/v1/notes/" + note.id, note};
  });
  routes.get("/v1/notes", [notes](const Request&, const Query<ListQuery>& page) {
    if (page.limit < 1 || page.limit > 100) throw BadRequest("limit is 1 to 100", "limit");
    auto found = notes->scan({.limit = page.limit, .cursor = page.cursor});
    return Notes{std::move(found.items), std::move(found.cursor)};
  });
  routes.get("/v1/notes/{id}", {.errors = {404}}, find);
  routes.del("/v1/notes/{id}", {.errors = {404}}, [notes, files](const Request& request) {
    if (!notes->remove({{"id", request.path("id")}})) throw NotFound("no note with this id", "id");
    files->remove("notes/" + std::string(request.path("id")));
    return NoContent{};
  });
  routes.post("/v1/notes/{id}/attachment", {.errors = {404}},
              [find, files](const Request& request) {
                const std::string key = "notes/" + find(request).id;
                return Attachment{files->presign_put(key, std::chrono::minutes(15)),
                                  files->presign_get(key, std::chrono::minutes(15))};
              });
  return std::move(routes).release();
}
