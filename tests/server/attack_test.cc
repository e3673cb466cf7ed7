// The running server against what an attacker on the network does (issue #23): a thousand
// slow-loris connections, bodies larger than allowed or nested thousands deep, connection
// floods from one address. Raw sockets where a well-behaved client library would not misbehave
// on purpose; cpp-httplib as the honest client beside them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "livercell/server/problem.h"
#include "run_process.h"
#include "server_process.h"

namespace livercell::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A raw TCP connection to the server.
class Socket {
 public:
  explicit Socket(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      close(fd_);
      fd_ = -1;
    }
    timeval timeout{10, 0};  // no test waits longer for an answer
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool Send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // What arrives until the server closes the connection (or 10 s pass); "" when it closed
  // without a word.
  std::string ReadAll() {
    std::string text;
    char buffer[4096];
    for (;;) {
      const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return text;
      text.append(buffer, static_cast<std::size_t>(n));
    }
  }
  // True when the server has closed the connection (recv sees the end within 10 s).
  bool ClosedByServer() {
    char byte = 0;
    return recv(fd_, &byte, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
};

class AttackTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags = {}) {
    ASSERT_EQ(RunLivercell({"db", "init", "--db", url_}).exit_code, 0);
    ASSERT_EQ(RunLivercell({"user", "add", "--db", url_, "--username", "dr.ada", "--role",
                            "physician", "--password-stdin"},
                           "a long enough password\n")
                  .exit_code,
              0);
    server_ = std::make_unique<ServerProcess>(url_, std::move(flags));
    ASSERT_GT(server_->port(), 0);
  }
  // Seconds a health probe takes on a new connection (-1 when it fails).
  double HealthSeconds() {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_connection_timeout(5);
    client.set_read_timeout(5);
    const auto start = Clock::now();
    auto res = client.Get("/api/v1/health");
    if (!res || res->status != 200) return -1;
    return std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::string Token() {
    httplib::Client client("127.0.0.1", server_->port());
    auto res = client.Post("/api/v1/session",
                           R"({"username":"dr.ada","password":"a long enough password"})",
                           "application/json");
    EXPECT_TRUE(res && res->status == 201);
    return res && res->status == 201 ? json::parse(res->body)["token"].get<std::string>() : "";
  }

  TempDir dir_;
  std::string url_ = "sqlite:" + dir_.File("r.db");
  std::unique_ptr<ServerProcess> server_;
};

constexpr std::string_view kPartialHeader = "GET /api/v1/health HTTP/1.1\r\nHost: clinic\r\n";

TEST_F(AttackTest, AThousandSlowClientsDoNotKeepHealthWaiting) {
  // A thousand sockets here and as many in the server (which inherits the limit): raise the
  // soft limit on open files to the hard one, as a server's service unit would.
  rlimit files{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &files), 0);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  ASSERT_GE(files.rlim_cur, 2100u) << "the hard limit on open files is too low for this test";
  Start();
  std::vector<Socket> slow;
  for (int i = 0; i < 1000; ++i) {
    Socket s(server_->port());
    ASSERT_TRUE(s.ok()) << "connection " << i;
    ASSERT_TRUE(s.Send(kPartialHeader));
    slow.push_back(std::move(s));
  }
  // They trickle a header line each, as slow-loris does, and health answers meanwhile.
  for (int round = 0; round < 3; ++round) {
    for (Socket& s : slow) s.Send("X-Trickle: 1\r\n");
    const double seconds = HealthSeconds();
    EXPECT_GE(seconds, 0) << "round " << round;
    EXPECT_LT(seconds, 1.0) << "round " << round;
  }
}

TEST_F(AttackTest, AHeaderThatNeverEndsIsClosedAtTheDeadline) {
  Start({"--header-timeout", "1"});
  Socket s(server_->port());
  ASSERT_TRUE(s.Send(kPartialHeader));
  const auto start = Clock::now();
  EXPECT_TRUE(s.ClosedByServer());
  const double waited = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GE(waited, 0.5);
  EXPECT_LT(waited, 5.0);
  EXPECT_GE(HealthSeconds(), 0);
}

TEST_F(AttackTest, ABodyOverTheLimitIs413BeforeItIsReadOrAnyoneLogsIn) {
  Start();
  // Declared: 100 MB, none of it sent. The answer comes at once, unauthenticated.
  Socket declared(server_->port());
  ASSERT_TRUE(declared.Send("POST /api/v1/patients HTTP/1.1\r\nHost: clinic\r\n"
                            "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"));
  const std::string answer = declared.ReadAll();
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
  EXPECT_NE(answer.find("at most 1048576 bytes"), std::string::npos) << answer;
  // Received: chunked, no length declared, 2 MiB sent.
  Socket chunked(server_->port());
  ASSERT_TRUE(chunked.Send("POST /api/v1/patients HTTP/1.1\r\nHost: clinic\r\n"
                           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk(64 * 1024, ' ');
  for (int i = 0; i < 32; ++i) {
    if (!chunked.Send("10000\r\n" + chunk + "\r\n")) break;  // closed: refused already
  }
  EXPECT_EQ(chunked.ReadAll().rfind("HTTP/1.1 413", 0), 0u);
}

TEST_F(AttackTest, OversizedRequestsLeaveMemoryFlat) {
  Start();
  const auto oversized = [&] {
    Socket s(server_->port());
    s.Send("POST /api/v1/patients HTTP/1.1\r\nHost: clinic\r\nContent-Type: application/json\r\n"
           "Content-Length: 31457280\r\n\r\n");
    s.Send(std::string(512 * 1024, '['));  // some of it arrives anyway
    return s.ReadAll().rfind("HTTP/1.1 413", 0) == 0;
  };
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(oversized());  // warm-up
  const long before = ResidentKib(server_->pid());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(oversized()) << i;
  const long after = ResidentKib(server_->pid());
  ASSERT_GT(before, 0);
  // Fifty 30 MB bodies; the server's memory may move by allocator noise, not by the bodies.
  EXPECT_LT(after - before, 8 * 1024) << before << " KiB → " << after << " KiB";
}

TEST_F(AttackTest, JsonNestedDeeperThan64LevelsIsRefusedByName) {
  Start();
  const std::string token = Token();
  httplib::Client client("127.0.0.1", server_->port());
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto res = client.Post("/api/v1/patients", {{"Authorization", "Bearer " + token}}, deep,
                         "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("deeper than 64 levels"), std::string::npos) << res->body;
  const std::string shallow = R"({"identifiers":[{"system":"mrn","value":"N1"}]})";
  auto ok = client.Post("/api/v1/patients", {{"Authorization", "Bearer " + token}}, shallow,
                        "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
}

TEST_F(AttackTest, AtTheConnectionCapTheLongestWaitingMakesRoom) {
  Start({"--max-connections-per-address", "16"});
  std::vector<Socket> idle;
  for (int i = 0; i < 16; ++i) {
    idle.emplace_back(server_->port());
    ASSERT_TRUE(idle.back().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // an order of arrival
  }
  // A seventeenth client is served; the first idle one was closed to make room.
  EXPECT_GE(HealthSeconds(), 0);
  EXPECT_TRUE(idle.front().ClosedByServer());
}

TEST_F(AttackTest, EveryAnswerCarriesTheSecurityHeaders) {
  Start();
  httplib::Client client("127.0.0.1", server_->port());
  for (const char* path : {"/api/v1/health", "/api/v1/patients", "/no/such/thing", "/"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer") << path;
    EXPECT_NE(res->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
              std::string::npos)
        << path;
    EXPECT_FALSE(res->has_header("Strict-Transport-Security")) << path << ": plain HTTP";
  }
  auto wrong = client.Delete("/api/v1/health");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "GET");
}

TEST_F(AttackTest, ACookieChangeFromAnotherSiteIsRefused) {
  Start();
  httplib::Client client("127.0.0.1", server_->port());
  auto login = client.Post("/api/v1/session",
                           R"({"username":"dr.ada","password":"a long enough password"})",
                           "application/json");
  ASSERT_TRUE(login && login->status == 201);
  const std::string cookie = login->get_header_value("Set-Cookie");
  const std::string session = cookie.substr(0, cookie.find(';'));
  const std::string own = "http://127.0.0.1:" + std::to_string(server_->port());
  const auto post = [&](httplib::Headers headers, const std::string& type, const char* mrn) {
    const std::string body = std::string(R"({"identifiers":[{"system":"mrn","value":")") + mrn +
                             R"("}]})";
    auto res = client.Post("/api/v1/patients", headers, body, type);
    return res ? res->status : -1;
  };
  // A form on evil.example posting with the victim's cookie: refused, whatever the type.
  EXPECT_EQ(post({{"Cookie", session}, {"Origin", "https://evil.example"}}, "text/plain", "C1"),
            403);
  EXPECT_EQ(post({{"Cookie", session}, {"Origin", "https://evil.example"}}, "application/json",
                 "C2"),
            403);
  EXPECT_EQ(post({{"Cookie", session}, {"Sec-Fetch-Site", "cross-site"}}, "application/json",
                 "C3"),
            403);
  // Our own origin, but a body a form could send: refused.
  EXPECT_EQ(post({{"Cookie", session}, {"Origin", own}}, "text/plain", "C4"), 403);
  // A cookie and no word of where the request came from: refused.
  EXPECT_EQ(post({{"Cookie", session}}, "application/json", "C5"), 403);
  // The UI's own request: accepted.
  EXPECT_EQ(post({{"Cookie", session}, {"Origin", own}}, "application/json", "C6"), 201);
  EXPECT_EQ(post({{"Cookie", session}, {"Sec-Fetch-Site", "same-origin"}}, "application/json",
                 "C7"),
            201);
  // A bearer token is not sent by browsers on their own: no origin rule.
  const std::string token = json::parse(login->body)["token"];
  EXPECT_EQ(post({{"Authorization", "Bearer " + token}, {"Origin", "https://evil.example"}},
                 "application/json", "C8"),
            201);
}

TEST_F(AttackTest, SearchMatchesPercentAndUnderscoreLiterally) {
  Start();
  const std::string token = Token();
  httplib::Client client("127.0.0.1", server_->port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  for (const char* mrn : {"A_1", "AB1", "50%"}) {
    const json body = {{"identifiers", {{{"system", "mrn"}, {"value", mrn}}}}};
    auto res = client.Post("/api/v1/patients", auth, body.dump(), "application/json");
    ASSERT_TRUE(res && res->status == 201) << (res ? res->body : "");
  }
  const auto total = [&](const std::string& q) {
    auto res = client.Get("/api/v1/patients?q=" + q, auth);
    return res && res->status == 200 ? json::parse(res->body)["total"].get<int>() : -1;
  };
  EXPECT_EQ(total("A_"), 1);    // not AB1
  EXPECT_EQ(total("%25"), 0);   // "%" itself: no identifier starts with it
  EXPECT_EQ(total("50%25"), 1);
  EXPECT_EQ(total("A"), 2);
}

TEST_F(AttackTest, DatabaseErrorsDoNotReachTheClient) {
  Start();
  const std::string token = Token();
  httplib::Client client("127.0.0.1", server_->port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  const json body = {{"identifiers", {{{"system", "mrn"}, {"value", "D1"}}}}};
  auto first = client.Post("/api/v1/patients", auth, body.dump(), "application/json");
  ASSERT_TRUE(first && first->status == 201);
  auto again = client.Post("/api/v1/patients", auth, body.dump(), "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;
  for (const char* leak : {"sqlite", "SQLITE", "UNIQUE", "constraint", "postgresql", "INSERT"}) {
    EXPECT_EQ(again->body.find(leak), std::string::npos) << leak << " in " << again->body;
  }
}

TEST(PublicStatus, KeepsTheDatabasesWordsAndInternalFailuresFromClients) {
  const base::Status duplicate(base::StatusCode::kAlreadyExists,
                               "sqlite: UNIQUE constraint failed: patients.source_key");
  const base::Status shown = server::PublicStatus(duplicate, "r1");
  EXPECT_EQ(shown.code(), base::StatusCode::kAlreadyExists);  // still a 409
  EXPECT_EQ(std::string(shown.message()).find("UNIQUE"), std::string::npos);
  const base::Status broken(base::StatusCode::kInternal,
                            "postgresql: relation \"users\" does not exist (SQLSTATE 42P01)");
  const std::string text(server::PublicStatus(broken, "r2").message());
  EXPECT_EQ(text.find("users"), std::string::npos) << text;
  EXPECT_NE(text.find("request id r2"), std::string::npos) << text;
  // A client's own mistake is the client's to read.
  base::Status mistake(base::StatusCode::kInvalidArgument, "weight_kg must be above 0");
  EXPECT_EQ(server::PublicStatus(mistake, "r3").message(), mistake.message());
}

TEST_F(AttackTest, WeakPasswordsAreRefusedForNewAccounts) {
  TempDir dir;
  const std::string url = "sqlite:" + dir.File("p.db");
  ASSERT_EQ(RunLivercell({"db", "init", "--db", url}).exit_code, 0);
  const ProcessResult weak = RunLivercell(
      {"user", "add", "--db", url, "--username", "rn.kim", "--role", "nurse", "--password-stdin"},
      "password1234\n");
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("the common password \"password\" with characters added"),
            std::string::npos)
      << weak.err;
}

TEST_F(AttackTest, LogInIsThrottledAlikeForKnownAndUnknownUsers) {
  Start();
  httplib::Client client("127.0.0.1", server_->port());
  const auto attempt = [&](const std::string& username) {
    const json body = {{"username", username}, {"password", "not the password"}};
    return client.Post("/api/v1/session", body.dump(), "application/json");
  };
  std::vector<json> answers;  // the 429 problem, known then unknown user
  for (const std::string username : {"dr.ada", "nobody.here"}) {
    for (int i = 0; i < 5; ++i) {
      auto res = attempt(username);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 401) << username << " attempt " << i;
    }
    auto held = attempt(username);
    ASSERT_TRUE(held);
    EXPECT_EQ(held->status, 429) << username;
    EXPECT_NE(held->body.find("too many failed log-ins: try again after"), std::string::npos)
        << held->body;
    json problem = json::parse(held->body);
    problem.erase("request_id");
    for (const char* field : {"detail", "message"}) {  // the same words; the time differs
      const std::string text = problem.value(field, "");
      problem[field] = text.substr(0, text.find(" after "));
    }
    answers.push_back(problem);
  }
  // Nothing in the answer tells an existing account from a made-up one.
  EXPECT_EQ(answers[0], answers[1]);
}

TEST_F(AttackTest, AnonymousFailuresAreOneAuditEntryPerClientAndMinute) {
  Start();
  httplib::Client client("127.0.0.1", server_->port());
  for (int i = 0; i < 300; ++i) {
    auto res = client.Get("/api/v1/patients");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 401);
  }
  ASSERT_EQ(server_->Stop(), 0);  // the last minute's count is written at shutdown
  const ProcessResult audit = RunLivercell({"audit", "export", "--db", url_, "--format", "jsonl"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  std::istringstream lines(audit.out);
  int entries = 0;
  long counted = 0;
  for (std::string line; std::getline(lines, line);) {
    const json e = json::parse(line);
    if (e["action"] != "unauthenticated") continue;
    ++entries;
    counted += std::atol(e["resource"].get<std::string>().c_str());
    EXPECT_NE(e["resource"].get<std::string>().find("from 127.0.0.1"), std::string::npos) << line;
  }
  EXPECT_GE(entries, 1);
  EXPECT_LE(entries, 2) << "300 requests within a minute or two";
  EXPECT_EQ(counted, 300);
  EXPECT_EQ(RunLivercell({"audit", "verify", "--db", url_}).exit_code, 0);
}

}  // namespace
}  // namespace livercell::testing
