#pragma once
// The emulator's one rule for failures inside asynchronous work: an exception thrown by a
// completion handler ends the exchange (or instance) it belongs to, never the process. Every
// completion handler of the HTTP server and of the function pool is wrapped with `guarded`.
//
//   timer.async_wait(guarded([this](boost::system::error_code) { on_timer(); },
//                            [this](std::string_view what) { fail(what); }));

#include <exception>
#include <string_view>
#include <utility>

namespace cppstack::local {

/// A handler that runs `handler` and, when it throws, `on_exception(what)` instead of letting
/// the exception leave the io_context. An exception from `on_exception` itself is dropped.
template <class Handler, class OnException>
auto guarded(Handler handler, OnException on_exception) {
  return [handler = std::move(handler),
          on_exception = std::move(on_exception)](auto&&... arguments) mutable {
    try {
      handler(std::forward<decltype(arguments)>(arguments)...);
    } catch (const std::exception& error) {
      try {
        on_exception(std::string_view(error.what()));
      } catch (...) {
      }
    } catch (...) {
      try {
        on_exception(std::string_view("unknown exception"));
      } catch (...) {
      }
    }
  };
}

}  // namespace cppstack::local
