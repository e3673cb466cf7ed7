// The server's HTTP transport (issue #23): Boost.Beast on Asio, event-driven. A few I/O threads
// (one per core) own every socket, non-blocking, so a thousand slow clients cost memory, not
// threads; the route handlers (database work) run on a small worker pool and their answers are
// posted back to the connection's strand. Every limit a hostile client could push against has a
// safe default and is checked before the work it would cost: the header deadline before
// anything is parsed, the body limit (413) before the body is read or anyone is authenticated,
// connection caps at accept time.
#ifndef LIVERCELL_SERVER_TRANSPORT_H_
#define LIVERCELL_SERVER_TRANSPORT_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "livercell/base/result.h"
#include "livercell/server/http.h"

namespace livercell::server {

struct TransportLimits {
  // A request's header must have arrived this long after its first byte was awaited (new
  // connection) or arrived (keep-alive): slow-loris clients are closed.
  std::chrono::seconds header_deadline{10};
  // The whole request, header and body, from the start of its header.
  std::chrono::seconds request_deadline{60};
  // How long a keep-alive connection may wait, idle, for its next request.
  std::chrono::seconds idle_timeout{30};
  std::size_t max_header_bytes = 16 * 1024;
  // A larger declared or received body is answered 413 before it is read.
  std::size_t max_body_bytes = 1024 * 1024;
  // At either cap the connection that has waited longest for a header is closed to make room
  // (a slow client yields to a new one); when none is waiting the new one is refused.
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_address = 1024;
  int io_threads = 0;       // 0: one per core
  // Route handlers (database work) at once. Audited requests wait for their entry's group
  // commit, so more workers make larger groups per fsync: 8 gave 12,000 audited reads/s on the
  // 2-core bench machine, 32 gave 19,400, 64 no more (bench/README.md).
  int worker_threads = 32;
};

struct TransportOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::string tls_cert, tls_key;  // PEM files; both or neither
  TransportLimits limits;
};

// Serves one request: fills `response` from `request` (which it may annotate: matches). Runs
// on a worker thread.
using RequestHandler = std::function<void(http::Request& request, http::Response& response)>;

// True for a request cheap enough to answer on the I/O thread itself (no database work:
// health, the API description, the UI's files), sparing it two thread hand-offs.
using InlinePredicate = std::function<bool(const http::Request& request)>;

class Transport {
 public:
  // Loads the TLS certificate and key when given (kInvalidArgument naming the file otherwise).
  static base::Result<std::unique_ptr<Transport>> Create(TransportOptions options,
                                                         RequestHandler handler,
                                                         InlinePredicate runs_inline = {});
  virtual ~Transport() = default;
  // Binds and listens; returns the port (useful with port 0).
  virtual base::Result<int> Bind() = 0;
  // Serves until Stop(); the requests in flight are answered first.
  virtual void Run() = 0;
  virtual void Stop() = 0;
};

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_TRANSPORT_H_
