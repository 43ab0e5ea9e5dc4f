#pragma once
// The local Lambda Invoke API (`cppstack-local start-lambda`, contracts.md section 3):
// `POST /2015-03-31/functions/{FunctionName}/invocations` with the RequestResponse, Event and
// DryRun invocation types, function errors as 200 + X-Amz-Function-Error, and the log tail on
// request. Any SigV4 signature is accepted, so the AWS CLI and SDKs work with --endpoint-url.
//
//   cppstack::local::InvokeApiServer server(io, {.port = 3001}, pool, log);
//   server.start();
//   // aws lambda invoke --endpoint-url http://127.0.0.1:3001 --function-name NAME out.json

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cppstack/local/function_pool.hpp>
#include <cppstack/local/lambda_log.hpp>
#include <memory>
#include <string>

namespace cppstack::local {

/// Lambda's limit on an asynchronous (Event) invocation's payload: 1 MB ("For asynchronous
/// invocations, the maximum payload size is 1 MB", Invoke API reference).
inline constexpr std::size_t max_async_payload_bytes = std::size_t{1024} * 1024;
/// Event invocations accepted (202) and not yet run or finished, at most; beyond it 429.
inline constexpr std::size_t max_queued_events = 1000;
/// Their payloads together, at most (bounds the memory the queue holds).
inline constexpr std::size_t max_queued_event_bytes = std::size_t{128} * 1024 * 1024;

struct InvokeApiConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3001;  ///< 0 picks a free port
};

class InvokeApiServer {
 public:
  InvokeApiServer(boost::asio::io_context& io, const InvokeApiConfig& config, FunctionPool& pool,
                  std::shared_ptr<LambdaLog> log);
  ~InvokeApiServer();
  InvokeApiServer(const InvokeApiServer&) = delete;
  InvokeApiServer& operator=(const InvokeApiServer&) = delete;

  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  void start();
  void stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_{};
};

}  // namespace cppstack::local
