// The AWS client's cost per DynamoDB GetItem against a local server (dynalite), warm: the
// round trip and the client's own CPU (signing, JSON, HTTP, system calls; the server runs in
// another process), beside the SigV4 signature alone. scripts/bench-aws.sh prints it next to
// boto3's round trip for the same call in the same run.
// Usage: aws_getitem_bench N   (environment: AWS_ENDPOINT_URL_DYNAMODB, credentials, region)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cppstack/aws/dynamodb.hpp>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct Note {
  std::string id;
  std::string title;
  std::string text;
};
BOOST_DESCRIBE_STRUCT(Note, (), (id, title, text))

double seconds(const timeval& time) {
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}
double system_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 2000;
  using namespace cppstack::aws;
  ::setenv("TABLE_BENCH", "bench-notes", 1);
  dynamodb().call(
      "CreateTable",
      {{"TableName", "bench-notes"},
       {"BillingMode", "PAY_PER_REQUEST"},
       {"AttributeDefinitions",
        boost::json::array{{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
       {"KeySchema", boost::json::array{{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
  const Table<Note> notes("bench");
  notes.put({"n-1", "a title", std::string(200, 'x')});
  for (int i = 0; i < 50; ++i) (void)notes.get({{"id", "n-1"}});  // warm: connection open

  std::vector<double> round_trips;
  round_trips.reserve(static_cast<std::size_t>(count));
  const double cpu_before = cpu_seconds();
  const double system_before = system_seconds();
  for (int i = 0; i < count; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (!notes.get({{"id", "n-1"}})) return 1;
    round_trips.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  const double cpu_per_call = (cpu_seconds() - cpu_before) / count * 1e6;
  const double system_per_call = (system_seconds() - system_before) / count * 1e6;
  std::sort(round_trips.begin(), round_trips.end());

  const Credentials credentials{"AKIDBENCH", "secret", ""};
  const double sign_before = cpu_seconds();
  for (int i = 0; i < count; ++i) {
    RequestToSign request{
        .method = "POST",
        .path = "/",
        .headers = {{"host", "dynamodb.eu-west-1.amazonaws.com"},
                    {"x-amz-date", "20261207T010203Z"},
                    {"x-amz-target", "DynamoDB_20120810.GetItem"}},
        .payload_hash = sha256_hex(R"({"TableName":"bench-notes","Key":{"id":{"S":"n-1"}}})")};
    if (sign(request, credentials,
             {.region = "eu-west-1", .service = "dynamodb", .amz_date = "20261207T010203Z"})
            .signature.empty())
      return 1;
  }
  const double sign_per_call = (cpu_seconds() - sign_before) / count * 1e6;
  std::printf(
      "{\"calls\": %d, \"median_us\": %.1f, \"p99_us\": %.1f, \"client_cpu_us\": %.1f, "
      "\"client_system_us\": %.1f, \"sign_cpu_us\": %.2f}\n",
      count, round_trips[round_trips.size() / 2], round_trips[round_trips.size() * 99 / 100],
      cpu_per_call, system_per_call, sign_per_call);
  return 0;
}
