#pragma once
// Runs an io_context so that an exception escaping any handler is reported and the loop goes
// on: the last line of the rule that an exchange's failure never ends the process (the HTTP
// server and the function pool already catch per exchange; see guarded.hpp).
//
//   cppstack::local::run_io_loop(io, [&](std::string_view what) { log->notice(what); });

#include <boost/asio/io_context.hpp>
#include <functional>
#include <string_view>

namespace cppstack::local {

/// Returns when `io` runs out of work or is stopped.
void run_io_loop(boost::asio::io_context& io, const std::function<void(std::string_view)>& report);

}  // namespace cppstack::local
