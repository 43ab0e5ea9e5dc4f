#pragma once
// Live routes for `make run`: watches a routes.json with inotify and hands every new, valid
// version to a callback (ApiGatewayServer::replace_routes), logging what changed. A version
// that does not parse, or that the callback refuses by throwing, is logged and ignored: the
// previous routes keep serving. Reloads run on a thread of their own, never on the I/O thread:
// reading the file and building its authorizers cannot stall the gateway. Only a regular file
// is read (RouteTable::load).
//
//   cppstack::local::RouteTableWatcher watcher(io, "build/release/run/routes.json", log,
//       [&server](cppstack::local::RouteTable table) { server.replace_routes(std::move(table)); });

#include <boost/asio/io_context.hpp>
#include <cppstack/local/lambda_log.hpp>
#include <cppstack/local/route_table.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cppstack::local {

/// "+ GET /v1/notes, - DELETE /v1/old": what `after` adds to and removes from `before`.
[[nodiscard]] std::string describe_route_changes(const RouteTable& before, const RouteTable& after);

class RouteTableWatcher {
 public:
  using OnChange = std::function<void(RouteTable)>;

  /// Starts watching at once; `current` is the table being served (for the change log).
  /// `on_change` runs on the reload thread, one call at a time.
  RouteTableWatcher(boost::asio::io_context& io, std::filesystem::path file, RouteTable current,
                    std::shared_ptr<LambdaLog> log, OnChange on_change);
  ~RouteTableWatcher();
  RouteTableWatcher(const RouteTableWatcher&) = delete;
  RouteTableWatcher& operator=(const RouteTableWatcher&) = delete;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cppstack::local
