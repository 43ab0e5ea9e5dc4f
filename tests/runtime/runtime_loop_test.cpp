#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/runtime/runtime_loop.hpp>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "fake_runtime_api.hpp"

namespace cppstack::runtime {
namespace {

using namespace std::chrono_literals;
using testing::AfterReply;
using testing::FakeRuntimeApi;
using testing::ScriptedEvent;
using testing::standard_event;

constexpr const char* kNextTarget = "/2018-06-01/runtime/invocation/next";

std::string response_target(const std::string& request_id) {
  return "/2018-06-01/runtime/invocation/" + request_id + "/response";
}
std::string error_target(const std::string& request_id) {
  return "/2018-06-01/runtime/invocation/" + request_id + "/error";
}

Initializer serving(Handler handler) {
  return [handler = std::move(handler)] { return handler; };
}

std::string echo(const Invocation& invocation) { return invocation.payload; }

Handler counting_echo(int& calls) {
  return [&calls](const Invocation& invocation) {
    ++calls;
    return invocation.payload;
  };
}

boost::json::object json_body(const testing::RecordedRequest& request) {
  return boost::json::parse(request.body).as_object();
}

// An address where nothing listens: bind an ephemeral port, then release it.
std::string closed_port_address() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
}

class RuntimeLoop : public ::testing::Test {
 protected:
  RuntimeOptions options_for(std::uint64_t invocations) const {
    RuntimeOptions options;
    options.runtime_api = api.address();
    options.max_invocations = invocations;
    options.max_transport_retries = 3;
    options.initial_backoff = 1ms;
    return options;
  }

  // Each event's payload was its id and came back exactly once as the response.
  void expect_each_echoed(std::initializer_list<const char*> request_ids) const {
    for (const char* id : request_ids) {
      const auto posted = api.requests_to(response_target(id));
      ASSERT_EQ(posted.size(), 1u) << id;
      EXPECT_EQ(posted[0].body, id);
    }
  }

  FakeRuntimeApi api;
};

TEST_F(RuntimeLoop, PostsTheHandlerOutputAsTheResponse) {
  api.push_event(standard_event("id-1", R"({"greeting":"hello"})"));
  const int result = run(serving([](const Invocation& invocation) {
                           return R"({"echo":)" + invocation.payload + "}";
                         }),
                         options_for(1));
  EXPECT_EQ(result, 0);

  const auto requests = api.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, kNextTarget);
  EXPECT_EQ(requests[0].header("Host"), api.address());
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target, response_target("id-1"));
  EXPECT_EQ(requests[1].header("Content-Type"), "application/json");
  EXPECT_EQ(requests[1].header("Lambda-Runtime-Function-Error-Type"), std::nullopt);
  EXPECT_EQ(requests[1].body, R"({"echo":{"greeting":"hello"}})");
}

TEST_F(RuntimeLoop, KeepsOneConnectionAcrossInvocations) {
  for (const char* id : {"a", "b", "c"}) api.push_event(standard_event(id, id));
  EXPECT_EQ(run(serving(echo), options_for(3)), 0);
  EXPECT_EQ(api.connections_accepted(), 1u);
  expect_each_echoed({"a", "b", "c"});
}

TEST_F(RuntimeLoop, HandlesAnEventWithoutOptionalHeadersOrContentType) {
  ScriptedEvent bare;
  bare.headers = {{"Lambda-Runtime-Aws-Request-Id", "bare-1"}};
  api.push_event(bare);
  ScriptedEvent garbage_deadline;
  garbage_deadline.headers = {{"Lambda-Runtime-Aws-Request-Id", "bare-2"},
                              {"Lambda-Runtime-Deadline-Ms", "soon"}};
  garbage_deadline.payload = "not json at all";
  api.push_event(garbage_deadline);

  std::vector<Invocation> seen;
  const int result = run(serving([&](const Invocation& invocation) {
                           seen.push_back(invocation);
                           return std::string("handled");
                         }),
                         options_for(2));
  EXPECT_EQ(result, 0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].request_id, "bare-1");
  EXPECT_EQ(seen[0].payload, "");
  EXPECT_EQ(seen[0].deadline_ms, 0);
  EXPECT_EQ(seen[0].invoked_function_arn, "");
  EXPECT_FALSE(seen[0].trace_id.has_value());
  EXPECT_FALSE(seen[0].client_context.has_value());
  EXPECT_FALSE(seen[0].cognito_identity.has_value());
  EXPECT_FALSE(seen[0].tenant_id.has_value());
  EXPECT_EQ(seen[1].deadline_ms, 0);
  EXPECT_EQ(seen[1].payload, "not json at all");
  EXPECT_EQ(api.requests_to(response_target("bare-1")).size(), 1u);
  EXPECT_EQ(api.requests_to(response_target("bare-2")).size(), 1u);
}

TEST_F(RuntimeLoop, ExposesEveryHeaderInTheInvocation) {
  auto event = standard_event("full-1", "{}");
  event.headers.emplace_back("Lambda-Runtime-Deadline-Ms", "1700000000123");
  event.headers.erase(event.headers.begin() + 2);  // the standard deadline
  event.headers.emplace_back("Lambda-Runtime-Trace-Id",
                             "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419");
  event.headers.emplace_back("Lambda-Runtime-Client-Context", R"({"client":{"app":"x"}})");
  event.headers.emplace_back("Lambda-Runtime-Cognito-Identity", R"({"cognitoIdentityId":"c"})");
  event.headers.emplace_back("Lambda-Runtime-Aws-Tenant-Id", "tenant-42");
  api.push_event(event);

  Invocation seen;
  EXPECT_EQ(run(serving([&](const Invocation& invocation) {
                  seen = invocation;
                  return std::string("{}");
                }),
                options_for(1)),
            0);
  EXPECT_EQ(seen.request_id, "full-1");
  EXPECT_EQ(seen.deadline_ms, 1700000000123);
  EXPECT_EQ(seen.invoked_function_arn,
            "arn:aws:lambda:us-east-1:123456789012:function:cppstack-test");
  EXPECT_EQ(seen.trace_id, "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419");
  EXPECT_EQ(seen.client_context, R"({"client":{"app":"x"}})");
  EXPECT_EQ(seen.cognito_identity, R"({"cognitoIdentityId":"c"})");
  EXPECT_EQ(seen.tenant_id, "tenant-42");
  EXPECT_EQ(seen.payload, "{}");
}

TEST_F(RuntimeLoop, SetsTheTraceIdVariablePerEventAndUnsetsItWhenAbsent) {
  ::setenv("_X_AMZN_TRACE_ID", "left-over", 1);
  auto traced = standard_event("traced", "{}");
  traced.headers.emplace_back("Lambda-Runtime-Trace-Id", "Root=1-aaaa;Sampled=1");
  api.push_event(traced);
  api.push_event(standard_event("untraced", "{}"));
  auto traced_again = standard_event("traced-again", "{}");
  traced_again.headers.emplace_back("Lambda-Runtime-Trace-Id", "Root=1-bbbb;Sampled=0");
  api.push_event(traced_again);

  std::vector<std::string> seen;
  EXPECT_EQ(run(serving([&](const Invocation&) {
                  const char* value = std::getenv("_X_AMZN_TRACE_ID");
                  seen.emplace_back(value == nullptr ? "<unset>" : value);
                  return std::string("{}");
                }),
                options_for(3)),
            0);
  EXPECT_EQ(seen, (std::vector<std::string>{"Root=1-aaaa;Sampled=1", "<unset>",
                                            "Root=1-bbbb;Sampled=0"}));
  ::unsetenv("_X_AMZN_TRACE_ID");
}

TEST_F(RuntimeLoop, PassesTheDeadlineToTheHandler) {
  api.push_event(standard_event("deadline", "{}"));  // deadline 60 s ahead
  std::chrono::milliseconds remaining{-1};
  EXPECT_EQ(run(serving([&](const Invocation& invocation) {
                  remaining = invocation.remaining_time();
                  return std::string("{}");
                }),
                options_for(1)),
            0);
  EXPECT_GT(remaining, 0ms);
  EXPECT_LE(remaining, 60000ms);
}

TEST_F(RuntimeLoop, ThrowingHandlerPostsAnErrorAndTheNextEventIsStillHandled) {
  api.push_event(standard_event("fails", "{}"));
  api.push_event(standard_event("works", "fine"));
  ::testing::internal::CaptureStderr();
  const int result = run(serving([](const Invocation& invocation) -> std::string {
                           if (invocation.request_id == "fails") {
                             throw std::runtime_error("database unavailable");
                           }
                           return invocation.payload;
                         }),
                         options_for(2));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(result, 0);

  const auto errors = api.requests_to(error_target("fails"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].header("Lambda-Runtime-Function-Error-Type"), "Function.UnhandledException");
  EXPECT_EQ(errors[0].header("Content-Type"), "application/json");
  const auto body = json_body(errors[0]);
  EXPECT_EQ(body.at("errorMessage").as_string(), "database unavailable");
  EXPECT_EQ(body.at("errorType").as_string(), "std::runtime_error");
  EXPECT_TRUE(body.at("stackTrace").as_array().empty());
  EXPECT_TRUE(api.requests_to(response_target("fails")).empty());

  const auto responses = api.requests_to(response_target("works"));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "fine");
  EXPECT_NE(log.find("database unavailable"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("level":"ERROR")"), std::string::npos) << log;
}

TEST_F(RuntimeLoop, FunctionErrorChoosesTheErrorType) {
  api.push_event(standard_event("invalid", "{}"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving([](const Invocation&) -> std::string {
                  throw FunctionError("ValidationError", "name is required");
                }),
                options_for(1)),
            0);
  ::testing::internal::GetCapturedStderr();
  const auto errors = api.requests_to(error_target("invalid"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(json_body(errors[0]).at("errorType").as_string(), "ValidationError");
  EXPECT_EQ(json_body(errors[0]).at("errorMessage").as_string(), "name is required");
  EXPECT_EQ(errors[0].header("Lambda-Runtime-Function-Error-Type"), "Function.UnhandledException");
}

TEST_F(RuntimeLoop, NonStdExceptionIsReportedWithItsTypeName) {
  api.push_event(standard_event("odd", "{}"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving([](const Invocation&) -> std::string { throw 7; }), options_for(1)), 0);
  ::testing::internal::GetCapturedStderr();
  const auto errors = api.requests_to(error_target("odd"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(json_body(errors[0]).at("errorType").as_string(), "int");
  EXPECT_EQ(errors[0].header("Lambda-Runtime-Function-Error-Type"), "Runtime.UnknownReason");
}

TEST_F(RuntimeLoop, NonAsciiErrorMessageArrivesByteExact) {
  const std::string message = "Grüße — 日本語 ✓";
  api.push_event(standard_event("unicode", "{}"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(
      run(serving([&](const Invocation&) -> std::string { throw std::runtime_error(message); }),
          options_for(1)),
      0);
  ::testing::internal::GetCapturedStderr();
  const auto errors = api.requests_to(error_target("unicode"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].body.find(message), std::string::npos) << errors[0].body;
  EXPECT_EQ(json_body(errors[0]).at("errorMessage").as_string(), message);
}

TEST_F(RuntimeLoop, InvalidUtf8InTheErrorMessageStillGivesValidJson) {
  api.push_event(standard_event("binary", "{}"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving([](const Invocation&) -> std::string {
                  throw std::runtime_error("bad \xFF\xC3 bytes\n");
                }),
                options_for(1)),
            0);
  ::testing::internal::GetCapturedStderr();
  const auto errors = api.requests_to(error_target("binary"));
  ASSERT_EQ(errors.size(), 1u);
  // boost::json::parse rejects invalid UTF-8, so parsing at all proves the body is valid.
  EXPECT_EQ(json_body(errors[0]).at("errorMessage").as_string(),
            "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes\n");
}

TEST_F(RuntimeLoop, NonJsonEventIsTheHandlersConcernAndTheLoopGoesOn) {
  api.push_event(standard_event("garbage", "{not json"));
  api.push_event(standard_event("valid", R"({"n":1})"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving([](const Invocation& invocation) {
                  return boost::json::serialize(boost::json::parse(invocation.payload));
                }),
                options_for(2)),
            0);
  ::testing::internal::GetCapturedStderr();
  const auto errors = api.requests_to(error_target("garbage"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(json_body(errors[0]).at("errorType").as_string(), "boost::system::system_error");
  const auto responses = api.requests_to(response_target("valid"));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, R"({"n":1})");
}

TEST_F(RuntimeLoop, ThrowingInitializerPostsInitErrorAndReturnsOne) {
  ::testing::internal::CaptureStderr();
  const int result =
      run([]() -> Handler { throw std::runtime_error("missing TABLE_NAME"); }, options_for(0));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(result, 1);
  const auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(requests[0].header("Lambda-Runtime-Function-Error-Type"), "Runtime.UnknownReason");
  const auto body = json_body(requests[0]);
  EXPECT_EQ(body.at("errorMessage").as_string(), "missing TABLE_NAME");
  EXPECT_EQ(body.at("errorType").as_string(), "std::runtime_error");
  EXPECT_TRUE(body.at("stackTrace").as_array().empty());
  EXPECT_NE(log.find("missing TABLE_NAME"), std::string::npos) << log;
}

TEST_F(RuntimeLoop, InitializerReturningNoHandlerIsAnInitError) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run([] { return Handler(); }, options_for(0)), 1);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(api.requests_to("/2018-06-01/runtime/init/error").size(), 1u);
}

TEST(RuntimeLoopWithoutServer, RetriesWithBackoffThenReturnsTwoNamingTheAddress) {
  RuntimeOptions options;
  options.runtime_api = closed_port_address();
  options.max_transport_retries = 3;
  options.initial_backoff = 1ms;
  ::testing::internal::CaptureStderr();
  const int result = run(serving(echo), options);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(result, 2);
  EXPECT_NE(log.find(options.runtime_api), std::string::npos) << log;
  EXPECT_NE(log.find("Connection refused"), std::string::npos) << log;
  EXPECT_NE(log.find("3 retries"), std::string::npos) << log;
}

TEST(RuntimeLoopWithoutServer, NonNumericAddressReturnsOne) {
  RuntimeOptions options;
  options.runtime_api = "localhost:9001";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving(echo), options), 1);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("numeric"), std::string::npos) << log;
}

TEST_F(RuntimeLoop, ReconnectsWhenTheServerAnnouncesConnectionClose) {
  api.set_after_post(AfterReply::announce_close);
  for (const char* id : {"a", "b", "c"}) api.push_event(standard_event(id, id));
  EXPECT_EQ(run(serving(echo), options_for(3)), 0);
  EXPECT_EQ(api.connections_accepted(), 3u);
  expect_each_echoed({"a", "b", "c"});
}

TEST_F(RuntimeLoop, ReconnectsWhenTheServerDropsTheConnectionSilently) {
  auto dropped_after_event = standard_event("a", "a");
  dropped_after_event.after_reply = AfterReply::drop_silently;
  api.push_event(dropped_after_event);
  api.push_event(standard_event("b", "b"));
  api.push_event(standard_event("c", "c"));
  api.set_after_post(AfterReply::drop_silently);
  EXPECT_EQ(run(serving(echo), options_for(3)), 0);
  EXPECT_GE(api.connections_accepted(), 4u);
  expect_each_echoed({"a", "b", "c"});
}

TEST_F(RuntimeLoop, PayloadTooLargeAnswerPostsAnErrorForThatInvocation) {
  api.set_post_status(response_target("big"), 413);
  api.push_event(standard_event("big", "{}"));
  api.push_event(standard_event("after", "ok"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving([](const Invocation& invocation) {
                  return invocation.request_id == "big" ? std::string(4096, 'x')
                                                        : invocation.payload;
                }),
                options_for(2)),
            0);
  ::testing::internal::GetCapturedStderr();
  const auto errors = api.requests_to(error_target("big"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].header("Lambda-Runtime-Function-Error-Type"),
            "Function.ResponseSizeTooLarge");
  const auto body = json_body(errors[0]);
  EXPECT_EQ(body.at("errorType").as_string(), "Function.ResponseSizeTooLarge");
  EXPECT_NE(std::string(body.at("errorMessage").as_string()).find("4096"), std::string::npos);
  EXPECT_EQ(api.requests_to(response_target("after")).size(), 1u);
}

TEST_F(RuntimeLoop, OtherClientErrorOnTheResponseIsLoggedAndTheLoopGoesOn) {
  api.set_post_status(response_target("stale"), 400);
  api.push_event(standard_event("stale", "{}"));
  api.push_event(standard_event("fresh", "{}"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving(echo), options_for(2)), 0);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("400"), std::string::npos) << log;
  EXPECT_NE(log.find("stale"), std::string::npos) << log;
  EXPECT_TRUE(api.requests_to(error_target("stale")).empty());
  EXPECT_EQ(api.requests_to(response_target("fresh")).size(), 1u);
}

TEST_F(RuntimeLoop, ContainerErrorOnNextReturnsTwo) {
  ScriptedEvent broken;
  broken.status = 500;
  broken.payload = R"({"errorType":"Container"})";
  api.push_event(broken);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving(echo), options_for(0)), 2);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("500"), std::string::npos) << log;
}

TEST_F(RuntimeLoop, EventWithoutRequestIdIsSkipped) {
  ScriptedEvent anonymous;
  anonymous.payload = "{}";
  api.push_event(anonymous);
  api.push_event(standard_event("named", "{}"));
  int calls = 0;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving(counting_echo(calls)), options_for(2)), 0);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(calls, 1);
  EXPECT_NE(log.find("Lambda-Runtime-Aws-Request-Id"), std::string::npos) << log;
  EXPECT_EQ(api.requests_to(response_target("named")).size(), 1u);
}

TEST_F(RuntimeLoop, SixMegabyteEventsArriveWhole) {
  std::string payload(6'500'000, 'p');
  payload.front() = '"';
  payload.back() = '"';
  api.push_event(standard_event("large", payload));
  EXPECT_EQ(run(serving(echo), options_for(1)), 0);
  const auto posted = api.requests_to(response_target("large"));
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].body, payload);
}

TEST_F(RuntimeLoop, EventOverTheSizeLimitIsReportedAndTheLoopGoesOn) {
  api.push_event(standard_event("huge", std::string(8u * 1024 * 1024, 'h')));
  api.push_event(standard_event("small", "{}"));
  int calls = 0;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(serving(counting_echo(calls)), options_for(2)), 0);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(calls, 1);
  const auto errors = api.requests_to(error_target("huge"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(json_body(errors[0]).at("errorType").as_string(), "Runtime.EventTooLarge");
  EXPECT_EQ(api.requests_to(response_target("small")).size(), 1u);
}

TEST_F(RuntimeLoop, MaxInvocationsStopsTheLoop) {
  for (const char* id : {"1", "2", "3"}) api.push_event(standard_event(id, id));
  EXPECT_EQ(run(serving(echo), options_for(2)), 0);
  EXPECT_EQ(api.requests_to(kNextTarget).size(), 2u);
  EXPECT_EQ(api.requests_to(response_target("1")).size(), 1u);
  EXPECT_EQ(api.requests_to(response_target("2")).size(), 1u);
  EXPECT_TRUE(api.requests_to(response_target("3")).empty());
}

TEST_F(RuntimeLoop, SigtermWhileWaitingForAnEventReturnsZero) {
  api.push_event(standard_event("before-signal", "{}"));
  std::atomic<int> result{-1};
  ::testing::internal::CaptureStderr();
  std::thread loop([&] { result = run(serving(echo), options_for(0)); });
  // Held means the first event was answered and the loop now blocks in GET /next.
  const bool holding = api.wait_until_holding_next(15s);
  if (holding) ::kill(::getpid(), SIGTERM);
  loop.join();
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(holding);
  EXPECT_EQ(result.load(), 0);
  EXPECT_EQ(api.requests_to(response_target("before-signal")).size(), 1u);
  EXPECT_NE(log.find("SIGTERM"), std::string::npos) << log;
}

TEST_F(RuntimeLoop, SigtermDuringTheHandlerStillPostsItsResponseThenReturnsZero) {
  api.push_event(standard_event("in-flight", "finished"));
  api.push_event(standard_event("never-fetched", "{}"));
  ::testing::internal::CaptureStderr();
  const int result = run(serving([](const Invocation& invocation) {
                           ::kill(::getpid(), SIGTERM);
                           return invocation.payload;
                         }),
                         options_for(0));
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(result, 0);
  const auto posted = api.requests_to(response_target("in-flight"));
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].body, "finished");
  EXPECT_EQ(api.requests_to(kNextTarget).size(), 1u);
}

}  // namespace
}  // namespace cppstack::runtime
