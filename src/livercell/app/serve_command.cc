// `livercell serve`: the clinic server (server/server.h) until SIGTERM or SIGINT, which stop
// it gracefully: no new connections, requests in flight finish, the audit queue drains.
#include <fmt/format.h>
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <thread>

#include "livercell/app/serve_command.h"

#include "livercell/cli/app.h"
#include "livercell/cli/input.h"
#include "livercell/server/server.h"

namespace livercell::app {

using cli::Fail;
using cli::Format;
using server::Server;
using server::ServeOptions;

namespace {

struct ServeArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert, tls_key;
  std::string audit_key;
  std::string protocol;
  std::string calendar;
  std::string release_spec;
  server::TransportLimits limits;
  int header_timeout = 0, request_timeout = 0, idle_timeout = 0;  // seconds; set from limits
};

base::Status ParseListen(const std::string& listen, ServeOptions* options) {
  const std::size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    const char* begin = listen.data() + colon + 1;
    const char* end = listen.data() + listen.size();
    const auto [ptr, ec] = std::from_chars(begin, end, port);
    if (ec != std::errc() || ptr != end) port = -1;
  }
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
    base::Status status(base::StatusCode::kInvalidArgument,
                        "expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0 = any free port)");
    status.SetPath("--listen").SetValue(listen);
    return status;
  }
  options->host = listen.substr(0, colon);
  options->port = port;
  return base::OkStatus();
}

int RunServe(const ServeArgs& args) {
  ServeOptions options;
  options.db_url = cli::ResolveDbUrl(args.db);
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  options.audit_key = args.audit_key;
  options.limits = args.limits;
  options.limits.header_deadline = std::chrono::seconds(args.header_timeout);
  options.limits.request_deadline = std::chrono::seconds(args.request_timeout);
  options.limits.idle_timeout = std::chrono::seconds(args.idle_timeout);
  if (!args.protocol.empty()) {
    formats::ProtocolParse loaded = cli::LoadProtocol(args.protocol);
    if (!loaded.protocol) return Fail(loaded.errors, Format::kTable);
    options.protocol = std::move(loaded.protocol);
  }
  if (!args.calendar.empty()) {
    std::vector<base::Status> problems;
    auto calendar = cli::LoadClinicCalendar(args.calendar, &problems);
    if (!calendar.ok()) return Fail(problems, Format::kTable);
    options.calendar = std::move(*calendar);
  }
  if (!args.release_spec.empty()) {
    std::vector<base::Status> problems;
    auto spec = cli::LoadReleaseSpec(args.release_spec, &problems);
    if (!spec.ok()) return Fail(problems, Format::kTable);
    options.release_spec = std::move(*spec);
  }
  if (base::Status status = ParseListen(args.listen, &options); !status.ok()) {
    return Fail(status, Format::kTable);
  }
  // Signals go to the waiting thread below, not to whichever thread they happen to hit.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto created = Server::Create(options);
  if (!created.ok()) return Fail(created.status(), Format::kTable);
  Server& http = *created.value();
  auto port = http.Bind();
  if (!port.ok()) return Fail(port.status(), Format::kTable);
  fmt::print("livercell serving {} on {}://{}:{}/ (stop with Ctrl-C)\n", options.db_url,
             options.tls_cert.empty() ? "http" : "https", options.host, port.value());
  std::fflush(stdout);
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    http.Stop();
  });
  http.Run();
  // Stopped by a signal, or the listener failed: either way wake the waiter.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  fmt::print("livercell stopped\n");
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, cli::Action* selected) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve the REST API (/api/v1) for the clinic until SIGTERM or Ctrl-C");
  cli::AddDbOption(*serve, &args->db);
  serve->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--tls-cert", args->tls_cert, "PEM certificate: serve HTTPS");
  serve->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert");
  serve->add_option("--audit-key", args->audit_key,
                    "The audit chain's key file (default: beside a SQLite registry, or "
                    "$LIVERCELL_AUDIT_KEY_FILE; required for PostgreSQL)");
  serve->add_option("--calendar", args->calendar,
                    "Clinic calendar TOML for treatment plans (default: Monday-Friday, no "
                    "holidays)");
  cli::AddReleaseSpecOption(*serve, &args->release_spec);
  serve->add_option("--protocol", args->protocol,
                    "Candidacy protocol TOML for assessments (default: the built-in "
                    "livercell-default; check it first with `livercell protocol check`)");
  // The limits a hostile or broken client meets (issue #23), each with its safe default.
  server::TransportLimits& limits = args->limits;
  args->header_timeout = static_cast<int>(limits.header_deadline.count());
  args->request_timeout = static_cast<int>(limits.request_deadline.count());
  args->idle_timeout = static_cast<int>(limits.idle_timeout.count());
  const char* group = "Limits";
  serve->add_option("--header-timeout", args->header_timeout,
                    "Seconds a request's header may take to arrive (slow clients are closed)")
      ->check(CLI::Range(1, 3600))->capture_default_str()->group(group);
  serve->add_option("--request-timeout", args->request_timeout,
                    "Seconds a whole request (header and body) may take to arrive")
      ->check(CLI::Range(1, 86400))->capture_default_str()->group(group);
  serve->add_option("--idle-timeout", args->idle_timeout,
                    "Seconds a keep-alive connection may wait idle for its next request")
      ->check(CLI::Range(1, 86400))->capture_default_str()->group(group);
  serve->add_option("--max-header-bytes", limits.max_header_bytes,
                    "Largest request header (431 beyond)")
      ->check(CLI::Range(1024, 1024 * 1024))->capture_default_str()->group(group);
  serve->add_option("--max-body-bytes", limits.max_body_bytes,
                    "Largest request body (413 before it is read)")
      ->check(CLI::Range(1024, 1024 * 1024 * 1024))->capture_default_str()->group(group);
  serve->add_option("--max-connections", limits.max_connections,
                    "Open connections in all; at the cap the one waiting longest for a header "
                    "is closed")
      ->check(CLI::Range(16, 1000000))->capture_default_str()->group(group);
  serve->add_option("--max-connections-per-address", limits.max_connections_per_address,
                    "Open connections from one client address (a proxy counts as one)")
      ->check(CLI::Range(1, 1000000))->capture_default_str()->group(group);
  serve->add_option("--io-threads", limits.io_threads, "Threads for sockets (0: one per core)")
      ->check(CLI::Range(0, 256))->capture_default_str()->group(group);
  serve->add_option("--workers", limits.worker_threads,
                    "Requests handled at once (database work)")
      ->check(CLI::Range(1, 256))->capture_default_str()->group(group);
  serve->footer(
      "Accounts come from `livercell user add`; the API is described at /api/v1/openapi.json.\n"
      "Example:\n  livercell serve --db sqlite:var/livercell.db --listen 127.0.0.1:8080");
  serve->callback([selected, args] { *selected = [args] { return RunServe(*args); }; });
}

}  // namespace livercell::app
