// `livercell audit verify|anchor|export`: the audit trail (access/audit.h). verify exits 3
// naming the first entry whose chain breaks.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "livercell/access/audit.h"
#include "livercell/access/audit_key.h"
#include "livercell/base/instant.h"
#include "livercell/base/csv.h"
#include "livercell/clinic/audit_trail.h"
#include "livercell/cli/app.h"
#include "livercell/formats/records_json.h"
#include "livercell/storage/repository.h"

namespace livercell::cli {
namespace {

using storage::Repository;

struct AuditArgs {
  std::string db, since, format = "jsonl";
  std::string audit_key;  // the key file ("": the default, access/audit_key.h)
  std::string anchor;     // verify: anchors to check; anchor: the file to append to
};

base::Status BreakStatus(const access::AuditBreak& broken) {
  base::Status status(base::StatusCode::kDataLoss,
                      fmt::format("the audit chain breaks at entry {}: {}", broken.seq,
                                  broken.reason));
  status.SetPath("audit_log").SetValue(static_cast<double>(broken.seq));
  return status;
}

nlohmann::json AnchorJson(const access::AuditAnchor& a) {
  return {{"seq", a.seq}, {"hash", a.hash}, {"at", a.at}, {"mac", a.mac}};
}

// The anchors of `path`, one JSON object a line, oldest first.
base::Result<std::vector<access::AuditAnchor>> ReadAnchors(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    base::Status status(base::StatusCode::kNotFound, "cannot read the anchor file");
    status.SetPath("--anchor").SetValue(path);
    return status;
  }
  std::vector<access::AuditAnchor> anchors;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j.contains("hash") ||
        !j.contains("at") || !j.contains("mac") || !j["seq"].is_number_integer() ||
        !j["hash"].is_string() || !j["at"].is_string() || !j["mac"].is_string()) {
      base::Status status(base::StatusCode::kInvalidArgument,
                          fmt::format("line {}: expected {{\"seq\", \"hash\", \"at\", "
                                      "\"mac\"}}",
                                      number));
      status.SetPath("--anchor").SetValue(path);
      return status;
    }
    anchors.push_back({j["seq"].get<std::int64_t>(), j["hash"].get<std::string>(),
                       j["at"].get<std::string>(), j["mac"].get<std::string>()});
  }
  return anchors;
}

// Opens the registry with its audit key, verifies the chain (exit 3 naming the first break)
// and hands the log and its number of entries to `then`.
int WithVerifiedLog(const AuditArgs& args,
                    const std::function<int(access::AuditLog&, std::int64_t)>& then) {
  auto repo = OpenRegistry(args.db);
  if (!repo.ok()) return Fail(repo.status(), Format::kTable);
  // Created when absent: the first verify of a registry from before issue #23 seals its chain.
  auto key = access::AuditKeyFor(ResolveDbUrl(args.db), args.audit_key, /*create=*/true);
  if (!key.ok()) return Fail(key.status(), Format::kTable);
  access::AuditLog log(repo.value()->connection(), *key);
  std::int64_t entries = 0;
  auto broken = log.Verify(&entries);
  if (!broken.ok()) return Fail(broken.status(), Format::kTable);
  if (broken.value()) return Fail(BreakStatus(*broken.value()), Format::kTable);
  return then(log, entries);
}

int RunVerify(const AuditArgs& args) {
  return WithVerifiedLog(args, [&](access::AuditLog& log, std::int64_t entries) {
    std::size_t anchored = 0;
    if (!args.anchor.empty()) {
      auto anchors = ReadAnchors(args.anchor);
      if (!anchors.ok()) return Fail(anchors.status(), Format::kTable);
      auto off = log.CheckAnchors(*anchors);
      if (!off.ok()) return Fail(off.status(), Format::kTable);
      if (off.value()) return Fail(BreakStatus(*off.value()), Format::kTable);
      anchored = anchors->size();
    }
    fmt::print("audit trail intact: {} entries{}\n", entries,
               args.anchor.empty() ? "" : fmt::format(", {} anchors on the chain", anchored));
    return 0;
  });
}

// The current head, MAC'd, appended to --out (created 0600 if absent) or printed.
int RunAnchor(const AuditArgs& args) {
  return WithVerifiedLog(args, [&](access::AuditLog& log, std::int64_t) {
    auto anchor = log.Anchor(base::NowText());
    if (!anchor.ok()) return Fail(anchor.status(), Format::kTable);
    const std::string line = AnchorJson(*anchor).dump() + "\n";
    if (args.anchor.empty()) {
      fmt::print("{}", line);
      return 0;
    }
    const int fd = open(args.anchor.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const bool written = fd >= 0 && write(fd, line.data(), line.size()) ==
                                        static_cast<ssize_t>(line.size()) && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    if (!written) {
      base::Status status(base::StatusCode::kUnavailable, "cannot append to the anchor file");
      return Fail(status.SetPath("--out").SetValue(args.anchor), Format::kTable);
    }
    fmt::print("anchored entry {} in {}\n", anchor->seq, args.anchor);
    return 0;
  });
}

int RunExport(const AuditArgs& args) {
  auto repo = OpenRegistry(args.db);
  if (!repo.ok()) return Fail(repo.status(), Format::kTable);
  const bool csv = args.format == "csv";
  if (csv) {
    fmt::print("seq,at,username,role,action,resource,patient_id,outcome,request_id,prev_hash,"
               "hash\n");
  }
  const base::Status status = access::AuditLog(repo.value()->connection())
      .ForEach(args.since, 0, 0, [&](const access::AuditEntry& e) {
        const std::string patient = e.patient_id ? std::to_string(*e.patient_id) : "";
        if (csv) {
          fmt::print("{},{},{},{},{},{},{},{},{},{},{}\n", e.seq, e.at,
                     base::CsvField(e.username), base::CsvField(e.role),
                     base::CsvField(e.action), base::CsvField(e.resource), patient,
                     base::CsvField(e.outcome), e.request_id, e.prev_hash, e.hash);
          return;
        }
        fmt::print("{}\n", clinic::AuditEntryJson(e).dump());
      });
  if (!status.ok()) return Fail(status, Format::kTable);
  return 0;
}

}  // namespace

void RegisterAuditCommand(CLI::App& app, Action* selected) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* audit = app.add_subcommand("audit", "Verify and export the audit trail");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify", "Check the keyed hash chain and its head; exit 3 naming the first break");
  AddDbOption(*verify, &args->db);
  const char* key_help =
      "The audit key file (default: REGISTRY.audit-key beside a SQLite registry, or "
      "$LIVERCELL_AUDIT_KEY_FILE; PostgreSQL needs one named)";
  verify->add_option("--audit-key", args->audit_key, key_help);
  verify->add_option("--anchor", args->anchor,
                     "Also check every anchor in this file (from `audit anchor --out`) is on "
                     "the chain");
  verify->footer(
      "Exit 3 when an entry was altered, deleted, reordered, recomputed or forged, when the head\n"
      "is missing or does not match the chain, or when the chain no longer holds an anchor.\n"
      "Example:\n  livercell audit verify --db sqlite:var/livercell.db --anchor /backup/anchors");
  verify->callback([selected, args] { *selected = [args] { return RunVerify(*args); }; });
  CLI::App* anchor = audit->add_subcommand(
      "anchor", "Record the chain's current head (MAC'd) outside the database");
  AddDbOption(*anchor, &args->db);
  anchor->add_option("--audit-key", args->audit_key, key_help);
  anchor->add_option("--out", args->anchor,
                     "Append it to this file (created 0600); default: print it for a second "
                     "system");
  anchor->footer(
      "Run it regularly (cron) and keep the file where the database's users cannot write:\n"
      "`audit verify --anchor FILE` then catches a chain cut back or rewritten since.\n"
      "Example:\n  livercell audit anchor --db sqlite:var/livercell.db --out /backup/anchors");
  anchor->callback([selected, args] { *selected = [args] { return RunAnchor(*args); }; });
  CLI::App* exp = audit->add_subcommand("export", "Write the entries, oldest first");
  AddDbOption(*exp, &args->db);
  exp->add_option("--since", args->since, "From this instant or date (2026-11-01)");
  exp->add_option("--format", args->format, "jsonl or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  exp->footer("Example:\n  livercell audit export --since 2026-11-01 --format csv > audit.csv");
  exp->callback([selected, args] { *selected = [args] { return RunExport(*args); }; });
}

}  // namespace livercell::cli
