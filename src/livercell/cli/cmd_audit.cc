// `livercell audit verify|export`: the audit trail (access/audit.h). verify exits 3 naming
// the first entry whose chain breaks.
#include <fmt/format.h>


#include "livercell/access/audit.h"
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
};

int RunVerify(const AuditArgs& args) {
  auto repo = OpenRegistry(args.db);
  if (!repo.ok()) return Fail(repo.status(), Format::kTable);
  std::int64_t entries = 0;
  auto broken = access::AuditLog(repo.value()->connection()).Verify(&entries);
  if (!broken.ok()) return Fail(broken.status(), Format::kTable);
  if (broken.value()) {
    base::Status status(base::StatusCode::kDataLoss,
                        fmt::format("the audit chain breaks at entry {}: {}",
                                    broken.value()->seq, broken.value()->reason));
    status.SetPath("audit_log").SetValue(static_cast<double>(broken.value()->seq));
    return Fail(status, Format::kTable);
  }
  fmt::print("audit trail intact: {} entries\n", entries);
  return 0;
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
      "verify", "Check the hash chain; exit 3 naming the first entry that breaks it");
  AddDbOption(*verify, &args->db);
  verify->callback([selected, args] { *selected = [args] { return RunVerify(*args); }; });
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
