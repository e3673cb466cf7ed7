// `livercell db init|migrate|status`: the registry's schema (storage/migrations.h). Init and
// migrate are audited, as the OS user, once the schema can hold the entry.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "livercell/cli/app.h"
#include "livercell/cli/session.h"
#include "livercell/storage/migrations.h"
#include "livercell/storage/repository.h"

namespace livercell::cli {
namespace {

using storage::Repository;

base::Result<std::unique_ptr<Repository>> OpenAny(const std::string& url) {
  return Repository::Open(ResolveDbUrl(url), Repository::SchemaPolicy::kAny);
}

// The audit entry of a schema change, by the OS user running the command.
base::Status AuditSchemaChange(const std::string& url, std::string command, std::string detail) {
  LC_ASSIGN_OR_RETURN(auto call, ClinicCall::Open(url, {}, {}, std::move(command)));
  return clinic::RecordAdministration(call->context(), call->actor(), "db", detail);
}

int RunInit(const std::string& url) {
  auto repo = OpenAny(url);
  if (!repo.ok()) return Fail(repo.status(), Format::kTable);
  auto version = storage::SchemaVersion(repo.value()->connection());
  if (!version.ok()) return Fail(version.status(), Format::kTable);
  if (version.value() != 0) {
    base::Status status(base::StatusCode::kFailedPrecondition,
                        fmt::format("the database is already initialised (schema version {}); "
                                    "use `livercell db migrate` to upgrade it",
                                    version.value()));
    status.SetPath("--db");
    return Fail(status, Format::kTable);
  }
  auto applied = storage::Migrate(repo.value()->connection());
  if (!applied.ok()) return Fail(applied.status(), Format::kTable);
  if (base::Status audited =
          AuditSchemaChange(url, "livercell db init",
                            fmt::format("schema version {}", storage::LatestSchemaVersion()));
      !audited.ok()) {
    return Fail(audited, Format::kTable);
  }
  fmt::print("initialised {} at schema version {}\n", ResolveDbUrl(url),
             storage::LatestSchemaVersion());
  return 0;
}

int RunMigrate(const std::string& url) {
  auto repo = OpenAny(url);
  if (!repo.ok()) return Fail(repo.status(), Format::kTable);
  auto applied = storage::Migrate(repo.value()->connection());
  if (!applied.ok()) return Fail(applied.status(), Format::kTable);
  if (applied.value() > 0) {
    if (base::Status audited = AuditSchemaChange(
            url, "livercell db migrate",
            fmt::format("{} migration(s) to schema version {}", applied.value(),
                        storage::LatestSchemaVersion()));
        !audited.ok()) {
      return Fail(audited, Format::kTable);
    }
  }
  fmt::print("applied {} migration(s); schema version {}\n", applied.value(),
             storage::LatestSchemaVersion());
  return 0;
}

int RunStatus(const std::string& url, const std::string& format) {
  auto repo = OpenAny(url);
  if (!repo.ok()) return Fail(repo.status(), ParseFormat(format));
  auto version = storage::SchemaVersion(repo.value()->connection());
  if (!version.ok()) return Fail(version.status(), ParseFormat(format));
  const int latest = storage::LatestSchemaVersion();
  std::optional<storage::RecordCounts> counts;
  if (version.value() == latest) {
    auto c = repo.value()->Counts();
    if (!c.ok()) return Fail(c.status(), ParseFormat(format));
    counts = c.value();
  }
  if (format == "json") {
    nlohmann::json json = {{"database", ResolveDbUrl(url)},
                           {"schema_version", version.value()},
                           {"latest_version", latest},
                           {"pending", latest - version.value()}};
    if (counts) {
      json["records"] = {{"patients", counts->patients},
                         {"labs", counts->labs},
                         {"findings", counts->findings},
                         {"events", counts->events},
                         {"adverse_events", counts->adverse_events},
                         {"qol", counts->qol}};
    }
    fmt::print("{}\n", json.dump());
    return 0;
  }
  fmt::print("database        {}\nschema version  {} (this livercell: {}; {} pending)\n",
             ResolveDbUrl(url), version.value(), latest, latest - version.value());
  if (counts) {
    fmt::print(
        "records         {} patients, {} labs, {} findings, {} events, {} adverse events, "
        "{} quality-of-life\n",
        counts->patients, counts->labs, counts->findings, counts->events, counts->adverse_events,
        counts->qol);
  }
  return 0;
}

}  // namespace

void RegisterDbCommand(CLI::App& app, Action* selected) {
  CLI::App* db = app.add_subcommand("db", "Create, upgrade and inspect the registry's schema");
  db->require_subcommand(1);
  auto url = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>();

  CLI::App* init = db->add_subcommand("init", "Create the schema in an empty database");
  AddDbOption(*init, url.get());
  init->footer("Example:\n  livercell db init --db sqlite:var/clinic.db");
  init->callback([selected, url] { *selected = [url] { return RunInit(*url); }; });

  CLI::App* migrate = db->add_subcommand("migrate", "Apply pending schema migrations");
  AddDbOption(*migrate, url.get());
  migrate->footer("Example:\n  livercell db migrate --db postgresql://clinic@db.local/livercell");
  migrate->callback([selected, url] { *selected = [url] { return RunMigrate(*url); }; });

  CLI::App* status = db->add_subcommand("status", "Schema version and record counts");
  AddDbOption(*status, url.get());
  AddFormatOption(*status, format.get(), {"table", "json"});
  status->footer("Example:\n  livercell db status --format json");
  status->callback(
      [selected, url, format] { *selected = [url, format] { return RunStatus(*url, *format); }; });
}

}  // namespace livercell::cli
