#pragma once
// The Lambda custom-runtime loop: GET /next, run the handler, POST /response or /error.
//
// Follows the Runtime API exactly (see docs/runtime.md): tolerates missing optional headers
// and Content-Type, sets _X_AMZN_TRACE_ID per event, turns every handler exception into an
// /error post with Lambda-Runtime-Function-Error-Type and keeps going, reports initialisation
// failures to /runtime/init/error and exits non-zero, retries transport failures with
// backoff, and exits cleanly on SIGTERM.
//
//   int main() {
//     return cppstack::runtime::run([] {  // initialisation; a throw becomes /init/error
//       return [](const cppstack::runtime::Invocation& invocation) { return invocation.payload; };
//     });
//   }

#include <chrono>
#include <cppstack/runtime/invocation.hpp>
#include <functional>
#include <string>

namespace cppstack::runtime {

/// Turns one event into its response payload. Throwing reports an error for that event only.
using Handler = std::function<std::string(const Invocation&)>;
/// Builds the handler once per process; throwing reports an initialisation error.
using Initializer = std::function<Handler()>;

struct RuntimeOptions {
  /// host:port of the Runtime API, numeric (no name lookup in a static binary).
  std::string runtime_api;
  /// Transport failures are retried this many times, doubling the wait from initial_backoff.
  int max_transport_retries = 5;
  std::chrono::milliseconds initial_backoff{10};
  /// Stop after this many invocations (0 = forever). For tests and benchmarks.
  std::uint64_t max_invocations = 0;

  /// Reads AWS_LAMBDA_RUNTIME_API; throws std::runtime_error with a clear message when it
  /// is missing or not a numeric host:port.
  static RuntimeOptions from_environment();
};

/// Runs the loop until SIGTERM (returns 0), max_invocations is reached (returns 0), a failed
/// initialisation (returns 1 after posting /init/error) or a transport failure that
/// outlasts the retries (returns 2 after a clear message on stderr).
int run(const Initializer& initialize, const RuntimeOptions& options);
/// As above with RuntimeOptions::from_environment(); a bad environment returns 1 with a
/// message on stderr.
int run(const Initializer& initialize);

}  // namespace cppstack::runtime
