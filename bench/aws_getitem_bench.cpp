// The AWS client's cost per DynamoDB GetItem against a local server (dynalite), warm: the
// round trip and the client's own CPU (signing, JSON, HTTP, system calls; the server runs in
// another process, so getrusage of this one counts the client alone), beside
//  - the floor: the same request bytes over a kept-alive blocking socket, one send and one
//    recv per call, no client code (what any client pays the kernel to wait for an answer);
//  - the pieces of the client's own work, each timed alone over many repetitions.
// scripts/bench-aws.sh prints it next to boto3's round trip for the same call in the same run.
// Usage: aws_getitem_bench N   (in 20 alternating batches; environment: AWS_ENDPOINT_URL_DYNAMODB,
// credentials, region)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cppstack/aws/dynamodb.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace {
/// Every allocation through operator new (std::string, std::vector, Boost.JSON's default
/// resource) is counted, to report allocations per GetItem.
std::size_t allocations = 0;
}  // namespace

// g++ sees the inlined std::allocator calls meet free() and warns; these are the pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  ++allocations;
  if (void* block = std::malloc(size == 0 ? 1 : size)) return block;
  throw std::bad_alloc();
}
void operator delete(void* block) noexcept { std::free(block); }
void operator delete(void* block, std::size_t) noexcept { std::free(block); }

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
struct Cpu {
  double total;
  double system;
};
Cpu cpu_now() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {seconds(usage.ru_utime) + seconds(usage.ru_stime), seconds(usage.ru_stime)};
}

/// CPU microseconds per run of `work`, over `count` runs.
template <typename Work>
double cpu_us_per_run(int count, Work&& work) {
  const Cpu before = cpu_now();
  for (int i = 0; i < count; ++i) work();
  return (cpu_now().total - before.total) / count * 1e6;
}

constexpr std::string_view kGetItemBody = R"({"TableName":"bench-notes","Key":{"id":{"S":"n-1"}}})";

/// A signed GetItem request's bytes, as a client would send them.
std::string signed_get_item(const cppstack::aws::Endpoint& endpoint,
                            const cppstack::aws::Credentials& credentials,
                            std::string_view region) {
  using namespace cppstack::aws;
  const std::string date = amz_date(std::chrono::system_clock::now());
  const RequestToSign request{.method = "POST",
                              .path = "/",
                              .headers = {{"content-type", "application/x-amz-json-1.0"},
                                          {"host", endpoint.authority()},
                                          {"x-amz-date", date},
                                          {"x-amz-target", "DynamoDB_20120810.GetItem"}},
                              .payload_hash = sha256_hex(kGetItemBody)};
  const Signature signature =
      sign(request, credentials, {.region = region, .service = "dynamodb", .amz_date = date});
  std::string bytes = "POST / HTTP/1.1\r\nHost: " + endpoint.authority() +
                      "\r\ncontent-type: application/x-amz-json-1.0\r\n"
                      "x-amz-target: DynamoDB_20120810.GetItem\r\nx-amz-date: " +
                      date + "\r\nauthorization: " + signature.authorization +
                      "\r\nContent-Length: " + std::to_string(kGetItemBody.size()) + "\r\n\r\n";
  bytes += kGetItemBody;
  return bytes;
}

/// The floor: exchanges of a fixed request on one blocking keep-alive socket, one send and
/// one recv each (the answers are small enough to arrive in one segment).
class Floor {
 public:
  Floor(const cppstack::aws::Endpoint& endpoint, std::string request)
      : request_(std::move(request)), answer_(65536) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(endpoint.port);
    if (fd_ < 0 || ::inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr) != 1 ||
        ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      std::perror("floor: connect");
      std::exit(1);
    }
    const int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  ~Floor() { ::close(fd_); }
  Floor(const Floor&) = delete;
  Floor& operator=(const Floor&) = delete;

  void exchange() {
    if (::send(fd_, request_.data(), request_.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request_.size())) {
      std::perror("floor: send");
      std::exit(1);
    }
    const ssize_t received = ::recv(fd_, answer_.data(), answer_.size(), 0);
    if (received <= 0 || std::strncmp(answer_.data(), "HTTP/1.1 200", 12) != 0) {
      std::fprintf(stderr, "floor: unexpected answer\n");
      std::exit(1);
    }
  }

 private:
  int fd_;
  std::string request_;
  std::vector<char> answer_;
};

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

// The machine is shared: another process's load comes and goes. The client, the floor and the
// floor with the client's pieces are therefore measured in alternating batches, and each
// figure is the median over the batches, so a burst of load hits all three alike.
int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 2000;
  constexpr int kBatches = 20;
  const int batch = std::max(count / kBatches, 1);
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

  const Endpoint& endpoint = dynamodb().client().endpoint();
  const Credentials& credentials = dynamodb().client().environment().credentials;
  Floor floor(endpoint, signed_get_item(endpoint, credentials, "eu-west-1"));
  for (int i = 0; i < 50; ++i) floor.exchange();
  const std::string answer_body =
      R"({"Item":{"id":{"S":"n-1"},"title":{"S":"a title"},"text":{"S":")" + std::string(200, 'x') +
      R"("}}})";
  const auto sign_piece = [&] {
    if (signed_get_item(endpoint, credentials, "eu-west-1").empty()) std::exit(1);
  };
  const auto json_piece = [&] {
    const boost::json::object request_json{{"TableName", "bench-notes"},
                                           {"Key", Key{{"id", "n-1"}}.attributes()}};
    const std::string body = boost::json::serialize(request_json);
    const boost::json::value answer = boost::json::parse(answer_body);
    const Note note = from_item<Note>(answer.at("Item").as_object());
    if (body.empty() || note.text.size() != 200) std::exit(1);
  };

  std::vector<double> round_trips;
  std::vector<double> client_cpu, client_system, floor_cpu, shadow_sign_cpu, shadow_json_cpu;
  std::size_t client_allocations = 0;
  for (int round = 0; round < kBatches; ++round) {
    const std::size_t allocations_before = allocations;
    const Cpu before = cpu_now();
    for (int i = 0; i < batch; ++i) {
      const auto start = std::chrono::steady_clock::now();
      if (!notes.get({{"id", "n-1"}})) return 1;
      round_trips.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
    const Cpu after = cpu_now();
    client_allocations += allocations - allocations_before;
    client_cpu.push_back((after.total - before.total) / batch * 1e6);
    client_system.push_back((after.system - before.system) / batch * 1e6);
    floor_cpu.push_back(cpu_us_per_run(batch, [&] { floor.exchange(); }));
    // SigV4, and JSON, once between two waits, as in a real call: the server ran in between,
    // so caches and branch predictors are cold.
    shadow_sign_cpu.push_back(cpu_us_per_run(batch, [&] {
      floor.exchange();
      sign_piece();
    }));
    shadow_json_cpu.push_back(cpu_us_per_run(batch, [&] {
      floor.exchange();
      json_piece();
    }));
  }
  std::sort(round_trips.begin(), round_trips.end());

  // The pieces of the client's work, alone and hot: more repetitions, since each is short.
  const int pieces = count * 10;
  const double sign_per_call = cpu_us_per_run(pieces, sign_piece);
  const double json_per_call = cpu_us_per_run(pieces, json_piece);
  std::printf(
      "{\"calls\": %d, \"median_us\": %.1f, \"p99_us\": %.1f, \"client_cpu_us\": %.1f, "
      "\"client_system_us\": %.1f, \"floor_cpu_us\": %.1f, \"sign_cpu_us\": %.2f, "
      "\"json_cpu_us\": %.2f, \"floor_with_sign_cpu_us\": %.1f, "
      "\"floor_with_json_cpu_us\": %.1f, \"allocations\": %.1f}\n",
      batch * kBatches, round_trips[round_trips.size() / 2],
      round_trips[round_trips.size() * 99 / 100], median_of(client_cpu), median_of(client_system),
      median_of(floor_cpu), sign_per_call, json_per_call, median_of(shadow_sign_cpu),
      median_of(shadow_json_cpu), static_cast<double>(client_allocations) / (batch * kBatches));
  return 0;
}
