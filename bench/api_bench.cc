// bench/api_bench: the clinic server under load (issue #6). In one run: a fresh SQLite
// registry with the PBC cohort, `livercell serve` on it, and nginx (Debian's nginx-light)
// serving a static copy of the same JSON; wrk with 100 connections for 30 s against
// `GET /api/v1/patients/{id}` (session check, two reads, and an audit entry committed before
// the answer leaves) and against nginx's file. Prints both req/s, both p99 latencies and the
// ratios; then checks that every request was audited and the chain verifies.
//
// Environment: LIVERCELL_BENCH_SECONDS (default 30), LIVERCELL_BENCH_CONNECTIONS (100).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"

namespace {

using livercell::bench::ChildRun;
using livercell::bench::RunChild;

constexpr const char* kPassword = "a load-test passphrase";

int EnvInt(const char* name, int fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && std::atoi(text) > 0 ? std::atoi(text) : fallback;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A long-running child; its first line of standard output is returned by Start().
struct Daemon {
  pid_t pid = 0;
  std::string Start(std::vector<std::string> argv, bool read_line) {
    int out[2];
    if (pipe(out) != 0) return "";
    pid = fork();
    if (pid == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c = 0;
    while (read_line && read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    return line;
  }
  void Stop() {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    pid = 0;
  }
};

struct Load {
  double requests_per_s = 0;
  double p99_ms = 0;
  long requests = 0;
  long errors = 0;  // non-2xx answers and socket errors
};

// The number after `label` in wrk's report (std::regex trips GCC 12's warnings under ASan).
double After(const std::string& text, const std::string& label, std::string* unit = nullptr) {
  const std::size_t at = text.find(label);
  if (at == std::string::npos) return 0;
  const char* start = text.c_str() + at + label.size();
  char* end = nullptr;
  const double value = std::strtod(start, &end);
  if (unit != nullptr) {
    unit->clear();
    while (end != nullptr && std::isalpha(static_cast<unsigned char>(*end))) *unit += *end++;
  }
  return value;
}

double Milliseconds(double value, const std::string& unit) {
  if (unit == "us") return value / 1000;
  if (unit == "s") return value * 1000;
  return value;
}

Load RunWrk(const std::string& url, const std::string& header, int connections, int seconds) {
  std::vector<std::string> argv = {"wrk", "-t2", fmt::format("-c{}", connections),
                                   fmt::format("-d{}s", seconds), "--latency"};
  if (!header.empty()) {
    argv.push_back("-H");
    argv.push_back(header);
  }
  argv.push_back(url);
  const ChildRun run = RunChild(argv, /*capture_output=*/true);
  Load load;
  load.requests_per_s = After(run.output, "Requests/sec:");
  std::string unit;
  const double p99 = After(run.output, " 99% ", &unit);
  load.p99_ms = Milliseconds(p99, unit);
  // "  123456 requests in 30.00s, …"
  const std::size_t in = run.output.find(" requests in ");
  if (in != std::string::npos) {
    std::size_t from = run.output.rfind('\n', in);
    load.requests = std::atol(run.output.c_str() + (from == std::string::npos ? 0 : from + 1));
  }
  load.errors += static_cast<long>(After(run.output, "Non-2xx or 3xx responses:"));
  for (const char* kind : {"connect ", ", read ", ", write ", ", timeout "}) {
    const std::size_t socket = run.output.find("Socket errors:");
    if (socket != std::string::npos)
      load.errors += static_cast<long>(After(run.output.substr(socket), kind));
  }
  if (run.exit_code != 0 || load.requests_per_s == 0) {
    std::fprintf(stderr, "api_bench: wrk failed on %s:\n%s\n", url.c_str(), run.output.c_str());
    std::exit(1);
  }
  return load;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "api_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main() {
  const int seconds = EnvInt("LIVERCELL_BENCH_SECONDS", 30);
  const int connections = EnvInt("LIVERCELL_BENCH_CONNECTIONS", 100);
  char dir_template[] = "/tmp/livercell-api-bench-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  chmod(dir.c_str(), 0755);  // nginx's workers read the static file as another user
  const std::string db = "sqlite:" + dir + "/registry.db";
  const std::string source = LIVERCELL_SOURCE_DIR;

  if (RunChild({LIVERCELL_BINARY, "db", "init", "--db", db}).exit_code != 0)
    return Fail("db init failed");
  if (RunChild({LIVERCELL_BINARY, "import", "pbc", "--db", db, "--pbc",
                source + "/data/cohorts/pbc.csv", "--pbcseq", source + "/data/cohorts/pbcseq.csv"})
          .exit_code != 0)
    return Fail("PBC import failed");
  {
    const std::string command = fmt::format(
        "{} user add --db {} --username bench --role nurse --password-stdin >/dev/null",
        LIVERCELL_BINARY, db);
    std::FILE* pipe = popen(command.c_str(), "w");
    std::fprintf(pipe, "%s\n", kPassword);
    if (pipe == nullptr || pclose(pipe) != 0) return Fail("user add failed");
  }

  Daemon server;
  const std::string line =
      server.Start({LIVERCELL_BINARY, "serve", "--db", db, "--listen", "127.0.0.1:0"}, true);
  const int port = static_cast<int>(After(line, "127.0.0.1:"));
  if (port <= 0) return Fail("livercell serve did not start: " + line);
  httplib::Client client("127.0.0.1", port);
  auto login = client.Post("/api/v1/session",
                           fmt::format(R"({{"username":"bench","password":"{}"}})", kPassword),
                           "application/json");
  if (!login || login->status != 201) return Fail("log-in failed");
  const std::string token = login->body.substr(login->body.find("\"token\":\"") + 9, 64);
  const std::string header = "Authorization: Bearer " + token;
  const std::string path = "/api/v1/patients/1";
  auto sample = client.Get(path, {{"Authorization", "Bearer " + token}});
  if (!sample || sample->status != 200) return Fail("GET " + path + " failed");

  // nginx serves the same bytes as a static file, the same size by construction.
  std::filesystem::create_directories(dir + "/www");
  std::ofstream(dir + "/www/patient.json") << sample->body;
  auto health = client.Get("/api/v1/health");
  if (!health || health->status != 200) return Fail("GET /api/v1/health failed");
  std::ofstream(dir + "/www/health.json") << health->body;
  const int nginx_port = FreePort();
  std::ofstream(dir + "/nginx.conf") << fmt::format(
      "worker_processes 2;\npid {0}/nginx.pid;\nerror_log {0}/nginx-error.log;\n"
      "events {{ worker_connections 4096; }}\n"
      "http {{\n  access_log off;\n  default_type application/json;\n"
      "  client_body_temp_path {0}/tmp; proxy_temp_path {0}/tmp; fastcgi_temp_path {0}/tmp;\n"
      "  uwsgi_temp_path {0}/tmp; scgi_temp_path {0}/tmp;\n"
      "  server {{ listen 127.0.0.1:{1}; root {0}/www; }}\n}}\n",
      dir, nginx_port);
  Daemon nginx;
  nginx.Start({"nginx", "-p", dir, "-c", dir + "/nginx.conf", "-g", "daemon off;"}, false);
  httplib::Client nginx_client("127.0.0.1", nginx_port);
  bool nginx_up = false;
  for (int i = 0; i < 100 && !nginx_up; ++i) {
    auto res = nginx_client.Get("/patient.json");
    nginx_up = res && res->status == 200 && res->body == sample->body;
    if (!nginx_up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!nginx_up) return Fail("nginx did not serve the file (is nginx-light installed?)");

  std::printf("api_bench: wrk -t2 -c%d -d%ds, %zu-byte JSON body, both servers on this machine\n",
              connections, seconds, sample->body.size());
  const Load base = RunWrk(fmt::format("http://127.0.0.1:{}/patient.json", nginx_port), "",
                           connections, seconds);
  const Load ours = RunWrk(fmt::format("http://127.0.0.1:{}{}", port, path), header, connections,
                           seconds);
  const Load base_health = RunWrk(fmt::format("http://127.0.0.1:{}/health.json", nginx_port), "",
                                  connections, seconds);
  const Load ours_health = RunWrk(fmt::format("http://127.0.0.1:{}/api/v1/health", port), "",
                                  connections, seconds);
  nginx.Stop();
  server.Stop();

  std::printf("\n| server | req/s | p99 | requests | errors |\n| --- | --- | --- | --- | --- |\n");
  std::printf("| nginx (static file) | %.0f | %.2f ms | %ld | %ld |\n", base.requests_per_s,
              base.p99_ms, base.requests, base.errors);
  std::printf("| livercell GET %s | %.0f | %.2f ms | %ld | %ld |\n", path.c_str(),
              ours.requests_per_s, ours.p99_ms, ours.requests, ours.errors);
  std::printf("| nginx (static %zu-byte file) | %.0f | %.2f ms | %ld | %ld |\n",
              health->body.size(), base_health.requests_per_s, base_health.p99_ms,
              base_health.requests, base_health.errors);
  std::printf("| livercell GET /api/v1/health | %.0f | %.2f ms | %ld | %ld |\n",
              ours_health.requests_per_s, ours_health.p99_ms, ours_health.requests,
              ours_health.errors);
  const double throughput = ours.requests_per_s / base.requests_per_s;
  const double latency = ours.p99_ms / base.p99_ms;
  const double health_throughput = ours_health.requests_per_s / base_health.requests_per_s;
  std::printf("\nGET %s: throughput %.0f%% of nginx (target >= 50%%): %s\n", path.c_str(),
              100 * throughput, throughput >= 0.5 ? "met" : "NOT met");
  std::printf("GET %s: p99 %.2fx nginx's (target <= 2x): %s\n", path.c_str(), latency,
              latency <= 2 ? "met" : "NOT met");
  std::printf("GET /api/v1/health: throughput %.0f%% of nginx (target >= 80%%): %s\n",
              100 * health_throughput, health_throughput >= 0.8 ? "met" : "NOT met");

  // Every answered read left an audit entry, and the chain holds.
  const ChildRun verify = RunChild({LIVERCELL_BINARY, "audit", "verify", "--db", db}, true);
  std::printf("audit verify: exit %d, %s", verify.exit_code, verify.first_line.c_str());
  std::filesystem::remove_all(dir);
  return verify.exit_code == 0 && ours.errors == 0 && ours_health.errors == 0 ? 0 : 1;
}
