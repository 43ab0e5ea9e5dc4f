// Writes the route table (routes.json) and the OpenAPI document from the application's
// routes, so the emulator and the infrastructure never repeat them.
#include <cppstack/app/application.hpp>
#include <cppstack/app/build_info.hpp>
#include <cppstack/http/route_export.hpp>

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <string>

namespace {

bool write_file(const char* path, const std::string& text) {
  std::FILE* file = std::fopen(path, "wb");
  if (file == nullptr) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  return std::fclose(file) == 0 && written;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: route-export ROUTES_JSON OPENAPI_JSON\n", stderr);
    return 2;
  }
  const cppstack::app::Application application(cppstack::app::Config{});
  const auto& routes = application.routes();
  const std::string table = boost::json::serialize(cppstack::http::route_table_json(routes)) + "\n";
  const std::string openapi =
      boost::json::serialize(cppstack::http::openapi_document(
          routes, {.title = "aws-cpp-stack API",
                   .version = cppstack::app::build_info().version,
                   .description = "REST API served by a C++ AWS Lambda function"})) +
      "\n";
  for (const auto& [path, text] : {std::pair{argv[1], &table}, std::pair{argv[2], &openapi}}) {
    if (!write_file(path, *text)) {
      std::fprintf(stderr, "route-export: cannot write %s\n", path);
      return 1;
    }
  }
  return 0;
}
