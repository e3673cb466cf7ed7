#include "livercell/server/transport.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace livercell::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// What every answer carries unless its handler said otherwise (issue #23): no MIME sniffing, no
// referrer, nothing framed or loaded from elsewhere, and under TLS, HTTPS only for a year.
void AddDefaultHeaders(http::Response& response, bool tls) {
  if (!response.HasHeader("X-Content-Type-Options")) {
    response.SetHeader("X-Content-Type-Options", "nosniff");
  }
  if (!response.HasHeader("Referrer-Policy")) response.SetHeader("Referrer-Policy", "no-referrer");
  if (!response.HasHeader("Content-Security-Policy")) {
    response.SetHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  }
  if (tls) response.SetHeader("Strict-Transport-Security", "max-age=31536000");
}

// The transport's own refusals, as RFC 9457 problems like the routes' (server.cc).
http::Response TransportProblem(int status, std::string_view name, std::string_view title,
                                std::string detail) {
  http::Response response;
  response.status = status;
  const nlohmann::json body = {
      {"type", fmt::format("/api/v1/openapi.json#/components/schemas/Problem/{}", name)},
      {"title", title},
      {"status", status},
      {"detail", std::move(detail)},
      {"error", name}};
  response.SetContent(body.dump(), "application/problem+json");
  return response;
}

class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the socket from any thread (on the connection's strand).
  virtual void Close() = 0;

  // Whether the connection waits for a request header, and since when: written by its own I/O
  // thread twice a request, read by the table's eviction under the table's lock. Atomics
  // rather than the table's mutex, which the I/O threads would otherwise contend for on every
  // request.
  void SetWaiting(bool waiting) {
    since_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    waiting_.store(waiting, std::memory_order_relaxed);
  }
  bool waiting() const { return waiting_.load(std::memory_order_relaxed); }
  Clock::time_point since() const {
    return Clock::time_point(Clock::duration(since_.load(std::memory_order_relaxed)));
  }

 private:
  std::atomic<bool> waiting_{true};
  std::atomic<Clock::rep> since_{Clock::now().time_since_epoch().count()};
};

// Every open connection, for the caps: per client address and in total. A connection waiting
// for a request header is a candidate for eviction, the longest-waiting first.
class ConnectionTable {
 public:
  explicit ConnectionTable(const TransportLimits& limits) : limits_(limits) {}

  // Admits a new connection from `address`, evicting a waiting one when a cap is reached;
  // false when every connection at the cap is busy (the new one is then refused).
  bool Admit(Connection* connection, const std::weak_ptr<Connection>& handle,
             const std::string& address) {
    std::shared_ptr<Connection> evicted;
    {
      std::lock_guard lock(mutex_);
      const bool address_full = per_address_[address] >= limits_.max_connections_per_address;
      if (address_full || entries_.size() >= limits_.max_connections) {
        // Entries are removed under this lock before their connection's members go, so
        // reading a listed connection's state here is safe.
        auto victim = entries_.end();
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
          if (!it->first->waiting() || (address_full && it->second.address != address)) continue;
          if (victim == entries_.end() || it->first->since() < victim->first->since()) victim = it;
        }
        if (victim == entries_.end()) return false;
        evicted = victim->second.handle.lock();
        RemoveLocked(victim);
      }
      entries_[connection] = {handle, address};
      ++per_address_[address];
    }
    if (evicted) evicted->Close();
    return true;
  }
  void Remove(Connection* connection) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(connection);
    if (it != entries_.end()) RemoveLocked(it);
  }
  // Closes every connection that waits for a request (shutdown: the busy ones finish first).
  void CloseWaiting() {
    std::vector<std::shared_ptr<Connection>> waiting;
    {
      std::lock_guard lock(mutex_);
      for (auto& [connection, entry] : entries_) {
        if (!connection->waiting()) continue;
        if (auto handle = entry.handle.lock()) waiting.push_back(std::move(handle));
      }
    }
    for (auto& connection : waiting) connection->Close();
  }

 private:
  struct Entry {
    std::weak_ptr<Connection> handle;
    std::string address;
  };
  void RemoveLocked(std::unordered_map<Connection*, Entry>::iterator it) {
    auto count = per_address_.find(it->second.address);
    if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
    entries_.erase(it);
  }
  const TransportLimits& limits_;
  std::mutex mutex_;
  std::unordered_map<Connection*, Entry> entries_;
  std::unordered_map<std::string, std::size_t> per_address_;
};

// What a connection needs of the server it belongs to.
struct Shared {
  TransportLimits limits;
  RequestHandler handler;
  InlinePredicate runs_inline;
  asio::thread_pool& workers;
  ConnectionTable& connections;
  std::atomic<bool>& stopping;
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <typename Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `io`: the I/O context (one thread) that owns the socket.
  template <typename... Args>
  Session(Shared& shared, asio::io_context& io, std::string address, Args&&... args)
      : shared_(shared),
        io_(io),
        address_(std::move(address)),
        stream_(std::forward<Args>(args)...) {}
  ~Session() override { shared_.connections.Remove(this); }

  void Start() {
    if constexpr (kTls) {
      Lowest().expires_after(shared_.limits.header_deadline);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Abort();
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  void Close() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Abort(); });
  }
  auto Executor() { return stream_.get_executor(); }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Abort() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  // Keep-alive: wait (idle timeout) for the next request's first bytes, then read its header.
  void AwaitNext() {
    if (shared_.stopping) return Shutdown();
    if (buffer_.size() > 0) return ReadHeader();  // pipelined: already here
    this->SetWaiting(true);
    Lowest().expires_after(shared_.limits.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(4096),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          if (ec) return self->Abort();
          self->buffer_.commit(n);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    this->SetWaiting(true);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.limits.max_header_bytes));
    parser_->body_limit(shared_.limits.max_body_bytes);
    started_ = Clock::now();
    Lowest().expires_after(shared_.limits.header_deadline);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    this->SetWaiting(false);
    if (ec) return Refuse(ec);
    const auto& request = parser_->get();
    if (const auto length = parser_->content_length();
        length && *length > shared_.limits.max_body_bytes) {
      return Refuse(bhttp::error::body_limit);
    }
    if (request[bhttp::field::expect] == "100-continue") {
      auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       request.version());
      bhttp::async_write(stream_, *go_on,
                         [self = this->shared_from_this(), go_on](beast::error_code failed,
                                                                  std::size_t) {
                           if (failed) return self->Abort();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_at(started_ + shared_.limits.request_deadline);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->Refuse(ec);
                        self->Dispatch();
                      });
  }

  // A request that cannot be served: answered when the client deserves an answer (too large,
  // malformed), else the connection is dropped (timeouts, resets).
  void Refuse(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return WriteAndClose(TransportProblem(
          413, "payload_too_large", "The request body is too large",
          fmt::format("the body may hold at most {} bytes", shared_.limits.max_body_bytes)));
    }
    if (ec == bhttp::error::header_limit) {
      return WriteAndClose(TransportProblem(
          431, "header_too_large", "The request header is too large",
          fmt::format("the header may hold at most {} bytes", shared_.limits.max_header_bytes)));
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return WriteAndClose(
          TransportProblem(400, "invalid_argument", "Malformed request", ec.message()));
    }
    Abort();
  }

  void Dispatch() {
    auto message = parser_->release();
    parser_.reset();
    auto request = std::make_shared<http::Request>();
    request->method = std::string(message.method_string());
    const std::string_view target(message.target().data(), message.target().size());
    const std::size_t question = target.find('?');
    request->path = http::PercentDecode(target.substr(0, question), false);
    if (question != std::string_view::npos) {
      request->params = http::ParseQuery(target.substr(question + 1));
    }
    for (const auto& field : message) {
      request->headers.emplace_back(std::string(field.name_string()),
                                    std::string(field.value()));
    }
    request->body = std::move(message.body());
    request->remote_address = address_;  // as accepted: no getpeername per request
    request->tls = kTls;
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    Lowest().expires_never();
    if (shared_.runs_inline && shared_.runs_inline(*request)) {
      http::Response response;
      shared_.handler(*request, response);
      return Write(std::move(response), keep_alive_ && !shared_.stopping);
    }
    // The database work leaves the I/O threads; the answer comes back to this strand. The
    // work guard keeps the I/O loop running (and Stop() waiting) until it has been written.
    asio::post(shared_.workers, [self = this->shared_from_this(), request,
                                 work = asio::make_work_guard(io_)]() mutable {
      auto response = std::make_shared<http::Response>();
      self->shared_.handler(*request, *response);
      asio::post(self->stream_.get_executor(), [self, response, work = std::move(work)] {
        self->Write(std::move(*response), self->keep_alive_ && !self->shared_.stopping);
      });
    });
  }

  void WriteAndClose(http::Response response) {
    version_ = parser_ ? parser_->get().version() : 11;
    Write(std::move(response), false);
  }

  void Write(http::Response response, bool keep_alive) {
    AddDefaultHeaders(response, kTls);
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), version_ == 0 ? 11 : version_);
    for (auto& [name, value] : response.headers) message->insert(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive);
    message->prepare_payload();
    Lowest().expires_after(shared_.limits.request_deadline);
    bhttp::async_write(stream_, *message,
                       [self = this->shared_from_this(), message, keep_alive](
                           beast::error_code ec, std::size_t) {
                         if (ec) return self->Abort();
                         if (!keep_alive) return self->Shutdown();
                         self->AwaitNext();
                       });
  }

  void Shutdown() {
    if constexpr (kTls) {
      Lowest().expires_after(std::chrono::seconds(5));
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->Abort(); });
    } else {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  Shared& shared_;
  asio::io_context& io_;
  const std::string address_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Clock::time_point started_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
};

class BeastTransport final : public Transport {
 public:
  BeastTransport(TransportOptions options, RequestHandler handler, InlinePredicate runs_inline,
                 std::optional<asio::ssl::context> tls)
      : options_(std::move(options)),
        connections_(options_.limits),
        tls_(std::move(tls)),
        shared_{options_.limits, std::move(handler), std::move(runs_inline), workers_,
                connections_, stopping_},
        workers_(static_cast<std::size_t>(std::max(1, options_.limits.worker_threads))) {
    // One I/O context per thread, each connection on one of them: no lock between the
    // threads on the hot path and no strand needed (one thread runs each context).
    const int threads = options_.limits.io_threads > 0
                            ? options_.limits.io_threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < threads; ++i) ios_.push_back(std::make_unique<asio::io_context>(1));
    acceptor_.emplace(*ios_.front());
  }

  ~BeastTransport() override {
    Stop();
    workers_.join();
  }

  base::Result<int> Bind() override {
    // Each connection is a file descriptor: let the process open as many as the caps allow
    // (the usual soft limit of 1,024 would stop it near a thousand clients).
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
      files.rlim_cur = files.rlim_max;
      setrlimit(RLIMIT_NOFILE, &files);
    }
    beast::error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return CannotListen("not an IP address");
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(options_.port));
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return CannotListen(ec.message());
    return static_cast<int>(acceptor_->local_endpoint().port());
  }

  void Run() override {
    Accept();
    // The contexts other than the acceptor's have no work until a connection arrives: keep
    // them running until Stop().
    for (std::size_t i = 1; i < ios_.size(); ++i) idle_guards_.emplace_back(ios_[i]->get_executor());
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < ios_.size(); ++i) {
      threads.emplace_back([io = ios_[i].get()] { io->run(); });
    }
    ios_.front()->run();
    for (std::thread& t : threads) t.join();
  }

  void Stop() override {
    if (stopping_.exchange(true)) return;
    asio::post(acceptor_->get_executor(), [this] {
      beast::error_code ignored;
      acceptor_->close(ignored);
      connections_.CloseWaiting();
      idle_guards_.clear();  // each context ends when its connections have
    });
  }

 private:
  base::Status CannotListen(const std::string& why) {
    base::Status status(base::StatusCode::kUnavailable,
                        fmt::format("cannot listen on {}:{} ({})", options_.host, options_.port,
                                    why));
    status.SetPath("--listen");
    return status;
  }

  void Accept() {
    asio::io_context& io = *ios_[next_io_++ % ios_.size()];
    acceptor_->async_accept(io, [this, &io](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (!acceptor_->is_open()) return;  // stopped
        return Accept();  // e.g. out of file descriptors for a moment: keep serving
      }
      socket.set_option(tcp::no_delay(true), ec);
      const auto remote = socket.remote_endpoint(ec);
      const std::string address = ec ? "" : remote.address().to_string();
      if (tls_) {
        Start(std::make_shared<Session<TlsStream>>(shared_, io, address, std::move(socket), *tls_),
              address);
      } else {
        Start(std::make_shared<Session<PlainStream>>(shared_, io, address, std::move(socket)),
              address);
      }
      Accept();
    });
  }

  template <typename S>
  void Start(std::shared_ptr<S> session, const std::string& address) {
    if (!connections_.Admit(session.get(), session, address)) return;  // closes on destruction
    asio::post(session->Executor(), [session] { session->Start(); });
  }

  // Declared so that what connections refer to (the table, the TLS context, the shared
  // settings) outlives the I/O contexts and the workers, whose pending handlers hold
  // connections until they are destroyed.
  TransportOptions options_;
  ConnectionTable connections_;
  std::optional<asio::ssl::context> tls_;
  std::atomic<bool> stopping_{false};
  Shared shared_;
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  asio::thread_pool workers_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> idle_guards_;
  std::optional<tcp::acceptor> acceptor_;  // on ios_.front()
  std::size_t next_io_ = 0;                // round robin over ios_
};

}  // namespace

base::Result<std::unique_ptr<Transport>> Transport::Create(TransportOptions options,
                                                           RequestHandler handler,
                                                           InlinePredicate runs_inline) {
  std::optional<asio::ssl::context> tls;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      base::Status status(base::StatusCode::kInvalidArgument,
                          "TLS needs both --tls-cert and --tls-key");
      status.SetPath(options.tls_cert.empty() ? "--tls-cert" : "--tls-key");
      return status;
    }
    tls.emplace(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls->use_certificate_chain_file(options.tls_cert, ec);
    if (!ec) tls->use_private_key_file(options.tls_key, asio::ssl::context::pem, ec);
    if (ec) {
      base::Status status(base::StatusCode::kInvalidArgument,
                          fmt::format("cannot load the TLS certificate and key (PEM files "
                                      "expected): {}",
                                      ec.message()));
      status.SetPath("--tls-cert").SetValue(options.tls_cert);
      return status;
    }
  }
  return std::unique_ptr<Transport>(
      std::make_unique<BeastTransport>(std::move(options), std::move(handler),
                                       std::move(runs_inline), std::move(tls)));
}

}  // namespace livercell::server
