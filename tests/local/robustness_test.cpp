// Attacks on cppstack-local, as a misbehaving function (tests/local/functions/
// hostile_function.cpp) and hostile HTTP clients (raw sockets) would make them. After each,
// the emulator is still up and answering, the attacked exchange got a documented status, and
// the other exchanges were unaffected (docs/local.md, "Limits").

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <cerrno>
#include <cppstack/events/base64.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using http::verb;
using tcp = asio::ip::tcp;

const StartLambda start_lambda{HOSTILE_FUNCTION, "hostile", {"--env-file", "/dev/null"}};
const std::string invocations = start_lambda.invocations();

std::vector<std::string> start_api(std::vector<std::string> extra = {}) {
  std::vector<std::string> arguments{"start-api", "--bootstrap", HOSTILE_FUNCTION, "--env-file",
                                     "/dev/null"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

/// True when the server closed `fd` within 10 s; what it sent before is read and dropped.
bool server_closed(int fd) {
  const timeval wait{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  char discard[65536];
  while (true) {
    const auto got = ::recv(fd, discard, sizeof discard, 0);
    if (got == 0) return true;
    if (got < 0) return errno == ECONNRESET;
  }
}

/// A connection on which a test writes exactly the bytes it wants.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream_.expires_after(std::chrono::seconds(30));
  }

  void send(std::string_view bytes) {
    boost::system::error_code ignored;
    asio::write(stream_.socket(), asio::buffer(bytes.data(), bytes.size()), ignored);
  }

  /// One byte per write, with a pause between, as a slow or adversarial client sends.
  void send_byte_by_byte(std::string_view bytes) {
    for (const char byte : bytes) {
      send(std::string_view(&byte, 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  /// The status of the next response, or 0 when the connection closed without one.
  int status() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    boost::system::error_code error;
    http::read(stream_, buffer_, parser, error);
    if (error) return 0;
    last_ = parser.release();
    return last_.result_int();
  }

  [[nodiscard]] const Response& last() const { return last_; }

  /// True when the server closed the connection (reads end of stream within 10 s; the
  /// stream's own expiry bounds asynchronous operations only, not this read).
  bool closed_by_server() { return server_closed(stream_.socket().native_handle()); }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
  Response last_;
};

/// The emulator's open descriptors, from /proc.
std::size_t open_descriptors(pid_t pid) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++count;
  }
  return count;
}

/// The emulator's resident memory in kB (VmRSS), from /proc.
long resident_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

/// Waits up to 10 s for the emulator's descriptors to come back to `bound`; the count then.
std::size_t descriptors_settled_to(pid_t pid, std::size_t bound) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto count = open_descriptors(pid);
  while (count > bound && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    count = open_descriptors(pid);
  }
  return count;
}

/// A loopback connection with a small receive buffer and non-blocking sends: a client that
/// writes and never reads.
int connect_non_reading(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  if (text.empty()) return false;
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

void expect_still_serving(const Emulator& emulator, const std::string& target) {
  EXPECT_EQ(::kill(emulator.pid(), 0), 0) << "the emulator exited";
  const bool invoke_api = target == invocations;
  EXPECT_EQ(
      request(emulator.port(), invoke_api ? verb::post : verb::get, target, invoke_api ? "{}" : "")
          .result_int(),
      200)
      << emulator.logs();
}

// Each of these made Beast throw inside an asio handler, which ended the process. None can be
// sent as given, so each is the gateway's 502 for a malformed integration response (the same
// rule as the fixture corpus, tests/fixtures/gateway/responses/status_204_with_a_body_is_502.json).
TEST(Robustness, FunctionAnswersThatCannotBeSentAre502AndTheEmulatorKeepsServing) {
  Emulator emulator(start_api());
  Connection bystander(emulator.port());  // a keep-alive client using the emulator meanwhile
  for (const std::string& path : std::vector<std::string>{
           "/status-with-body/204", "/status-with-body/304", "/status-with-body/101",
           "/huge-header", "/crlf-header", "/empty-header-name"}) {
    const auto response = request(emulator.port(), verb::get, "/prod" + path);
    EXPECT_EQ(response.result_int(), 502) << path << "\n" << emulator.logs();
    EXPECT_TRUE(header_values(response, "X-Injected").empty()) << path;
    EXPECT_EQ(bystander.send(verb::get, "/prod/ok").result_int(), 200) << path;
  }
  expect_still_serving(emulator, "/prod/ok");
}

TEST(Robustness, HeaderWithCrLfNeverReachesTheWire) {
  Emulator emulator(start_api());
  RawClient client(emulator.port());
  client.send("GET /prod/crlf-header HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.status(), 502);
  EXPECT_TRUE(header_values(client.last(), "X-Injected").empty());
  EXPECT_TRUE(header_values(client.last(), "X-Evil").empty());
}

// RFC 9112: 400 for a bad request line, a missing or repeated Host in HTTP/1.1 (section 3.2),
// Transfer-Encoding with Content-Length or in HTTP/1.0, or chunked not last or repeated
// (section 6); 501 for a transfer coding the server does not implement (section 6.1); 431
// for a header section over the limit (RFC 6585); 505 for an unsupported version.
TEST(Robustness, MalformedRequestsGetRfc9112Answers) {
  Emulator emulator(start_lambda());
  const std::string post = "POST " + invocations + " HTTP/1.1\r\nHost: x\r\n";
  const std::vector<std::pair<std::string, int>> cases{
      {"GARBAGE\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {post + "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400},
      {post + "Transfer-Encoding: chunked, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400},
      {post + "Transfer-Encoding: chunked;x=1\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400},
      {post + "Transfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400},
      {post + "Transfer-Encoding: ,chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400},
      {post + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501},
      {"POST " + invocations +
           " HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
       400},
      {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n", 431},
  };
  for (const auto& [bytes, status] : cases) {
    RawClient client(emulator.port());
    client.send(bytes);
    EXPECT_EQ(client.status(), status) << bytes.substr(0, 120);
    EXPECT_EQ(client.last()[http::field::connection], "close") << bytes.substr(0, 120);
  }
  expect_still_serving(emulator, "/2015-03-31/functions/hostile/invocations");
}

// Boost 1.81's chunk parser asserts (basic_parser.ipp:702, fixed upstream in Beast pull
// request 2861) when the final chunk arrives byte by byte; debug and sanitizer builds abort.
TEST(Robustness, FinalChunkByteByByteIsParsed) {
  Emulator emulator(start_lambda());
  RawClient client(emulator.port());
  client.send("POST " + invocations +
              " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n");
  client.send_byte_by_byte("0\r\nX-Trailer: t\r\n\r\n");
  ASSERT_EQ(client.status(), 200) << emulator.logs();
  EXPECT_EQ(client.last().body(), R"({"a":1})");
  RawClient again(emulator.port());
  again.send("POST " + invocations +
             " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n");
  again.send_byte_by_byte("0\r\n\r\n");
  EXPECT_EQ(again.status(), 200) << emulator.logs();
}

// Trailers used to be outside both limits (40 MB of them: 1.1 GB of memory).
TEST(Robustness, ChunkedTrailersAreHeldToTheHeaderLimit) {
  Emulator emulator(start_lambda());
  RawClient client(emulator.port());
  client.send("POST " + invocations +
              " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n");
  const std::string trailer = "X-T: " + std::string(1000, 't') + "\r\n";
  for (int i = 0; i < 200; ++i) client.send(trailer);  // 200 KB, over the 64 KB limit
  EXPECT_EQ(client.status(), 431);
  // A chunk extension that never ends is held to the same limit.
  RawClient extension(emulator.port());
  extension.send("POST " + invocations +
                 " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;x=");
  for (int i = 0; i < 100; ++i) extension.send(std::string(1000, 'e'));
  EXPECT_EQ(extension.status(), 431);
  expect_still_serving(emulator, invocations);
}

// Whether the emulator's log holds `count` START lines (invocations handed to an instance)
// within 30 s.
bool wait_for_starts(const Emulator& emulator, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string logs = emulator.logs();
    std::size_t found = 0;
    for (auto at = logs.find("START RequestId"); at != std::string::npos;
         at = logs.find("START RequestId", at + 1))
      ++found;
    if (found >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(Robustness, ConnectionCapClosesTheOldestIdleConnectionElse503) {
  Emulator emulator(
      start_lambda({"--max-connections", "4", "--concurrency", "8", "--timeout", "30"}));
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<RawClient>(emulator.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all four accepted
  // A fifth client is served: the oldest idle connection makes room.
  EXPECT_EQ(request(emulator.port(), verb::post, invocations, "{}").result_int(), 200);
  EXPECT_TRUE(idle.front()->closed_by_server());
  idle.clear();

  // Four connections each waiting for a slow invocation: none is idle, the next gets 503.
  // Each connects once the one before has reached an instance (its START line, after the one
  // of the first part): a connection whose request is not read yet is idle, and the cap would
  // close it to make room for the next.
  std::vector<std::unique_ptr<RawClient>> busy;
  // Long enough that the first is still running when the last has started, under any load.
  const std::string slow = R"({"path":"/sleep/5000","httpMethod":"GET"})";
  for (std::size_t i = 0; i < 4; ++i) {
    busy.push_back(std::make_unique<RawClient>(emulator.port()));
    busy.back()->send("POST " + invocations + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                      std::to_string(slow.size()) + "\r\n\r\n" + slow);
    ASSERT_TRUE(wait_for_starts(emulator, 1 + i + 1)) << emulator.logs();
  }
  RawClient refused(emulator.port());
  EXPECT_EQ(refused.status(), 503);
  for (auto& client : busy) EXPECT_EQ(client->status(), 200);
  busy.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  expect_still_serving(emulator, invocations);
}

TEST(Robustness, RequestBytesInMemoryAreBoundedAcrossConnections) {
  Emulator emulator(start_lambda({"--max-request-memory", "8"}));
  const std::string header =
      "POST " + invocations + " HTTP/1.1\r\nHost: x\r\nContent-Length: 6000000\r\n\r\n";
  auto first = std::make_unique<RawClient>(emulator.port());
  first->send(header);
  first->send(std::string(5'000'000, ' '));  // 5 MB held, the rest never comes
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  RawClient second(emulator.port());
  second.send(header);
  second.send(std::string(5'000'000, ' '));  // 10 MB would be over the 8 MB bound
  EXPECT_EQ(second.status(), 503);
  EXPECT_EQ(second.last()[http::field::retry_after], "1");
  // Once the first connection goes, its bytes are released.
  first.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto response =
      request(emulator.port(), verb::post, invocations, R"({"k":")" + std::string(7'000'000, 'v'));
  EXPECT_EQ(response.result_int(), 413);  // over Lambda's 6 MB, not refused for memory
  expect_still_serving(emulator, invocations);
}

// The output relay used to read until EAGAIN and block on the terminal, on the I/O thread:
// requests, timeouts and SIGTERM all waited while a function wrote like `yes`.
TEST(Robustness, FunctionFloodingItsOutputFreezesNothing) {
  Emulator emulator(start_api({"--timeout", "2", "--concurrency", "2"}));
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/flood").result_int(), 200);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(request(emulator.port(), verb::get, "/prod/ok").result_int(), 200) << i;
  }
  // The timeout still fires on the other instance while the first one floods.
  const auto timed_out = request(emulator.port(), verb::get, "/prod/sleep/10000");
  EXPECT_EQ(timed_out.result_int(), 502);
  EXPECT_TRUE(emulator.wait_for_log("Task timed out after 2.00 seconds"));
  EXPECT_EQ(emulator.stop(SIGTERM), 0);
}

TEST(Robustness, ChildrenOfACrashedInstanceDieWithIt) {
  Emulator emulator(start_api());
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/children").result_int(), 502);
  ASSERT_TRUE(emulator.wait_for_log("children "));
  std::smatch found;
  const auto logs = emulator.logs();
  ASSERT_TRUE(std::regex_search(logs, found, std::regex(R"(children (\d+) (\d+))")));
  const pid_t same_group = std::stoi(found[1]);
  const pid_t own_session = std::stoi(found[2]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((alive(same_group) || alive(own_session)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(alive(same_group)) << "the child in the instance's process group survived";
  EXPECT_FALSE(alive(own_session)) << "the setsid child survived";
  expect_still_serving(emulator, "/prod/ok");
}

TEST(Robustness, RuntimeThatGivesUpItsNextStillGetsTheNextInvocation) {
  Emulator emulator(start_api({"--timeout", "3", "--env", "HOSTILE_DROP_NEXT=1"}));
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/first").result_int(), 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // its first /next was dropped
  // Lost, this invocation would time out (502 after 3 s).
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/second").result_int(), 200)
      << emulator.logs();
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/third").result_int(), 200);
}

// Lambda's Invoke API refuses a client context that is not base64 of a JSON object
// (recorded in boto/boto3 issue 2153: 400 InvalidRequestContentException, "Client context
// must be a valid Base64-encoded JSON object."). Only re-serialized JSON reaches /next.
TEST(Robustness, ClientContextCannotForgeRuntimeApiHeaders) {
  Emulator emulator(start_lambda());
  const std::string echo = R"({"httpMethod":"GET","path":"/ok"})";
  for (const std::string& context :
       {std::string("{\"a\":\"x\r\nLambda-Runtime-Aws-Request-Id: forged\"}"),
        std::string("{\"a\":1}\r\nLambda-Runtime-Aws-Request-Id: forged"), std::string("[1]"),
        std::string("not json")}) {
    const auto response = request(emulator.port(), verb::post, invocations, echo,
                                  {{"X-Amz-Client-Context", events::base64_encode(context)}});
    EXPECT_EQ(response.result_int(), 400) << context;
    EXPECT_EQ(response["x-amzn-ErrorType"], "InvalidRequestContentException");
    EXPECT_EQ(parse_json(response.body()).at("message"),
              "Client context must be a valid Base64-encoded JSON object.");
  }
  const auto not_base64 =
      request(emulator.port(), verb::post, invocations, echo, {{"X-Amz-Client-Context", "%%%"}});
  EXPECT_EQ(not_base64.result_int(), 400);
  expect_still_serving(emulator, invocations);
}

// AWS's runtime interface emulator: MaxPayloadSize = 6 MiB + 100 bytes
// (internal/lambda/interop/model.go); a larger response is refused with 413.
TEST(Robustness, ResponseLimitIsLambdasExactFigure) {
  Emulator emulator(start_lambda());
  const auto at_limit =
      request(emulator.port(), verb::post, invocations, R"({"response_bytes":6291556})");
  EXPECT_EQ(at_limit.result_int(), 200);
  EXPECT_EQ(at_limit.body().size(), 6291556U);
  EXPECT_TRUE(at_limit["X-Amz-Function-Error"].empty());
  const auto issue_figure =
      request(emulator.port(), verb::post, invocations, R"({"response_bytes":6291500})");
  EXPECT_TRUE(issue_figure["X-Amz-Function-Error"].empty());
  const auto over =
      request(emulator.port(), verb::post, invocations, R"({"response_bytes":6291557})");
  EXPECT_EQ(over["X-Amz-Function-Error"], "Unhandled");
  EXPECT_EQ(parse_json(over.body()).at("errorType"), "Function.ResponseSizeTooLarge");
}

// AWS's runtime interface emulator answers a /response for any id but the current
// invocation's, also before the first /next, with 400 InvalidRequestID
// (internal/lambda/rapi/middleware/middleware.go, AwsRequestIDValidator).
TEST(Robustness, ResponseBeforeTheFirstNextIsInvalidRequestId) {
  Emulator emulator(start_api({"--env", "HOSTILE_EARLY_RESPONSE=1"}));
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/ok").result_int(), 200);
  EXPECT_TRUE(emulator.wait_for_log(
      R"(early response 400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"})"))
      << emulator.logs();
}

// CloudWatch: INIT_START once per execution environment (docs: "Identifying Lambda runtime
// version changes"); every REPORT field ends with a tab, the last one too.
TEST(Robustness, InitStartAndReportLinesAreShapedAsInCloudWatch) {
  Emulator emulator(start_api());
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/ok").result_int(), 200);
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/ok").result_int(), 200);
  ASSERT_TRUE(emulator.wait_for_log("REPORT"));
  emulator.stop();
  const auto logs = emulator.logs();
  const std::regex init_start(
      "INIT_START Runtime Version: provided:al2023\\.v\\d+\tRuntime Version ARN: "
      "arn:aws:lambda:[a-z0-9-]+::runtime:[0-9a-f]{64}\n");
  EXPECT_EQ(std::distance(std::sregex_iterator(logs.begin(), logs.end(), init_start),
                          std::sregex_iterator()),
            1)
      << logs;
  const std::regex report(
      "REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled Duration: \\d+ ms\t"
      "Memory Size: 128 MB\tMax Memory Used: [1-9]\\d* MB\t(Init Duration: [0-9.]+ ms\t)?\n");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(logs.begin(), logs.end(), report), std::sregex_iterator()),
      2)
      << logs;
}

// A client that pipelines requests and never reads the answers fills the socket buffers one
// small answer at a time; the answer's write used to wait forever with no timeout, so the
// connection kept its slot (with every slot held so, each new client got 503 for good).
TEST(Robustness, ClientThatNeverReadsLosesItsConnectionAfterTheClientTimeout) {
  Emulator emulator(start_lambda({"--max-connections", "2", "--client-timeout", "1"}));
  const auto baseline = open_descriptors(emulator.pid());
  std::string pipelined;
  for (int i = 0; i < 100; ++i) {
    pipelined += "GET /2015-03-31/functions/nosuch/invocations HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  std::vector<int> hogs;
  for (int i = 0; i < 2; ++i) {
    hogs.push_back(connect_non_reading(emulator.port()));
    // Bounded: until the emulator's answers back up and the requests stop being taken, at
    // most 800 ms and 8 MB (enough to fill the socket buffers of both sides).
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(800);
    std::size_t sent = 0;
    while (std::chrono::steady_clock::now() < give_up && sent < std::size_t{8} * 1024 * 1024) {
      const auto got =
          ::send(hogs.back(), pipelined.data(), pipelined.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (got > 0) {
        sent += static_cast<std::size_t>(got);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
  // Closed without this side reading: reading the answers would let the emulator go on.
  for (const int hog : hogs) {
    pollfd closed{hog, POLLRDHUP, 0};
    EXPECT_EQ(::poll(&closed, 1, 30000), 1);  // sanitizer builds answer slowly
    EXPECT_NE(closed.revents & (POLLERR | POLLHUP | POLLRDHUP), 0);
    ::close(hog);
  }
  EXPECT_LE(descriptors_settled_to(emulator.pid(), baseline), baseline);
  expect_still_serving(emulator, invocations);
}

// A runtime may open as many Runtime API connections as it likes; each used to hold up to
// 6 MB of an unfinished /response with no bound on their sum (30 of them: 150 MB). They are
// now held to a per-instance budget of twice the response limit (docs/local.md, "Limits").
TEST(Robustness, RuntimeApiConnectionsCannotHoldUnboundedMemory) {
  Emulator emulator(start_api());
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/ok").result_int(), 200);
  [[maybe_unused]] const auto before_kb = resident_kb(emulator.pid());  // see below
  const auto response = request(emulator.port(), verb::get, "/prod/hog-runtime-api");
  ASSERT_EQ(response.result_int(), 200) << emulator.logs();
  const auto report = parse_json(response.body()).as_object();
  EXPECT_LE(report.at("held").to_number<int>(), 2) << response.body();
  EXPECT_EQ(report.at("held").to_number<int>() + report.at("refused").to_number<int>(), 30)
      << response.body();
  // 30 x 5 MB were sent; at most 2 x 6 MB may be held, plus the buffers of the others.
  // Under AddressSanitizer resident memory also holds its quarantine of freed blocks (up to
  // 256 MB), and under ThreadSanitizer the shadow of every byte written (57 MB measured), so
  // there the held and refused counts above are the bound.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(report.at("emulator_rss_kb").to_number<long>() - before_kb, 40L * 1024)
      << response.body();
#endif
  expect_still_serving(emulator, "/prod/ok");
}

// A descendant that leaves the instance every way it can (double fork, setsid, an empty
// environment, another program) used to outlive it, and with it the Runtime API connection
// it held: the Runtime API has no idle timeout, so that descriptor and session stayed for
// good, as did connections of any other local process. Both end with the instance now.
TEST(Robustness, OrphansAndRuntimeApiConnectionsEndWithTheInstance) {
  Emulator emulator(start_api());
  const auto baseline = open_descriptors(emulator.pid());
  const auto escape = request(emulator.port(), verb::get, "/prod/escape");
  ASSERT_EQ(escape.result_int(), 200) << emulator.logs();
  const pid_t escaped = parse_json(escape.body()).at("escaped").to_number<pid_t>();
  ASSERT_GT(escaped, 0);
  std::smatch found;
  const auto logs = emulator.logs();
  ASSERT_TRUE(std::regex_search(logs, found, std::regex(R"(Runtime API 127\.0\.0\.1:(\d+))")));
  const auto runtime_port = static_cast<std::uint16_t>(std::stoi(found[1]));
  RawClient half_request(runtime_port);
  half_request.send(
      "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab");
  RawClient idle(runtime_port);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/exit").result_int(), 502);
  EXPECT_TRUE(half_request.closed_by_server());
  EXPECT_TRUE(idle.closed_by_server());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (alive(escaped) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(alive(escaped)) << "the escaped descendant survived the instance";
  if (alive(escaped)) ::kill(escaped, SIGKILL);
  EXPECT_LE(descriptors_settled_to(emulator.pid(), baseline), baseline);
  expect_still_serving(emulator, "/prod/ok");
}

// Answers that quote what a caller or a function sent (an invocation type, a function name,
// an error report) used to copy bytes that are not UTF-8 into the JSON; such a body is not
// JSON and SDKs fail to read it. They are repaired (U+FFFD), the rest of the text kept.
TEST(Robustness, AnswersQuotingBytesThatAreNotUtf8AreStillJson) {
  Emulator emulator(start_lambda());
  const auto is_json = [](const std::string& text) {
    boost::system::error_code error;
    boost::json::parse(text, error);
    return !error;
  };
  RawClient bad_type(emulator.port());
  bad_type.send("POST " + invocations +
                " HTTP/1.1\r\nHost: x\r\nX-Amz-Invocation-Type: Ev\xffnt\r\nContent-Length: "
                "2\r\n\r\n{}");
  EXPECT_EQ(bad_type.status(), 400);
  EXPECT_TRUE(is_json(bad_type.last().body())) << bad_type.last().body();
  EXPECT_NE(bad_type.last().body().find("Ev\xef\xbf\xbdnt"), std::string::npos);
  RawClient bad_name(emulator.port());
  bad_name.send(
      "POST /2015-03-31/functions/a%FFb/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: "
      "2\r\n\r\n{}");
  // Not a name Lambda's pattern allows: 400 ValidationException quoting it (tests/fidelity).
  EXPECT_EQ(bad_name.status(), 400);
  EXPECT_TRUE(is_json(bad_name.last().body())) << bad_name.last().body();
  const auto reported =
      request(emulator.port(), verb::post, invocations, R"({"error_not_utf8":1})");
  EXPECT_EQ(reported.result_int(), 200);
  EXPECT_EQ(reported["X-Amz-Function-Error"], "Unhandled");
  EXPECT_TRUE(is_json(reported.body())) << reported.body();
  expect_still_serving(emulator, invocations);
}

// Slowloris: connections that send their request header a byte now and then cannot hold
// the connection slots; one still in its header counts as idle, so the oldest makes room
// for a new client, and none outlives the client timeout.
TEST(Robustness, SlowHeadersCannotHoldTheConnectionSlots) {
  Emulator emulator(start_lambda({"--max-connections", "4", "--client-timeout", "2"}));
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(std::make_unique<RawClient>(emulator.port()));
    slow.back()->send("POST " + invocations + " HTTP/1.1\r\nHost: x\r\nX-Slow: a");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(request(emulator.port(), verb::post, invocations, "{}").result_int(), 200);
  EXPECT_TRUE(slow.front()->closed_by_server());
  for (auto& client : slow) {
    client->send("a");  // still trickling, yet closed within the client timeout
    EXPECT_TRUE(client->closed_by_server());
  }
  expect_still_serving(emulator, invocations);
}

TEST(Robustness, MaxMemoryUsedIsNeverZeroEvenAfterACrashDuringInit) {
  TempDir directory;
  const auto bootstrap = directory.write("bootstrap", "#!/bin/sh\nexit 3\n", true);
  Emulator emulator({"start-api", "--bootstrap", bootstrap.string(), "--env-file", "/dev/null"});
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/ok").result_int(), 502);
  ASSERT_TRUE(emulator.wait_for_log("REPORT"));
  const auto logs = emulator.logs();
  EXPECT_TRUE(std::regex_search(logs, std::regex("Max Memory Used: [1-9]\\d* MB\t"))) << logs;
}

}  // namespace
}  // namespace cppstack::local::testing

namespace cppstack::local::testing {
namespace {

// With every descriptor taken, accept() fails with EMFILE: the emulator used to retry at
// once and spin; a cold start then threw outside the guarded path and ended the process.
TEST(Robustness, OutOfDescriptorsTheEmulatorWaitsAndRecovers) {
  Emulator emulator(start_api());
  // The emulator's limit only, set once it runs (and inherited by the instances it starts): the
  // test process keeps its own, so neither it nor a sanitizer's runtime in it runs out while
  // it holds the connections below. With the limit on the test process, the ThreadSanitizer
  // suite hung here now and then until its timeout, with no output.
  const rlimit limit{64, 64};
  ASSERT_EQ(::prlimit(emulator.pid(), RLIMIT_NOFILE, &limit, nullptr), 0) << std::strerror(errno);
  // Plain sockets, one descriptor each on this side.
  const auto connect_plain = [&emulator] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(emulator.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
  };
  std::vector<int> hogs;
  for (int i = 0; i < 56; ++i) hogs.push_back(connect_plain());
  ASSERT_TRUE(emulator.wait_for_log("cannot accept a connection (Too many open files); retrying"))
      << emulator.logs();
  // Requests on the held connections need a cold start, which cannot get descriptors either:
  // those invocations fail, the emulator does not.
  static constexpr std::string_view get = "GET /prod/ok HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const int hog : hogs)
    EXPECT_EQ(::send(hog, get.data(), get.size(), MSG_NOSIGNAL), static_cast<ssize_t>(get.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(::kill(emulator.pid(), 0), 0) << emulator.logs();
  for (const int hog : hogs) ::close(hog);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // past the longest back-off
  expect_still_serving(emulator, "/prod/ok");
  const auto logs = emulator.logs();
  std::size_t notices = 0;
  for (auto at = logs.find("cannot accept a connection"); at != std::string::npos;
       at = logs.find("cannot accept a connection", at + 1)) {
    ++notices;
  }
  EXPECT_LT(notices, 5U) << "one notice per episode, not one per retry";
}

// The echo fixture behind start-api, with one route that needs an API key.
std::vector<std::string> start_echo_api(const TempDir& directory,
                                        std::vector<std::string> extra = {}) {
  const auto routes = directory.write("routes.json", R"({"routes":[
    {"method":"POST","path":"/echo/keyed","auth":"apiKey"},
    {"method":"ANY","path":"/{proxy+}","auth":"none"}]})");
  std::vector<std::string> arguments{"start-api", "--bootstrap", FIXTURE_FUNCTION, "--env-file",
                                     "/dev/null", "--routes",    routes.string()};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

// RFC 9110 section 6.5.1: trailer fields are not merged into the header section. A key, a
// token or a Host sent only as a trailer used to authorize the request and change domainName.
TEST(Robustness, TrailersAreNeverMergedIntoTheHeaders) {
  TempDir directory;
  Emulator emulator(start_echo_api(directory, {"--api-key", "k"}));
  RawClient keyed(emulator.port());
  keyed.send(
      "POST /prod/echo/keyed HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\nx-api-key: k\r\nHost: evil.example\r\n\r\n");
  EXPECT_EQ(keyed.status(), 403) << keyed.last().body();
  RawClient echo(emulator.port());
  echo.send(
      "POST /prod/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\nX-Trailer-Only: t\r\nHost: evil.example\r\n\r\n");
  ASSERT_EQ(echo.status(), 200);
  const auto event = parse_json(echo.last().body()).as_object();
  EXPECT_FALSE(event.at("headers").as_object().contains("X-Trailer-Only")) << echo.last().body();
  EXPECT_EQ(event.at("headers").at("Host"), "x");
  EXPECT_EQ(event.at("requestContext").at("domainName"), "x");
  EXPECT_EQ(event.at("body"), "{}");
}

// The key the gateway checks is the one the event carries: `headers` holds the last line
// ("Input format of a Lambda function for proxy integration": a header sent twice is its last
// value in `headers`, every value in `multiValueHeaders`). Lines that disagree are refused, so
// no reading of the event finds a key nobody checked.
TEST(Robustness, DuplicateApiKeysAreOneCheckedValueOrRefused) {
  TempDir directory;
  Emulator emulator(start_echo_api(directory, {"--api-key", "k"}));
  const auto two_keys = [&](const std::string& first, const std::string& second) {
    RawClient client(emulator.port());
    client.send("POST /prod/echo/keyed HTTP/1.1\r\nHost: x\r\nx-api-key: " + first +
                "\r\nX-Api-Key: " + second + "\r\nContent-Length: 2\r\n\r\n{}");
    const int status = client.status();
    return std::pair{status, client.last().body()};
  };
  EXPECT_EQ(two_keys("k", "other").first, 403);
  EXPECT_EQ(two_keys("other", "k").first, 403);
  const auto [status, body] = two_keys("k", "k");
  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(parse_json(body).at("requestContext").at("identity").at("apiKey"), "k");
}

// RFC 9112 section 3.2.2: a server MUST accept an absolute-form target; the Host it names is
// the one used. A malformed request line is 400, as nginx answers it, not 505: 505 is for a
// well-formed line naming a version the server does not speak.
TEST(Robustness, RequestLinesAreReadAsRfc9112AndNginxReadThem) {
  TempDir directory;
  Emulator emulator(start_echo_api(directory));
  RawClient absolute(emulator.port());
  absolute.send("GET http://api.example:8080/prod/echo?a=1 HTTP/1.1\r\nHost: other\r\n\r\n");
  ASSERT_EQ(absolute.status(), 200) << absolute.last().body();
  const auto event = parse_json(absolute.last().body()).as_object();
  EXPECT_EQ(event.at("path"), "/echo");
  EXPECT_EQ(event.at("queryStringParameters").at("a"), "1");
  EXPECT_EQ(event.at("requestContext").at("domainName"), "api.example");
  const std::vector<std::pair<std::string, int>> cases{
      {"GET /prod/echo http/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /prod/echo HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
      {"GET /prod/e cho HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /prod/echo HTTP/1.1\nHost: x\r\n\r\n", 400},  // a bare LF ends the line
      {"GET /prod/echo HTTP/1.x\r\nHost: x\r\n\r\n", 400},
      {"GET ftp://x/prod/echo HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET http://user@x/prod/echo HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /prod/echo HTTP/3.0\r\nHost: x\r\n\r\n", 505},
  };
  for (const auto& [bytes, status] : cases) {
    RawClient client(emulator.port());
    client.send(bytes);
    EXPECT_EQ(client.status(), status) << bytes;
  }
  expect_still_serving(emulator, "/prod/echo");
}

// Every byte a client controls reaches the emulator's lines escaped (log_text.hpp): a target
// holding a C1 control, U+2028 or U+0085 cannot start a line of its own or move the cursor.
TEST(Robustness, AccessLinesEscapeWhatTheClientSent) {
  TempDir directory;
  Emulator emulator(start_echo_api(directory));
  RawClient client(emulator.port());
  client.send(
      "GET /prod/echo/a\x9b"
      "b\xc2\x85"
      "c\xe2\x80\xa8"
      "d HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.status(), 200);
  ASSERT_TRUE(emulator.wait_for_log("GET /prod/echo/a\\x9Bb\\xC2\\x85c\\xE2\\x80\\xA8d 200"))
      << emulator.logs();
  const auto logs = emulator.logs();
  EXPECT_EQ(logs.find("\x9b"), std::string::npos);
  EXPECT_EQ(logs.find("\xc2\x85"), std::string::npos);
  EXPECT_EQ(logs.find("\xe2\x80\xa8"), std::string::npos);
}

// Answers waiting for clients that do not read them are held to one budget over all
// connections (--max-answer-memory): 120 clients not reading 5 MB answers used to take 306 MB.
// The answer that would go over it is a short 503 instead, and the bytes of an answer are
// free again once its client took it or left.
TEST(Robustness, AnswersHeldForClientsThatDoNotReadThemAreBounded) {
  // One instance: the non-reading client's invocation runs first (its START line is awaited),
  // so its answer is the one held; other requests meanwhile get 429, then 503.
  Emulator emulator(start_lambda({"--max-answer-memory", "8", "--concurrency", "1"}));
  const std::string body = R"({"response_bytes":6000000})";
  const std::string post = "POST " + invocations + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body;
  // 6 MB cannot all go into the sockets' buffers (at most 4 MB on Linux): the rest waits in
  // the emulator until this client reads, which it never does.
  const int hog = connect_non_reading(emulator.port());
  ASSERT_EQ(::send(hog, post.data(), post.size(), MSG_NOSIGNAL), static_cast<ssize_t>(post.size()));
  ASSERT_TRUE(emulator.wait_for_log("START RequestId")) << emulator.logs();
  int status = 0;
  for (int attempt = 0; attempt < 50 && status != 503; ++attempt) {
    const auto response = request(emulator.port(), verb::post, invocations, body);
    status = response.result_int();
    if (status == 503) {
      EXPECT_EQ(response[http::field::retry_after], "1");
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  EXPECT_EQ(status, 503) << emulator.logs();
  EXPECT_TRUE(emulator.wait_for_log("answer memory limit reached")) << emulator.logs();
  ::close(hog);
  int after = 0;
  for (int attempt = 0; attempt < 50 && after != 200; ++attempt) {
    after = request(emulator.port(), verb::post, invocations, body).result_int();
    if (after != 200) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(after, 200);
}

// A usage plan's counts go on across reloads of routes.json, as API Gateway keeps them across
// deployments: a 2/DAY quota used to let 2 more requests through after every reload.
TEST(Robustness, QuotaCountsOutliveReloadsOfTheRoutes) {
  TempDir directory;
  const auto env = directory.write("quota.env", "API_QUOTA_LIMIT=2\nAPI_QUOTA_PERIOD=DAY\n");
  const std::string keyed_route = R"({"method":"POST","path":"/echo/keyed","auth":"apiKey"})";
  const auto routes = directory.write("routes.json", R"({"routes":[)" + keyed_route + "]}");
  Emulator emulator({"start-api", "--bootstrap", FIXTURE_FUNCTION, "--env-file", env.string(),
                     "--routes", routes.string(), "--api-key", "k"});
  const auto keyed = [&emulator] {
    return request(emulator.port(), verb::post, "/prod/echo/keyed", "{}", {{"x-api-key", "k"}})
        .result_int();
  };
  EXPECT_EQ(keyed(), 200);
  directory.write("routes.json",
                  R"({"routes":[)" + keyed_route + R"(,{"method":"GET","path":"/echo/other"}]})");
  ASSERT_TRUE(emulator.wait_for_log("routes reloaded")) << emulator.logs();
  EXPECT_EQ(keyed(), 200);
  EXPECT_EQ(keyed(), 429);
}

}  // namespace
}  // namespace cppstack::local::testing
