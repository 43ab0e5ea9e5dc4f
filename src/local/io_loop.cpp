#include "io_loop.hpp"

#include <exception>
#include <string>

namespace cppstack::local {

void run_io_loop(boost::asio::io_context& io, const std::function<void(std::string_view)>& report) {
  while (true) {
    try {
      io.run();
      return;
    } catch (const std::exception& error) {
      report(std::string("a handler failed and was skipped: ") + error.what());
    } catch (...) {
      report("a handler failed and was skipped: unknown exception");
    }
  }
}

}  // namespace cppstack::local
