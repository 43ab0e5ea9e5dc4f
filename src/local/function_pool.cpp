// The pool's scheduling: which instance serves an invocation, cold starts up to the
// concurrency limit, throttling or queueing beyond it, hot reload and shutdown. Each
// instance's Runtime API state machine is in instance.cpp.

// Before instance.hpp: route_table.hpp's `http` is the project's, not Beast's alias.
#include <cppstack/local/gateway_event.hpp>

#include <sys/stat.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <cppstack/local/function_pool.hpp>
#include <map>

#include "guarded.hpp"
#include "instance.hpp"
#include "pool_internal.hpp"
#include "process.hpp"

namespace cppstack::local {

namespace asio = boost::asio;

void Invocation::append_log(std::string_view line) {
  log.append(line);
  log.push_back('\n');
  if (log.size() > 4 * log_tail_bytes) log.erase(0, log.size() - log_tail_bytes);
}

std::string Invocation::tail() const {
  return log.size() <= log_tail_bytes ? log : log.substr(log.size() - log_tail_bytes);
}

void complete(FunctionPool::Completion& done, InvokeResult result, LambdaLog& log) {
  if (!done) return;
  auto completion = std::move(done);
  done = nullptr;
  const std::string request_id = result.request_id;
  try {
    return completion(std::move(result));
  } catch (const std::exception& error) {
    log.notice(std::string("answering invocation ") + request_id + " failed: " + error.what());
  } catch (...) {
    log.notice("answering invocation " + request_id + " failed: unknown exception");
  }
  // The function's answer could not be turned into the caller's (e.g. a header Beast cannot
  // hold): the caller gets a function error instead, as Lambda and API Gateway report a
  // malformed function answer. Should that fail too, the completion is dropped and the
  // caller's exchange answers with its own fallback.
  try {
    completion(InvokeResult{InvokeOutcome::function_error,
                            FunctionErrorKind::handled,
                            request_id,
                            R"({"errorMessage":"The function's answer could not be delivered",)"
                            R"("errorType":"Runtime.InvalidResponse"})",
                            {}});
  } catch (...) {
    log.notice("answering invocation " + request_id + " with an error failed too");
  }
}

std::optional<BootstrapIdentity> identify(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return std::nullopt;
  return BootstrapIdentity{info.st_dev, info.st_ino,
                           std::int64_t(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec,
                           info.st_size};
}

std::string FunctionConfig::function_arn() const {
  return "arn:aws:lambda:" + region + ":" + account_id + ":function:" + function_name;
}

FunctionPool::Impl::Impl(asio::io_context& io_context, FunctionConfig function_config,
                         std::shared_ptr<LambdaLog> lambda_log)
    : io(io_context),
      strand(asio::make_strand(io_context)),
      config(std::move(function_config)),
      log(std::move(lambda_log)),
      identity(identify(config.bootstrap)) {
  // Descendants of an instance that leave its process group (setsid) are handed to the
  // emulator when their parent dies, so they can be found and killed with it.
  become_child_subreaper();
}

std::vector<std::string> FunctionPool::Impl::environment_for(std::uint16_t runtime_port,
                                                             const std::string& log_stream) const {
  std::map<std::string, std::string> variables;
  // Lambda's own PATH (provided.al2023's, recorded from AWS: LocalStack's
  // test_introspection_invoke[provided.al2023]) plus the developer's, so scripts find their
  // tools locally.
  const char* path = std::getenv("PATH");
  variables["PATH"] = std::string("/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin") +
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
  if (shutting_down) return complete(done, InvokeResult{InvokeOutcome::shutting_down}, *log);
  if (request.payload.size() > max_sync_payload_bytes) {
    return complete(done, InvokeResult{InvokeOutcome::payload_too_large}, *log);
  }
  check_for_new_build();
  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = random_uuid();
  invocation->payload = std::move(request.payload);
  invocation->client_context = std::move(request.client_context);
  invocation->trace_id = std::move(request.trace_id);
  invocation->qualifier = std::move(request.qualifier);
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
    return complete(
        invocation->done,
        InvokeResult{InvokeOutcome::throttled, FunctionErrorKind::none, invocation->request_id},
        *log);
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
    asio::post(strand,
               guarded([self = shared_from_this(), next] { self->assign_or_spawn(next); },
                       [log = log](std::string_view what) {
                         log->notice("starting a queued invocation failed: " + std::string(what));
                       }));
  }
}

void FunctionPool::Impl::process_gone(const std::shared_ptr<Instance>& instance) {
  remove(instance);
  processes.erase(instance);
  if (shutting_down && processes.empty() && on_shutdown_complete) {
    kill_orphans();  // whatever any instance left behind
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
  if (!waiting.empty()) {
    log->notice(std::to_string(waiting.size()) +
                " queued asynchronous invocations not run: the emulator is shutting down");
  }
  for (auto& invocation : std::exchange(waiting, {})) {
    complete(
        invocation->done,
        InvokeResult{InvokeOutcome::shutting_down, FunctionErrorKind::none, invocation->request_id},
        *log);
  }
  for (const auto& instance : std::vector(processes.begin(), processes.end())) {
    instance->abandon_for_shutdown();
    instance->stop(std::chrono::milliseconds(500));
  }
  instances.clear();
  if (processes.empty()) {
    kill_orphans();
    return done();
  }
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
  // A failure here drops the completion, and with it the caller's exchange, which then
  // answers with its fallback.
  asio::post(impl_->strand,
             guarded(
                 [impl = impl_, request = std::move(request), done = std::move(done)]() mutable {
                   impl->invoke(std::move(request), std::move(done));
                 },
                 [log = impl_->log](std::string_view what) {
                   log->notice("an invocation failed to start: " + std::string(what));
                 }));
}

void FunctionPool::shutdown(std::function<void()> done) {
  asio::dispatch(impl_->strand, [impl = impl_, done = std::move(done)]() mutable {
    impl->shutdown(std::move(done));
  });
}

const FunctionConfig& FunctionPool::config() const noexcept { return impl_->config; }

}  // namespace cppstack::local
