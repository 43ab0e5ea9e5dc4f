#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <condition_variable>
#include <cppstack/local/route_table_watcher.hpp>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

namespace cppstack::local {

namespace asio = boost::asio;

namespace {

std::set<std::string> operations(const RouteTable& table) {
  std::set<std::string> result;
  for (const auto& route : table.routes()) result.insert(route.method + " " + route.path);
  return result;
}

}  // namespace

std::string describe_route_changes(const RouteTable& before, const RouteTable& after) {
  const auto old_operations = operations(before);
  const auto new_operations = operations(after);
  std::string changes;
  const auto add = [&changes](char sign, const std::string& operation) {
    changes += changes.empty() ? "" : ", ";
    changes += sign;
    changes += ' ';
    changes += operation;
  };
  for (const auto& operation : new_operations) {
    if (old_operations.count(operation) == 0) add('+', operation);
  }
  for (const auto& operation : old_operations) {
    if (new_operations.count(operation) == 0) add('-', operation);
  }
  return changes.empty() ? "same operations" : changes;
}

class RouteTableWatcher::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, std::filesystem::path watched, RouteTable served,
       std::shared_ptr<LambdaLog> lambda_log, OnChange callback)
      : file(std::move(watched)),
        current(std::move(served)),
        log(std::move(lambda_log)),
        on_change(std::move(callback)),
        descriptor(io) {}

  void start() {
    const int inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify < 0) {
      log->notice("routes: cannot watch " + file.string() +
                  " (inotify unavailable); restart to reload");
      return;
    }
    descriptor.assign(inotify);
    // The directory, not the file: the build replaces routes.json by renaming a new file over
    // it (a new inode), which a watch on the old file would never report.
    const auto directory =
        file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    if (::inotify_add_watch(inotify, directory.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
      log->notice("routes: cannot watch " + directory.string() + "; restart to reload");
      return;
    }
    read_events();
  }

  /// Stops watching and waits for a reload under way (called from outside the reload).
  void stop() {
    boost::system::error_code ignored;
    descriptor.close(ignored);
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_one();
    if (worker.joinable()) worker.join();
  }

 private:
  void read_events() {
    descriptor.async_read_some(
        asio::buffer(buffer),
        [self = shared_from_this()](boost::system::error_code error, std::size_t length) {
          if (error) return;  // closed: the emulator is stopping
          if (self->names_the_file(length)) self->request_reload();
          self->read_events();
        });
  }

  bool names_the_file(std::size_t length) const {
    const std::string name = file.filename().string();
    std::size_t offset = 0;
    while (offset + sizeof(inotify_event) <= length) {
      inotify_event event{};
      std::memcpy(&event, buffer.data() + offset, sizeof event);
      const char* event_name = buffer.data() + offset + sizeof(inotify_event);
      if (event.len > 0 && name == event_name) return true;
      offset += sizeof(inotify_event) + event.len;
    }
    return false;
  }

  // Reading the file and building what serves it (an authorizer may fetch its keys) never
  // happen on the I/O thread: one reload thread does them, and changes that arrive meanwhile
  // make one more reload, not one each.
  void request_reload() {
    {
      std::lock_guard lock(mutex);
      if (stopping) return;
      reload_pending = true;
      if (!worker.joinable()) worker = std::thread([this] { reload_loop(); });
    }
    wake.notify_one();
  }

  void reload_loop() {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait(lock, [this] { return stopping || reload_pending; });
      if (stopping) return;
      reload_pending = false;
      lock.unlock();
      reload();
      lock.lock();
    }
  }

  void reload() {
    try {
      RouteTable table = RouteTable::load(file);
      const std::string changes = describe_route_changes(current, table);
      on_change(table);  // throws when the emulator cannot serve it
      current = std::move(table);
      log->notice("routes reloaded from " + file.string() + ": " + changes);
    } catch (const std::exception& error) {
      log->notice(std::string("routes not reloaded, still serving the previous ones: ") +
                  error.what());
    }
  }

  std::filesystem::path file;
  RouteTable current;
  std::shared_ptr<LambdaLog> log;
  OnChange on_change;
  asio::posix::stream_descriptor descriptor;
  alignas(inotify_event) std::array<char, 4096> buffer{};
  std::mutex mutex;
  std::condition_variable wake;
  bool reload_pending = false;
  bool stopping = false;
  std::thread worker;  ///< the reload thread, started by the first change
};

RouteTableWatcher::RouteTableWatcher(asio::io_context& io, std::filesystem::path file,
                                     RouteTable current, std::shared_ptr<LambdaLog> log,
                                     OnChange on_change)
    : impl_(std::make_shared<Impl>(io, std::move(file), std::move(current), std::move(log),
                                   std::move(on_change))) {
  impl_->start();
}

RouteTableWatcher::~RouteTableWatcher() { impl_->stop(); }

}  // namespace cppstack::local
