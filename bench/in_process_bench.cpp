// In-process cost of one request: event JSON -> parse -> route -> handler -> response JSON,
// without any I/O. The bar for /v1/metadata is 5 us.
#include <benchmark/benchmark.h>
#include <cppstack/app/application.hpp>
#include <cppstack/events/proxy_event.hpp>

#include <fstream>
#include <sstream>

namespace {

std::string metadata_event() {
  std::ifstream file(std::string(CPPSTACK_BENCH_EVENTS) + "/metadata.json");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string event_for_path(const std::string& path) {
  std::string event = metadata_event();
  for (std::size_t at = event.find("/v1/metadata"); at != std::string::npos;
       at = event.find("/v1/metadata", at + path.size())) {
    event.replace(at, 12, path);
  }
  return event;
}

cppstack::app::Application make_application() {
  cppstack::app::Config config;
  config.application_name = "bench-api";
  config.function_name = "bench-fn";
  config.function_version = "$LATEST";
  config.memory_size_mb = 128;
  config.region = "us-east-1";
  // As on Lambda, where the namespace defaults to the application name: every request also
  // writes its EMF record.
  config.metrics_namespace = "bench-api";
  // The access line and the EMF record are formatted as on Lambda; writing them to stderr is
  // I/O, which this benchmark leaves out.
  return cppstack::app::Application(config, [](std::string_view) {});
}

void end_to_end(benchmark::State& state, const std::string& event) {
  const auto application = make_application();
  const cppstack::http::InvocationInfo info{.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"};
  for (auto _ : state) {
    std::string response = application.handle_event(event, info);
    benchmark::DoNotOptimize(response);
  }
}

void BM_Metadata(benchmark::State& state) { end_to_end(state, metadata_event()); }
void BM_Health(benchmark::State& state) { end_to_end(state, event_for_path("/v1/health")); }
void BM_Index(benchmark::State& state) { end_to_end(state, event_for_path("/v1")); }
void BM_NotFound(benchmark::State& state) { end_to_end(state, event_for_path("/v1/nothing")); }

void BM_ParseEventOnly(benchmark::State& state) {
  const std::string event = metadata_event();
  for (auto _ : state) {
    auto parsed = cppstack::events::parse_proxy_event(event);
    benchmark::DoNotOptimize(parsed);
  }
}

BENCHMARK(BM_Metadata);
BENCHMARK(BM_Health);
BENCHMARK(BM_Index);
BENCHMARK(BM_NotFound);
BENCHMARK(BM_ParseEventOnly);

}  // namespace

BENCHMARK_MAIN();
