#pragma once
// Shared between the pool's scheduling (function_pool.cpp) and each instance's Runtime API
// state machine (instance.cpp): the invocation record and the pool's internal state.

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cppstack/local/function_pool.hpp>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cppstack::local {

using Clock = std::chrono::steady_clock;

inline constexpr std::size_t log_tail_bytes = 4096;

/// One invocation from the moment the pool accepts it until its completion has run.
struct Invocation {
  std::string request_id;
  std::string payload;
  std::optional<std::string> client_context;
  std::optional<std::string> trace_id;
  std::optional<std::string> qualifier;
  FunctionPool::Completion done;
  bool wait_for_capacity = false;
  bool finished = false;
  Clock::time_point delivered_at;
  std::string log;  // this invocation's log lines, trimmed to the last few KB

  void append_log(std::string_view line);
  [[nodiscard]] std::string tail() const;
};

/// Runs an invocation's completion; an exception from it is reported, never propagated, so
/// the pool and the instance go on (guarded.hpp). A completion that throws is called once
/// more, with a function error, so its caller still gets an answer.
void complete(FunctionPool::Completion& done, InvokeResult result, LambdaLog& log);

/// The bootstrap file's identity, to notice a rebuild (hot reload).
struct BootstrapIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  std::int64_t mtime_ns = 0;
  off_t size = 0;
  bool operator==(const BootstrapIdentity&) const = default;
};

[[nodiscard]] std::optional<BootstrapIdentity> identify(const std::filesystem::path& file);

class Instance;

class FunctionPool::Impl : public std::enable_shared_from_this<FunctionPool::Impl> {
 public:
  Impl(boost::asio::io_context& io_context, FunctionConfig function_config,
       std::shared_ptr<LambdaLog> lambda_log);

  void invoke(InvokeRequest request, Completion done);
  void shutdown(std::function<void()> done);
  void assign_or_spawn(const std::shared_ptr<Invocation>& invocation);
  void instance_free(const std::shared_ptr<Instance>& instance);
  void remove(const std::shared_ptr<Instance>& instance);
  void process_gone(const std::shared_ptr<Instance>& instance);
  void check_for_new_build();
  [[nodiscard]] std::vector<std::string> environment_for(std::uint16_t runtime_port,
                                                         const std::string& log_stream) const;

  boost::asio::io_context& io;
  boost::asio::strand<boost::asio::io_context::executor_type> strand;
  FunctionConfig config;
  std::shared_ptr<LambdaLog> log;
  std::optional<BootstrapIdentity> identity;
  int generation = 0;
  int instance_counter = 0;
  bool shutting_down = false;
  std::vector<std::shared_ptr<Instance>> instances;  // counted against the concurrency limit
  std::set<std::shared_ptr<Instance>> processes;     // every process not yet reaped
  std::deque<std::shared_ptr<Invocation>> waiting;   // asynchronous invocations
  std::function<void()> on_shutdown_complete;
  std::unique_ptr<boost::asio::steady_timer> shutdown_timer;
};

}  // namespace cppstack::local
