#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <cppstack/local/function_pool.hpp>
#include <cppstack/local/gateway_event.hpp>
#include <cppstack/observability/logger.hpp>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <set>

#include "http_server.hpp"
#include "process.hpp"

namespace cppstack::local {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view runtime_prefix = "/2018-06-01/runtime/";
constexpr std::size_t log_tail_bytes = 4096;

std::int64_t epoch_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

double milliseconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string format_ms(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

std::string random_hex(std::size_t digits) {
  std::string uuid;
  while (uuid.size() < digits) {
    for (const char c : random_uuid()) {
      if (c != '-') uuid.push_back(c);
    }
  }
  uuid.resize(digits);
  return uuid;
}

std::string error_json(std::string_view message, std::string_view type) {
  boost::json::object error;
  error["errorMessage"] = message;
  error["errorType"] = type;
  return boost::json::serialize(error);
}

HttpResponse runtime_error_response(http::status status, std::string_view message,
                                    std::string_view type) {
  return json_response(status, error_json(message, type));
}

struct BootstrapIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  std::int64_t mtime_ns = 0;
  off_t size = 0;
  bool operator==(const BootstrapIdentity&) const = default;
};

std::optional<BootstrapIdentity> identify(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return std::nullopt;
  return BootstrapIdentity{info.st_dev, info.st_ino,
                           std::int64_t(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec,
                           info.st_size};
}

}  // namespace

std::string FunctionConfig::function_arn() const {
  return "arn:aws:lambda:" + region + ":" + account_id + ":function:" + function_name;
}

struct Invocation {
  std::string request_id;
  std::string payload;
  std::optional<std::string> client_context;
  FunctionPool::Completion done;
  bool wait_for_capacity = false;
  bool finished = false;
  Clock::time_point delivered_at;
  std::string log;  // this invocation's log lines, trimmed to the last few KB

  void append_log(std::string_view line) {
    log.append(line);
    log.push_back('\n');
    if (log.size() > 4 * log_tail_bytes) log.erase(0, log.size() - log_tail_bytes);
  }
  [[nodiscard]] std::string tail() const {
    return log.size() <= log_tail_bytes ? log : log.substr(log.size() - log_tail_bytes);
  }
};

class Instance;

class FunctionPool::Impl : public std::enable_shared_from_this<FunctionPool::Impl> {
 public:
  Impl(asio::io_context& io_context, FunctionConfig function_config,
       std::shared_ptr<LambdaLog> lambda_log)
      : io(io_context),
        strand(asio::make_strand(io_context)),
        config(std::move(function_config)),
        log(std::move(lambda_log)),
        identity(identify(config.bootstrap)) {}

  void invoke(InvokeRequest request, Completion done);
  void shutdown(std::function<void()> done);
  void assign_or_spawn(const std::shared_ptr<Invocation>& invocation);
  void instance_free(const std::shared_ptr<Instance>& instance);
  void remove(const std::shared_ptr<Instance>& instance);
  void process_gone(const std::shared_ptr<Instance>& instance);
  void check_for_new_build();
  std::vector<std::string> environment_for(std::uint16_t runtime_port,
                                           const std::string& log_stream) const;

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
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
  std::unique_ptr<asio::steady_timer> shutdown_timer;
};

class Instance : public std::enable_shared_from_this<Instance> {
 public:
  Instance(FunctionPool::Impl& pool, int number, int generation)
      : pool_(pool),
        number_(number),
        generation_(generation),
        exit_watch_(pool.strand),
        output_(pool.strand),
        deadline_timer_(pool.strand),
        kill_timer_(pool.strand) {}

  [[nodiscard]] int generation() const { return generation_; }
  [[nodiscard]] bool busy() const { return current_ != nullptr; }
  [[nodiscard]] bool usable() const { return !exited_ && !stopping_; }

  /// Starts the process for its first invocation. Returns false (invocation answered) when
  /// the bootstrap cannot be executed.
  bool start(const std::shared_ptr<Invocation>& first) {
    current_ = first;
    cold_ = true;
    HttpServerOptions options;
    options.body_limit = max_sync_payload_bytes;
    options.idle_timeout = std::chrono::milliseconds(0);
    options.session_executor = asio::any_io_executor(pool_.strand);
    options.too_large = [weak = weak_from_this()](const http::request_header<>& header) {
      if (auto self = weak.lock()) self->response_too_large(header);
      return runtime_error_response(http::status::payload_too_large,
                                    "Exceeded maximum allowed payload size (" +
                                        std::to_string(max_sync_payload_bytes) + " bytes).",
                                    "RequestEntityTooLarge");
    };
    runtime_api_ = std::make_unique<HttpServer>(
        pool_.io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0), std::move(options),
        [weak = weak_from_this()](const std::shared_ptr<HttpExchange>& exchange) {
          if (auto self = weak.lock()) {
            self->on_runtime_request(exchange);
          } else {
            exchange->reply(runtime_error_response(http::status::forbidden, "instance stopped",
                                                   "InvalidStateTransition"));
          }
        });
    runtime_api_->start();
    const auto port = runtime_api_->local_endpoint().port();
    char date[16];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(date, sizeof date, "%Y/%m/%d", &utc);
    log_stream_ = std::string(date) + "/[$LATEST]" + random_hex(32);
    spawned_at_ = Clock::now();
    const auto task_root = pool_.config.bootstrap.parent_path();
    try {
      const auto process = spawn_process(pool_.config.bootstrap, task_root,
                                         pool_.environment_for(port, log_stream_));
      pid_ = process.pid;
      exit_watch_.assign(process.pidfd);
      output_.assign(process.output_fd);
    } catch (const SpawnError& error) {
      runtime_api_->stop();
      pool_.log->notice("cannot start " + pool_.config.bootstrap.string() + ": " + error.what());
      exited_ = true;
      finish(InvokeOutcome::function_error, FunctionErrorKind::init_error,
             error_json("RequestId: " + first->request_id +
                            " Error: Couldn't find valid bootstrap(s): [" +
                            pool_.config.bootstrap.string() + "]: " + error.what(),
                        "Runtime.InvalidEntrypoint"));
      return false;
    }
    pool_.log->notice("cold start: instance " + std::to_string(number_) + " (pid " +
                      std::to_string(pid_) + ", Runtime API 127.0.0.1:" + std::to_string(port) +
                      ")");
    watch_exit();
    watch_output();
    // Lambda limits the init phase (10 s); past it the sandbox is reset.
    deadline_timer_.expires_after(pool_.config.init_timeout);
    deadline_timer_.async_wait([weak = weak_from_this()](boost::system::error_code error) {
      auto self = weak.lock();
      if (error || !self || self->initialized_) return;
      self->time_out(pool_seconds(self->pool_.config.init_timeout));
    });
    return true;
  }

  void assign(const std::shared_ptr<Invocation>& invocation) {
    current_ = invocation;
    if (parked_next_) deliver(std::exchange(parked_next_, nullptr));
  }

  /// Ends the process: SIGTERM, SIGKILL after `grace` (zero: SIGKILL now).
  void stop(std::chrono::milliseconds grace) {
    stopping_ = true;
    parked_next_.reset();
    if (runtime_api_) runtime_api_->stop();
    if (exited_) return;
    if (grace.count() == 0) {
      signal_process_group(pid_, SIGKILL);
      return;
    }
    signal_process_group(pid_, SIGTERM);
    kill_timer_.expires_after(grace);
    kill_timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (!error && !self->exited_) signal_process_group(self->pid_, SIGKILL);
    });
  }

  void abandon_for_shutdown() {
    if (current_ && !current_->finished) {
      finish(InvokeOutcome::shutting_down, FunctionErrorKind::none, {});
    }
  }

 private:
  static double pool_seconds(std::chrono::milliseconds value) {
    return std::chrono::duration<double>(value).count();
  }

  void on_runtime_request(const std::shared_ptr<HttpExchange>& exchange) {
    const auto& request = exchange->request;
    std::string_view target(request.target().data(), request.target().size());
    target = target.substr(0, target.find('?'));
    if (target.rfind(runtime_prefix, 0) != 0) {
      return exchange->reply(
          runtime_error_response(http::status::not_found, "Not Found", "InvalidRequest"));
    }
    target.remove_prefix(runtime_prefix.size());
    const auto method = request.method();
    if (target == "invocation/next" && method == http::verb::get) return on_next(exchange);
    if (target == "init/error" && method == http::verb::post) return on_init_error(exchange);
    constexpr std::string_view invocation_prefix = "invocation/";
    if (target.rfind(invocation_prefix, 0) == 0 && method == http::verb::post) {
      target.remove_prefix(invocation_prefix.size());
      const auto slash = target.find('/');
      if (slash != std::string_view::npos) {
        const auto id = target.substr(0, slash);
        const auto action = target.substr(slash + 1);
        if (action == "response") return on_response(exchange, id);
        if (action == "error") return on_error(exchange, id);
      }
    }
    exchange->reply(runtime_error_response(http::status::not_found, "Not Found", "InvalidRequest"));
  }

  void on_next(const std::shared_ptr<HttpExchange>& exchange) {
    if (stopping_) return;  // never answered: the process is being stopped
    read_output();          // what it printed so far belongs before the next START
    if (!initialized_) {
      initialized_ = true;
      init_duration_ms_ = milliseconds_between(spawned_at_, Clock::now());
      deadline_timer_.cancel();
    }
    if (parked_next_ || (current_ && delivered_)) {
      return exchange->reply(runtime_error_response(
          http::status::forbidden,
          "State transition from Running to Ready failed for runtime. Error: State transition "
          "is not allowed",
          "InvalidStateTransition"));
    }
    if (current_) return deliver(exchange);
    parked_next_ = exchange;
  }

  void deliver(const std::shared_ptr<HttpExchange>& exchange) {
    auto& invocation = *current_;
    delivered_ = true;
    invocation.delivered_at = Clock::now();
    const auto deadline = std::chrono::system_clock::now() + pool_.config.timeout;
    HttpResponse response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    response.set("Lambda-Runtime-Aws-Request-Id", invocation.request_id);
    response.set("Lambda-Runtime-Deadline-Ms", std::to_string(epoch_ms(deadline)));
    response.set("Lambda-Runtime-Invoked-Function-Arn", pool_.config.function_arn());
    char trace_time[16];
    std::snprintf(trace_time, sizeof trace_time, "%08llx",
                  static_cast<unsigned long long>(std::time(nullptr)));
    response.set("Lambda-Runtime-Trace-Id", "Root=1-" + std::string(trace_time) + "-" +
                                                random_hex(24) + ";Parent=" + random_hex(16) +
                                                ";Sampled=0;Lineage=1:" + random_hex(8) + ":0");
    if (invocation.client_context) {
      response.set("Lambda-Runtime-Client-Context", *invocation.client_context);
    }
    response.body() = std::move(invocation.payload);
    log_line("START RequestId: " + invocation.request_id + " Version: $LATEST");
    deadline_timer_.expires_after(pool_.config.timeout);
    deadline_timer_.async_wait(
        [weak = weak_from_this(), id = invocation.request_id](boost::system::error_code error) {
          auto self = weak.lock();
          if (error || !self || !self->current_ || self->current_->request_id != id) return;
          self->time_out(pool_seconds(self->pool_.config.timeout));
        });
    exchange->reply(std::move(response));
  }

  [[nodiscard]] bool is_current(std::string_view id) const {
    return current_ && delivered_ && current_->request_id == id;
  }

  void reject_unknown_id(const std::shared_ptr<HttpExchange>& exchange) {
    if (!initialized_) {
      return exchange->reply(runtime_error_response(http::status::forbidden,
                                                    "Runtime has not requested an invocation yet",
                                                    "InvalidStateTransition"));
    }
    exchange->reply(runtime_error_response(http::status::bad_request, "Invalid request ID",
                                           "InvalidRequestID"));
  }

  void on_response(const std::shared_ptr<HttpExchange>& exchange, std::string_view id) {
    if (!is_current(id)) return reject_unknown_id(exchange);
    exchange->reply(json_response(http::status::accepted, R"({"status":"OK"})"));
    finish(InvokeOutcome::success, FunctionErrorKind::none, std::move(exchange->request.body()));
  }

  static std::string error_payload(HttpRequest& request) {
    boost::system::error_code error;
    auto parsed = boost::json::parse(request.body(), error);
    if (!error && parsed.is_object()) return std::move(request.body());
    std::string type(request["Lambda-Runtime-Function-Error-Type"]);
    return error_json(request.body(), type.empty() ? "Runtime.Unknown" : type);
  }

  void on_error(const std::shared_ptr<HttpExchange>& exchange, std::string_view id) {
    if (!is_current(id)) return reject_unknown_id(exchange);
    exchange->reply(json_response(http::status::accepted, R"({"status":"OK"})"));
    finish(InvokeOutcome::function_error, FunctionErrorKind::handled,
           error_payload(exchange->request));
  }

  void on_init_error(const std::shared_ptr<HttpExchange>& exchange) {
    if (initialized_) {
      return exchange->reply(runtime_error_response(http::status::forbidden,
                                                    "Init error reported after initialization",
                                                    "InvalidStateTransition"));
    }
    exchange->reply(json_response(http::status::accepted, R"({"status":"OK"})"));
    init_failed_ = true;
    if (current_) {
      finish(InvokeOutcome::function_error, FunctionErrorKind::init_error,
             error_payload(exchange->request));
    }
    // The runtime exits after reporting; make sure it does, and never reuse this instance.
    pool_.remove(shared_from_this());
    stop(std::chrono::milliseconds(500));
  }

  void response_too_large(const http::request_header<>& header) {
    std::string_view target(header.target().data(), header.target().size());
    if (!current_ || !delivered_) return;
    if (target.find("/invocation/" + current_->request_id + "/") == std::string_view::npos) {
      return;
    }
    finish(InvokeOutcome::function_error, FunctionErrorKind::response_too_large,
           error_json("Response payload size exceeded maximum allowed payload size (" +
                          std::to_string(max_sync_payload_bytes) + " bytes).",
                      "Function.ResponseSizeTooLarge"));
  }

  void time_out(double seconds) {
    if (!current_ || current_->finished) return;
    const std::string message = "Task timed out after " + format_ms(seconds) + " seconds";
    log_line(observability::iso8601_now() + " " + current_->request_id + " " + message);
    pool_.remove(shared_from_this());
    stop(std::chrono::milliseconds(0));
    finish(
        InvokeOutcome::function_error, FunctionErrorKind::timed_out,
        error_json("RequestId: " + current_->request_id + " Error: " + message, "Sandbox.Timedout"),
        "timeout");
  }

  void finish(InvokeOutcome outcome, FunctionErrorKind kind, std::string payload,
              std::string_view status = {}) {
    auto invocation = current_;
    if (!invocation || invocation->finished) return;
    invocation->finished = true;
    if (initialized_) deadline_timer_.cancel();
    read_output();  // the function's last lines belong to it, before END
    const bool was_delivered = delivered_;
    current_.reset();
    delivered_ = false;
    InvokeResult result{outcome, kind, invocation->request_id, std::move(payload), {}};
    if (outcome != InvokeOutcome::shutting_down) {
      if (!was_delivered) {
        log_line("START RequestId: " + invocation->request_id + " Version: $LATEST",
                 invocation.get());
      }
      const std::string end = "END RequestId: " + invocation->request_id;
      invocation->append_log(end);
      const double duration =
          was_delivered ? milliseconds_between(invocation->delivered_at, Clock::now()) : 0.0;
      if (!exited_) {
        if (const long peak = peak_memory_kb(pid_); peak > 0) peak_memory_kb_ = peak;
      }
      std::string report = "REPORT RequestId: " + invocation->request_id +
                           "\tDuration: " + format_ms(duration) + " ms";
      // Custom runtimes are billed for their init phase too.
      const double init = cold_ ? (initialized_ ? init_duration_ms_
                                                : milliseconds_between(spawned_at_, Clock::now()))
                                : 0.0;
      report +=
          "\tBilled Duration: " + std::to_string(static_cast<long>(std::ceil(duration + init))) +
          " ms";
      report += "\tMemory Size: " + std::to_string(pool_.config.memory_mb) + " MB";
      report += "\tMax Memory Used: " + std::to_string((peak_memory_kb_ + 1023) / 1024) + " MB";
      if (cold_) report += "\tInit Duration: " + format_ms(init) + " ms";
      if (!status.empty()) {
        report += "\tStatus: " + std::string(status);
      } else if (kind == FunctionErrorKind::crashed || kind == FunctionErrorKind::init_error) {
        report += "\tStatus: error\tError Type: Runtime.ExitError";
      }
      invocation->append_log(report);
      pool_.log->line(end + "\n" + report);  // one write: nothing lands between them
      result.log_tail = invocation->tail();
    }
    cold_ = false;
    auto done = std::move(invocation->done);
    done(std::move(result));
    if (!exited_ && usable()) pool_.instance_free(shared_from_this());
  }

  void watch_exit() {
    exit_watch_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](boost::system::error_code error) {
                             if (error == asio::error::operation_aborted) return;
                             self->on_exit();
                           });
  }

  void on_exit() {
    int status = 0;
    pid_t reaped;
    while ((reaped = ::waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (reaped == 0) return watch_exit();  // not gone after all
    exited_ = true;
    const bool expected = stopping_;
    stopping_ = true;
    kill_timer_.cancel();
    boost::system::error_code ignored;
    exit_watch_.close(ignored);
    read_output();
    if (!partial_line_.empty()) emit_function_line(std::exchange(partial_line_, {}));
    output_.close(ignored);
    parked_next_.reset();
    if (runtime_api_) runtime_api_->stop();
    if (current_ && !current_->finished) {
      const auto reason = describe_exit(status);
      const bool during_init = !initialized_;
      const std::string message = reason == "exit status 0"
                                      ? "Runtime exited without providing a reason"
                                      : "Runtime exited with error: " + reason;
      log_line("RequestId: " + current_->request_id + " Error: " + message + "\nRuntime.ExitError");
      finish(InvokeOutcome::function_error,
             during_init ? FunctionErrorKind::init_error : FunctionErrorKind::crashed,
             error_json("RequestId: " + current_->request_id + " Error: " + message,
                        "Runtime.ExitError"));
    } else if (!expected && !init_failed_) {
      pool_.log->notice("instance " + std::to_string(number_) + " exited (" +
                        describe_exit(status) + ") between invocations");
    }
    pool_.process_gone(shared_from_this());
  }

  void watch_output() {
    output_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [self = shared_from_this()](boost::system::error_code error) {
                         if (error) return;
                         if (self->read_output()) self->watch_output();
                       });
  }

  /// Reads what is in the pipe now; false at end of file. Reads only here, on the strand, so
  /// a final drain before END sees every byte the function wrote before it answered.
  bool read_output() {
    if (!output_.is_open()) return false;
    char buffer[16384];
    while (true) {
      const ssize_t got = ::read(output_.native_handle(), buffer, sizeof buffer);
      if (got > 0) {
        partial_line_.append(buffer, static_cast<std::size_t>(got));
        std::size_t start = 0;
        for (std::size_t newline; (newline = partial_line_.find('\n', start)) != std::string::npos;
             start = newline + 1) {
          emit_function_line(std::string_view(partial_line_).substr(start, newline - start));
        }
        partial_line_.erase(0, start);
        if (partial_line_.size() > std::size_t{256} * 1024) {
          emit_function_line(std::exchange(partial_line_, {}));
        }
        continue;
      }
      if (got == 0) return false;
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }

  void emit_function_line(std::string_view text) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (current_) current_->append_log(text);
    pool_.log->function_line(current_ && delivered_ ? current_->request_id : std::string(), text);
  }

  void log_line(const std::string& text, Invocation* invocation = nullptr) {
    if (invocation == nullptr) invocation = current_.get();
    if (invocation != nullptr) invocation->append_log(text);
    pool_.log->line(text);
  }

  FunctionPool::Impl& pool_;
  int number_;
  int generation_;
  pid_t pid_ = -1;
  asio::posix::stream_descriptor exit_watch_;
  asio::posix::stream_descriptor output_;
  asio::steady_timer deadline_timer_;
  asio::steady_timer kill_timer_;
  std::unique_ptr<HttpServer> runtime_api_;
  std::shared_ptr<HttpExchange> parked_next_;
  std::shared_ptr<Invocation> current_;
  std::string log_stream_;
  std::string partial_line_;
  Clock::time_point spawned_at_;
  double init_duration_ms_ = 0;
  long peak_memory_kb_ = 0;
  bool delivered_ = false;
  bool initialized_ = false;
  bool init_failed_ = false;
  bool cold_ = false;
  bool exited_ = false;
  bool stopping_ = false;
};

std::vector<std::string> FunctionPool::Impl::environment_for(std::uint16_t runtime_port,
                                                             const std::string& log_stream) const {
  std::map<std::string, std::string> variables;
  // Lambda's own PATH plus the developer's, so scripts find their tools locally.
  const char* path = std::getenv("PATH");
  variables["PATH"] = std::string("/usr/local/bin:/usr/bin/:/bin:/opt/bin") +
                      (path ? std::string(":") + path : std::string());
  const char* lang = std::getenv("LANG");
  variables["LANG"] = lang ? lang : "C.UTF-8";
  for (const auto& [key, value] : config.environment) variables[key] = value;
  const auto task_root = config.bootstrap.parent_path().string();
  variables["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + std::to_string(runtime_port);
  variables["_HANDLER"] = config.handler;
  variables["LAMBDA_TASK_ROOT"] = task_root;
  variables["LAMBDA_RUNTIME_DIR"] = task_root;
  variables["AWS_REGION"] = config.region;
  variables["AWS_DEFAULT_REGION"] = config.region;
  variables["AWS_LAMBDA_FUNCTION_NAME"] = config.function_name;
  variables["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
  variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(config.memory_mb);
  variables["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + config.function_name;
  variables["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream;
  variables["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
  variables["TZ"] = ":UTC";
  std::vector<std::string> environment;
  environment.reserve(variables.size());
  for (const auto& [key, value] : variables) {
    std::string entry;
    entry.reserve(key.size() + 1 + value.size());
    environment.push_back(entry.append(key).append("=").append(value));
  }
  return environment;
}

void FunctionPool::Impl::invoke(InvokeRequest request, Completion done) {
  if (shutting_down) return done(InvokeResult{InvokeOutcome::shutting_down});
  if (request.payload.size() > max_sync_payload_bytes) {
    return done(InvokeResult{InvokeOutcome::payload_too_large});
  }
  check_for_new_build();
  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = random_uuid();
  invocation->payload = std::move(request.payload);
  invocation->client_context = std::move(request.client_context);
  invocation->done = std::move(done);
  invocation->wait_for_capacity = request.wait_for_capacity;
  assign_or_spawn(invocation);
}

void FunctionPool::Impl::assign_or_spawn(const std::shared_ptr<Invocation>& invocation) {
  for (const auto& instance : instances) {
    if (!instance->busy() && instance->usable() && instance->generation() == generation) {
      instance->assign(invocation);
      return;
    }
  }
  if (static_cast<int>(instances.size()) >= config.max_instances) {
    if (invocation->wait_for_capacity) {
      waiting.push_back(invocation);
      return;
    }
    auto done = std::move(invocation->done);
    return done(
        InvokeResult{InvokeOutcome::throttled, FunctionErrorKind::none, invocation->request_id});
  }
  auto instance = std::make_shared<Instance>(*this, ++instance_counter, generation);
  instances.push_back(instance);
  processes.insert(instance);
  if (!instance->start(invocation)) {
    remove(instance);
    processes.erase(instance);
  }
}

void FunctionPool::Impl::instance_free(const std::shared_ptr<Instance>& instance) {
  if (instance->generation() != generation || shutting_down) {
    remove(instance);
    instance->stop(std::chrono::milliseconds(500));
    return;
  }
  if (!waiting.empty() && !instance->busy()) {
    auto next = waiting.front();
    waiting.pop_front();
    instance->assign(next);
  }
}

void FunctionPool::Impl::remove(const std::shared_ptr<Instance>& instance) {
  const auto found = std::find(instances.begin(), instances.end(), instance);
  if (found == instances.end()) return;
  instances.erase(found);
  // The freed slot may let a queued asynchronous invocation start.
  if (!waiting.empty() && !shutting_down &&
      static_cast<int>(instances.size()) < config.max_instances) {
    auto next = waiting.front();
    waiting.pop_front();
    asio::post(strand, [self = shared_from_this(), next] { self->assign_or_spawn(next); });
  }
}

void FunctionPool::Impl::process_gone(const std::shared_ptr<Instance>& instance) {
  remove(instance);
  processes.erase(instance);
  if (shutting_down && processes.empty() && on_shutdown_complete) {
    shutdown_timer.reset();
    std::exchange(on_shutdown_complete, nullptr)();
  }
}

void FunctionPool::Impl::check_for_new_build() {
  auto now = identify(config.bootstrap);
  if (!now || now == identity) return;
  identity = now;
  ++generation;
  log->notice("bootstrap changed: new invocations go to new instances");
  for (const auto& instance : std::vector(instances)) {
    if (!instance->busy()) {
      remove(instance);
      instance->stop(std::chrono::milliseconds(500));
    }
  }
}

void FunctionPool::Impl::shutdown(std::function<void()> done) {
  shutting_down = true;
  for (auto& invocation : std::exchange(waiting, {})) {
    auto completion = std::move(invocation->done);
    completion(InvokeResult{InvokeOutcome::shutting_down});
  }
  for (const auto& instance : std::vector(processes.begin(), processes.end())) {
    instance->abandon_for_shutdown();
    instance->stop(std::chrono::milliseconds(500));
  }
  instances.clear();
  if (processes.empty()) return done();
  on_shutdown_complete = std::move(done);
  // A process that ignores even SIGKILL's group (e.g. it moved itself out) must not hang us.
  shutdown_timer = std::make_unique<asio::steady_timer>(strand, std::chrono::seconds(3));
  shutdown_timer->async_wait([self = shared_from_this()](boost::system::error_code error) {
    if (error || !self->on_shutdown_complete) return;
    self->log->notice("instances still running after shutdown; leaving them");
    std::exchange(self->on_shutdown_complete, nullptr)();
  });
}

FunctionPool::FunctionPool(asio::io_context& io, FunctionConfig config,
                           std::shared_ptr<LambdaLog> log)
    : impl_(std::make_shared<Impl>(io, std::move(config), std::move(log))) {
  if (!impl_->config.bootstrap.is_absolute()) {
    impl_->config.bootstrap = std::filesystem::absolute(impl_->config.bootstrap);
  }
}

FunctionPool::~FunctionPool() = default;

void FunctionPool::invoke(InvokeRequest request, Completion done) {
  // Posted, never run inline: a completion that invokes again must not re-enter the pool.
  asio::post(impl_->strand,
             [impl = impl_, request = std::move(request), done = std::move(done)]() mutable {
               impl->invoke(std::move(request), std::move(done));
             });
}

void FunctionPool::shutdown(std::function<void()> done) {
  asio::dispatch(impl_->strand, [impl = impl_, done = std::move(done)]() mutable {
    impl->shutdown(std::move(done));
  });
}

const FunctionConfig& FunctionPool::config() const noexcept { return impl_->config; }

void LambdaLog::line(std::string_view text) {
  std::string whole;
  whole.reserve(text.size() + 1);
  whole.append(text);
  whole.push_back('\n');
  std::lock_guard lock(mutex_);
  std::string_view rest = whole;
  while (!rest.empty()) {
    const ssize_t wrote = ::write(fd_, rest.data(), rest.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return;
    }
    rest.remove_prefix(static_cast<std::size_t>(wrote));
  }
}

void LambdaLog::function_line(std::string_view request_id, std::string_view text) {
  if (!prefix_request_ids_ || request_id.empty()) return line(text);
  std::string prefixed;
  prefixed.reserve(request_id.size() + 1 + text.size());
  prefixed.append(request_id).append("\t").append(text);
  line(prefixed);
}

void LambdaLog::notice(std::string_view text) {
  std::string marked = "[cppstack-local] ";
  marked.append(text);
  line(marked);
}

}  // namespace cppstack::local
