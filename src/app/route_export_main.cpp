// Writes the route table (routes.json) and the OpenAPI document from the application's
// routes, so the emulator and the infrastructure never repeat them. A table API Gateway
// would refuse fails here, at build time, with a message naming the routes.
#include <cppstack/app/application.hpp>
#include <cppstack/app/build_info.hpp>
#include <cppstack/http/route_export.hpp>

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <exception>
#include <string>

#ifndef CPPSTACK_API_TITLE
#define CPPSTACK_API_TITLE "aws-cpp-stack API"
#endif

namespace {

// Written beside the target and renamed over it, so a reader (the emulator reloading its
// routes) sees the old file or the new one, never half of one.
bool write_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  if (std::fclose(file) != 0 || !written) return false;
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fputs("usage: route-export ROUTES_JSON OPENAPI_JSON [ROUTES_JSON_COPY]\n", stderr);
    return 2;
  }
  std::string table;
  std::string openapi;
  try {
    const cppstack::app::Application application(cppstack::app::Config{});
    const auto& routes = application.routes();
    table =
        boost::json::serialize(cppstack::http::route_table_json(routes, application.resources())) +
        "\n";
    openapi = boost::json::serialize(cppstack::http::openapi_document(
                  routes, {.title = CPPSTACK_API_TITLE,
                           .version = cppstack::app::build_info().version,
                           .description = "REST API served by a C++ AWS Lambda function"})) +
              "\n";
  } catch (const std::exception& error) {
    std::fprintf(stderr, "route-export: the route table is invalid: %s\n", error.what());
    return 1;
  }
  for (int index = 1; index < argc; ++index) {
    const std::string& text = index == 2 ? openapi : table;
    if (!write_file(argv[index], text)) {
      std::fprintf(stderr, "route-export: cannot write %s\n", argv[index]);
      return 1;
    }
  }
  return 0;
}
