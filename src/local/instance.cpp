// Before instance.hpp: route_table.hpp's `http` is the project's, not Beast's alias.
#include <cppstack/local/gateway_event.hpp>

#include "instance.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <cppstack/observability/logger.hpp>
#include <cppstack/observability/utf8.hpp>
#include <cstdio>
#include <ctime>

#include "client_context.hpp"
#include "guarded.hpp"
#include "process.hpp"

namespace cppstack::local {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view runtime_prefix = "/2018-06-01/runtime/";
// Output read per wake-up: a function flooding stdout cannot hold the I/O thread longer.
constexpr std::size_t output_read_per_wakeup = std::size_t{64} * 1024;

std::int64_t epoch_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

double milliseconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double seconds_of(std::chrono::milliseconds value) {
  return std::chrono::duration<double>(value).count();
}

std::string format_ms(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

std::string random_hex(std::size_t digits) {
  std::string hex;
  while (hex.size() < digits) {
    for (const char c : random_uuid()) {
      if (c != '-') hex.push_back(c);
    }
  }
  hex.resize(digits);
  return hex;
}

std::string error_json(std::string_view message, std::string_view type) {
  boost::json::object error;
  error["errorMessage"] = message;
  error["errorType"] = type;
  return boost::json::serialize(error);
}

HttpResponse runtime_error_response(beast_http::status status, std::string_view message,
                                    std::string_view type) {
  return json_response(status, error_json(message, type));
}

HttpResponse accepted() {
  return json_response(beast_http::status::accepted, R"({"status":"OK"})");
}

std::string today_utc() {
  char date[16];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(date, sizeof date, "%Y/%m/%d", &utc);
  return date;
}

}  // namespace

Instance::Instance(FunctionPool::Impl& pool, int number, int generation)
    : pool_(pool),
      number_(number),
      generation_(generation),
      exit_watch_(pool.strand),
      output_(pool.strand),
      deadline_timer_(pool.strand),
      kill_timer_(pool.strand) {}

template <class Handler>
auto Instance::guard(Handler handler) {
  return guarded(std::move(handler), [weak = weak_from_this()](std::string_view what) {
    if (auto self = weak.lock()) self->fail_internally(what);
  });
}

// The instance's state is unknown after an exception: its invocation fails and the process
// goes, as when a sandbox is reset.
void Instance::fail_internally(std::string_view what) {
  pool_.log->notice("instance " + std::to_string(number_) +
                    " stopped after an internal error: " + std::string(what));
  pool_.remove(shared_from_this());
  stop(std::chrono::milliseconds(0));
  if (current_ && !current_->finished) {
    finish(InvokeOutcome::function_error, FunctionErrorKind::crashed,
           error_json("RequestId: " + current_->request_id +
                          " Error: the emulator failed while serving this invocation",
                      "Runtime.ExitError"),
           "error");
  }
}

bool Instance::start(const std::shared_ptr<Invocation>& first) {
  current_ = first;
  cold_ = true;
  log_stream_ = today_utc() + "/[$LATEST]" + random_hex(32);
  spawned_at_ = Clock::now();
  try {
    // Everything that takes descriptors is inside this try: with none left (EMFILE) the
    // invocation fails and the emulator goes on.
    HttpServerOptions options;
    options.body_limit = max_runtime_response_bytes;
    options.idle_timeout = std::chrono::milliseconds(0);
    options.max_connections = max_runtime_api_connections;
    // Its own budget: a runtime's bodies count against neither the clients' budget nor
    // another instance's.
    options.memory = std::make_shared<RequestMemoryBudget>(max_runtime_api_memory_bytes);
    // Events go to the instance's own process, one at a time: not the clients' answers.
    options.answer_memory = nullptr;
    options.session_executor = asio::any_io_executor(pool_.strand);
    options.notice = [log = pool_.log](std::string_view text) { log->notice(text); };
    options.too_large = [weak = weak_from_this()](const beast_http::request_header<>& header) {
      if (auto self = weak.lock()) self->response_too_large(header);
      // AWS's runtime interface emulator: RenderRequestEntityTooLarge (rapi/rendering).
      return runtime_error_response(beast_http::status::payload_too_large,
                                    "Exceeded maximum allowed payload size (" +
                                        std::to_string(max_runtime_response_bytes) + " bytes).",
                                    "RequestEntityTooLarge");
    };
    runtime_api_ = std::make_unique<HttpServer>(
        pool_.io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0), std::move(options),
        [weak = weak_from_this()](const std::shared_ptr<HttpExchange>& exchange) {
          auto self = weak.lock();
          if (!self) {
            return exchange->reply(runtime_error_response(
                beast_http::status::forbidden, "instance stopped", "InvalidStateTransition"));
          }
          try {
            self->on_runtime_request(exchange);
          } catch (const std::exception& error) {
            self->fail_internally(error.what());
          }
        });
    runtime_api_->start();
    const auto port = runtime_api_->local_endpoint().port();
    const auto process = spawn_process(pool_.config.bootstrap, pool_.config.bootstrap.parent_path(),
                                       pool_.environment_for(port, log_stream_));
    pid_ = process.pid;
    status_ = ProcessStatus(pid_);
    pipe_capacity_ = process.pipe_capacity;
    exit_watch_.assign(process.pidfd);
    output_.assign(process.output_fd);
    pool_.log->notice("cold start: instance " + std::to_string(number_) + " (pid " +
                      std::to_string(pid_) + ", Runtime API 127.0.0.1:" + std::to_string(port) +
                      ")");
  } catch (const std::exception& error) {
    if (runtime_api_) {
      runtime_api_->stop();
      runtime_api_->close_connections();
    }
    if (pid_ > 0) {
      // The process started but could not be watched: it must not outlive this failure.
      signal_process_group(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      forget_instance_process(pid_);
    }
    pool_.log->notice("cannot start " + pool_.config.bootstrap.string() + ": " + error.what());
    exited_ = true;
    const bool not_executable = dynamic_cast<const ExecError*>(&error) != nullptr;
    finish(InvokeOutcome::function_error, FunctionErrorKind::init_error,
           not_executable ? error_json("RequestId: " + first->request_id +
                                           " Error: Couldn't find valid bootstrap(s): [" +
                                           pool_.config.bootstrap.string() + "]: " + error.what(),
                                       "Runtime.InvalidEntrypoint")
                          : error_json("RequestId: " + first->request_id +
                                           " Error: cannot start an instance: " + error.what(),
                                       "Runtime.Unknown"));
    return false;
  }
  // Lambda writes INIT_START when it creates an execution environment (docs: "Identifying
  // Lambda runtime version changes", runtime-management-identify). The version and ARN are
  // placeholders: locally the runtime is this machine.
  log_line(
      "INIT_START Runtime Version: provided:al2023.v0\tRuntime Version ARN: "
      "arn:aws:lambda:" +
      pool_.config.region + "::runtime:" + std::string(64, '0'));
  watch_exit();
  watch_output();
  // Lambda limits the init phase (10 s); past it the sandbox is reset.
  deadline_timer_.expires_after(pool_.config.init_timeout);
  deadline_timer_.async_wait(guard([weak = weak_from_this()](boost::system::error_code error) {
    auto self = weak.lock();
    if (error || !self || self->initialized_) return;
    self->time_out(seconds_of(self->pool_.config.init_timeout));
  }));
  return true;
}

void Instance::assign(const std::shared_ptr<Invocation>& invocation) {
  current_ = invocation;
  if (parked_next_ && parked_next_->peer_gone()) {
    parked_next_.reset();  // the invocation waits for the runtime's next /next
  }
  if (parked_next_) deliver(std::exchange(parked_next_, nullptr));
}

void Instance::stop(std::chrono::milliseconds grace) {
  stopping_ = true;
  // A waiting /next stays unanswered until the process is gone, as on Lambda, where a runtime
  // is shut down while it waits: dropping it would answer 500, which the runtime reports as an
  // error of its own. The exit handler lets it go.
  if (runtime_api_) runtime_api_->stop();
  if (exited_) return;
  if (grace.count() == 0) {
    kill_group_and_descendants();
    return;
  }
  signal_process_group(pid_, SIGTERM);
  kill_timer_.expires_after(grace);
  kill_timer_.async_wait(guard([self = shared_from_this()](boost::system::error_code error) {
    if (!error && !self->exited_) self->kill_group_and_descendants();
  }));
}

void Instance::kill_group_and_descendants() {
  if (pid_ <= 0) return;
  // Children that left the group (setsid) are found by parentage before the instance goes.
  kill_process_tree(pid_);
}

void Instance::abandon_for_shutdown() {
  if (current_ && !current_->finished) {
    finish(InvokeOutcome::shutting_down, FunctionErrorKind::none, {});
  }
}

void Instance::on_runtime_request(const std::shared_ptr<HttpExchange>& exchange) {
  const auto& request = exchange->request;
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  if (target.rfind(runtime_prefix, 0) != 0) {
    return exchange->reply(
        runtime_error_response(beast_http::status::not_found, "Not Found", "InvalidRequest"));
  }
  target.remove_prefix(runtime_prefix.size());
  const auto method = request.method();
  if (target == "invocation/next" && method == beast_http::verb::get) return on_next(exchange);
  if (target == "init/error" && method == beast_http::verb::post) return on_init_error(exchange);
  constexpr std::string_view invocation_prefix = "invocation/";
  if (target.rfind(invocation_prefix, 0) == 0 && method == beast_http::verb::post) {
    target.remove_prefix(invocation_prefix.size());
    const auto slash = target.find('/');
    if (slash != std::string_view::npos) {
      const auto id = target.substr(0, slash);
      const auto action = target.substr(slash + 1);
      if (action == "response") return on_response(exchange, id);
      if (action == "error") return on_error(exchange, id);
    }
  }
  exchange->reply(
      runtime_error_response(beast_http::status::not_found, "Not Found", "InvalidRequest"));
}

void Instance::on_next(const std::shared_ptr<HttpExchange>& exchange) {
  if (stopping_) {
    parked_next_ = exchange;  // never answered: the process is being stopped
    return;
  }
  // What it printed so far, then START: one write.
  const LambdaLog::Gather gather(*pool_.log);
  drain_output();  // what it printed so far belongs before the next START
  if (!initialized_) {
    initialized_ = true;
    init_duration_ms_ = milliseconds_between(spawned_at_, Clock::now());
    deadline_timer_.cancel();
  }
  if (current_ && delivered_) {
    return exchange->reply(runtime_error_response(
        beast_http::status::forbidden,
        "State transition from Running to Ready failed for runtime. Error: State transition "
        "is not allowed",
        "InvalidStateTransition"));
  }
  if (current_) return deliver(exchange);
  park(exchange);
}

// A runtime may give up a long poll (client timeout, new connection) and ask again: the
// newest /next is the one that gets the next invocation, and a parked /next whose
// connection closed is dropped, so no invocation is handed to a dead connection.
void Instance::park(const std::shared_ptr<HttpExchange>& exchange) {
  if (parked_next_) {
    pool_.log->notice("instance " + std::to_string(number_) +
                      ": a new /next replaces the one still waiting");
  }
  parked_next_ = exchange;
}

void Instance::deliver(const std::shared_ptr<HttpExchange>& exchange) {
  auto& invocation = *current_;
  delivered_ = true;
  invocation.delivered_at = Clock::now();
  const auto deadline = std::chrono::system_clock::now() + pool_.config.timeout;
  HttpResponse response{beast_http::status::ok, 11};
  response.set(beast_http::field::content_type, "application/json");
  response.set("Lambda-Runtime-Aws-Request-Id", invocation.request_id);
  response.set("Lambda-Runtime-Deadline-Ms", std::to_string(epoch_ms(deadline)));
  // The ARN as the caller named it: with its qualifier when it gave one (recorded from AWS:
  // LocalStack's test_introspection_invoke[provided.al2023]).
  response.set("Lambda-Runtime-Invoked-Function-Arn",
               pool_.config.function_arn() +
                   (invocation.qualifier ? ":" + *invocation.qualifier : std::string()));
  char trace_time[16];
  std::snprintf(trace_time, sizeof trace_time, "%08llx",
                static_cast<unsigned long long>(std::time(nullptr)));
  std::string root = "Root=1-" + std::string(trace_time) + "-" + random_hex(24);
  if (invocation.trace_id) root = trace_root(*invocation.trace_id).value_or(root);
  response.set("Lambda-Runtime-Trace-Id",
               root + ";Parent=" + random_hex(16) + ";Sampled=0;Lineage=1:" + random_hex(8) + ":0");
  if (invocation.client_context) {
    // Only a JSON object, re-serialized, reaches the header: no caller bytes are copied raw
    // into the Runtime API answer.
    if (auto context = normalize_client_context(*invocation.client_context)) {
      response.set("Lambda-Runtime-Client-Context", *context);
    } else {
      pool_.log->notice("client context dropped: not a JSON object");
    }
  }
  response.body() = std::move(invocation.payload);
  log_line("START RequestId: " + invocation.request_id + " Version: $LATEST");
  deadline_timer_.expires_after(pool_.config.timeout);
  deadline_timer_.async_wait(
      guard([weak = weak_from_this(), id = invocation.request_id](boost::system::error_code error) {
        auto self = weak.lock();
        if (error || !self || !self->current_ || self->current_->request_id != id) return;
        self->time_out(seconds_of(self->pool_.config.timeout));
      }));
  exchange->reply(std::move(response));
}

bool Instance::is_current(std::string_view id) const {
  return current_ && delivered_ && current_->request_id == id;
}

// AWS's runtime interface emulator answers every id that is not the current invocation's,
// including any before the first /next, with 400 InvalidRequestID
// (internal/lambda/rapi/middleware/middleware.go, AwsRequestIDValidator).
void Instance::reject_unknown_id(const std::shared_ptr<HttpExchange>& exchange) {
  exchange->reply(runtime_error_response(beast_http::status::bad_request, "Invalid request ID",
                                         "InvalidRequestID"));
}

void Instance::on_response(const std::shared_ptr<HttpExchange>& exchange, std::string_view id) {
  if (!is_current(id)) return reject_unknown_id(exchange);
  finish(InvokeOutcome::success, FunctionErrorKind::none, std::move(exchange->request.body()));
  accept_after_the_answer(exchange);
}

// The runtime's 202 is posted after finish() has handed the answer on (the caller's server
// posts it too): on an I/O thread the caller's answer goes out first, and the runtime woken
// by its 202 does not run ahead of it.
void Instance::accept_after_the_answer(const std::shared_ptr<HttpExchange>& exchange) {
  exchange->post([exchange] { exchange->reply(accepted()); });
}

namespace {

std::string error_payload(HttpRequest& request) {
  boost::system::error_code error;
  auto parsed = boost::json::parse(request.body(), error);
  if (!error && parsed.is_object()) return std::move(request.body());
  // What the runtime sent becomes part of a JSON answer: repaired to UTF-8 where it is not.
  std::string type(request["Lambda-Runtime-Function-Error-Type"]);
  return error_json(observability::to_valid_utf8(request.body()),
                    type.empty() ? "Runtime.Unknown" : observability::to_valid_utf8(type));
}

}  // namespace

void Instance::on_error(const std::shared_ptr<HttpExchange>& exchange, std::string_view id) {
  if (!is_current(id)) return reject_unknown_id(exchange);
  finish(InvokeOutcome::function_error, FunctionErrorKind::handled,
         error_payload(exchange->request));
  accept_after_the_answer(exchange);
}

void Instance::on_init_error(const std::shared_ptr<HttpExchange>& exchange) {
  if (initialized_) {
    return exchange->reply(runtime_error_response(beast_http::status::forbidden,
                                                  "Init error reported after initialization",
                                                  "InvalidStateTransition"));
  }
  exchange->reply(accepted());
  init_failed_ = true;
  if (current_) {
    finish(InvokeOutcome::function_error, FunctionErrorKind::init_error,
           error_payload(exchange->request));
  }
  // The runtime exits after reporting; make sure it does, and never reuse this instance.
  pool_.remove(shared_from_this());
  stop(std::chrono::milliseconds(500));
}

void Instance::response_too_large(const beast_http::request_header<>& header) {
  std::string_view target(header.target().data(), header.target().size());
  if (!current_ || !delivered_) return;
  if (target.find("/invocation/" + current_->request_id + "/") == std::string_view::npos) return;
  finish(InvokeOutcome::function_error, FunctionErrorKind::response_too_large,
         error_json("Response payload size exceeded maximum allowed payload size (" +
                        std::to_string(max_runtime_response_bytes) + " bytes).",
                    "Function.ResponseSizeTooLarge"));
}

void Instance::time_out(double seconds) {
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

// Every field of a REPORT line ends with a tab, the last one too, as CloudWatch shows them
// (docs: "Using the Lambda runtime API ... REPORT", e.g. "Max Memory Used: 30 MB\t").
std::string Instance::report_line(const Invocation& invocation, bool was_delivered,
                                  std::string_view status, FunctionErrorKind kind) {
  const double duration =
      was_delivered ? milliseconds_between(invocation.delivered_at, Clock::now()) : 0.0;
  if (!exited_) {
    if (const long peak = status_.peak_memory_kb(); peak > 0) peak_memory_kb_ = peak;
  }
  // Custom runtimes are billed for their init phase too.
  const double init =
      cold_ ? (initialized_ ? init_duration_ms_ : milliseconds_between(spawned_at_, Clock::now()))
            : 0.0;
  // A process always used some memory: never report 0 MB, even when it died before it
  // could be measured.
  const long used_mb = std::max(1L, (peak_memory_kb_ + 1023) / 1024);
  std::string report =
      "REPORT RequestId: " + invocation.request_id + "\tDuration: " + format_ms(duration) +
      " ms\tBilled Duration: " + std::to_string(static_cast<long>(std::ceil(duration + init))) +
      " ms\tMemory Size: " + std::to_string(pool_.config.memory_mb) +
      " MB\tMax Memory Used: " + std::to_string(used_mb) + " MB\t";
  if (cold_) report += "Init Duration: " + format_ms(init) + " ms\t";
  if (!status.empty()) {
    report += "Status: " + std::string(status) + "\t";
  } else if (kind == FunctionErrorKind::crashed || kind == FunctionErrorKind::init_error) {
    report += "Status: error\tError Type: Runtime.ExitError\t";
  }
  return report;
}

void Instance::finish(InvokeOutcome outcome, FunctionErrorKind kind, std::string payload,
                      std::string_view status) {
  auto invocation = current_;
  if (!invocation || invocation->finished) return;
  invocation->finished = true;
  if (initialized_) deadline_timer_.cancel();
  // The function's last lines, END and REPORT go out in one write, before the answer is
  // handed on: whoever gets the answer finds them in the log.
  std::optional<LambdaLog::Gather> gather(std::in_place, *pool_.log);
  drain_output();  // the function's last lines belong to it, before END
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
    const auto report = report_line(*invocation, was_delivered, status, kind);
    invocation->append_log(report);
    pool_.log->line(end + "\n" + report);  // one write: nothing lands between them
    result.log_tail = invocation->tail();
  }
  cold_ = false;
  gather.reset();
  complete(invocation->done, std::move(result), *pool_.log);
  if (!exited_ && usable()) pool_.instance_free(shared_from_this());
}

void Instance::watch_exit() {
  exit_watch_.async_wait(asio::posix::stream_descriptor::wait_read,
                         guard([self = shared_from_this()](boost::system::error_code error) {
                           if (error == asio::error::operation_aborted) return;
                           self->on_exit();
                         }));
}

void Instance::on_exit() {
  int status = 0;
  rusage usage{};
  pid_t reaped;
  while ((reaped = ::wait4(pid_, &status, WNOHANG, &usage)) < 0 && errno == EINTR) {
  }
  if (reaped == 0) return watch_exit();  // not gone after all
  exited_ = true;
  // ru_maxrss (kB) covers a process that died before /proc could be read, e.g. during init.
  peak_memory_kb_ = std::max(peak_memory_kb_, static_cast<long>(usage.ru_maxrss));
  const bool expected = stopping_;
  stopping_ = true;
  kill_timer_.cancel();
  // What it left behind dies with it: its process group, and every orphan handed to the
  // emulator as subreaper, whatever it did to hide (setsid, another environment).
  signal_process_group(pid_, SIGKILL);
  forget_instance_process(pid_);
  kill_orphans();
  boost::system::error_code ignored;
  exit_watch_.close(ignored);
  drain_output();
  if (!partial_line_.empty()) emit_function_line(std::exchange(partial_line_, {}));
  output_.close(ignored);
  parked_next_.reset();
  if (runtime_api_) {
    runtime_api_->stop();
    // A connection held by anything that outlived the process (a descendant that escaped,
    // another local process) must not keep a descriptor and a session forever: the
    // Runtime API has no idle timeout.
    runtime_api_->close_connections();
  }
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
    pool_.log->notice("instance " + std::to_string(number_) + " exited (" + describe_exit(status) +
                      ") between invocations");
  }
  pool_.process_gone(shared_from_this());
}

void Instance::watch_output() {
  output_.async_wait(asio::posix::stream_descriptor::wait_read,
                     guard([self = shared_from_this()](boost::system::error_code error) {
                       if (error) return;
                       const LambdaLog::Gather gather(*self->pool_.log);
                       if (self->read_output(output_read_per_wakeup)) self->watch_output();
                     }));
}

// Everything the function wrote before an answer is in the pipe (at most its capacity) or
// already read: reading that much is a complete drain that still ends while a function
// floods its output.
void Instance::drain_output() { read_output(pipe_capacity_ + output_read_per_wakeup); }

/// Reads at most `limit` bytes of what is in the pipe now; false at end of file. Reads only
/// here, on the strand, so a drain before END sees every byte written before the answer.
bool Instance::read_output(std::size_t limit) {
  if (!output_.is_open()) return false;
  char buffer[16384];
  std::size_t total = 0;
  while (total < limit) {
    const std::size_t wanted = std::min(sizeof buffer, limit - total);
    const ssize_t got = ::read(output_.native_handle(), buffer, wanted);
    if (got > 0) {
      total += static_cast<std::size_t>(got);
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
      // A pipe gives all it holds: a short read left it empty, and a further read would only
      // say so (EAGAIN). What is written from now on wakes the watch again.
      if (static_cast<std::size_t>(got) < wanted) return true;
      continue;
    }
    if (got == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
  return true;
}

void Instance::emit_function_line(std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (current_) current_->append_log(text);
  pool_.log->function_line(current_ && delivered_ ? current_->request_id : std::string(), text);
}

void Instance::log_line(const std::string& text, Invocation* invocation) {
  if (invocation == nullptr) invocation = current_.get();
  if (invocation != nullptr) invocation->append_log(text);
  pool_.log->line(text);
}

}  // namespace cppstack::local
