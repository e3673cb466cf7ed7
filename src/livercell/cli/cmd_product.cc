// `livercell product ...` (issue #8 parts 2 and 4): register a cell product under its DIN,
// record its custody events (harvest or bank receipt, processing, QC, storage, dispatch),
// release it against the release specification (a physician may first sign an exception for a
// criterion the clinic's specification allows), show its chain of identity, and check a
// wristband and a bag at the bedside. Administration itself needs the second member of staff's
// e-signature and is given through the clinic server (the bedside page).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "livercell/access/accounts.h"
#include "livercell/access/roles.h"
#include "livercell/base/instant.h"
#include "livercell/cli/app.h"
#include "livercell/cli/input.h"
#include "livercell/domain/records/clinical_time.h"
#include "livercell/formats/din_label.h"
#include "livercell/formats/product_json.h"
#include "livercell/formats/release_spec.h"
#include "livercell/clinic/products.h"
#include "livercell/cli/session.h"

namespace livercell::cli {
namespace {

using nlohmann::json;

// The product with the DIN as typed or scanned; kNotFound naming it.
base::Result<domain::Product> ProductByDin(storage::Repository& repo, const std::string& text) {
  LC_ASSIGN_OR_RETURN(const domain::Din din, domain::Din::Parse(text));
  LC_ASSIGN_OR_RETURN(std::optional<domain::Product> product, repo.FindProductByDin(din.text()));
  if (!product) {
    base::Status status = base::NotFoundError(fmt::format("no product has the DIN {}", din.text()));
    return std::move(status.SetPath("din").SetValue(text));
  }
  return std::move(*product);
}

void PrintChecklist(const domain::ReleaseChecklist& checklist) {
  fmt::print("Release checklist (release_criteria.toml {}): {}\n", checklist.spec_version,
             checklist.releasable() ? "releasable" : "NOT releasable");
  for (const domain::CheckItem& item : checklist.items) {
    fmt::print("  [{:<8}] {:<22} required {:<28} recorded {}\n", domain::ToString(item.outcome),
               item.criterion, item.required, item.observed);
    if (item.outcome == domain::CheckOutcome::kExcepted) {
      fmt::print("  {:<10} {:<22} exception signed by {} (event {}): {}\n", "", "",
                 item.excepted_by, item.exception_seq, item.exception_reason);
    }
  }
}

void PrintProduct(const domain::Product& p, const domain::ReleaseChecklist* checklist) {
  const domain::ProductState state = domain::StateOf(p);
  fmt::print("Product {} {}  ({}, {}, code {})\n", p.din.Spaced(), p.din.check(), p.product_type,
             domain::ToString(p.origin), p.product_code);
  fmt::print("Patient {}{}; status: {}\n", p.patient_id,
             p.plan_id ? fmt::format(", plan {}", *p.plan_id) : "", state.status);
  for (const domain::CustodyEvent& e : p.events) {
    std::vector<std::string> fields;
    for (const auto& [name, value] : e.fields) {
      std::visit(
          [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, double>) {
              fields.push_back(fmt::format("{}={:g}", name, v));
            } else {
              fields.push_back(fmt::format("{}={}", name, v));
            }
          },
          value);
    }
    fmt::print("  {:>2}. {}  {:<14}  {} ({})  {}\n", e.seq,
               domain::ClinicalTime::FromInstant(e.at).ToString(), domain::ToString(e.kind),
               e.actor, e.role, fmt::join(fields, " "));
  }
  if (checklist != nullptr) PrintChecklist(*checklist);
}

struct Options {
  std::string db, format, din, patient, code, type, kind, fields_file, at, wristband, out;
  std::string release_spec, criterion, reason;
  std::vector<std::string> set;
  std::int64_t plan = 0;
  bool bank = false;
  Credentials credentials;
};

// The clinic, as the command's account, for `command`.
base::Result<std::unique_ptr<ClinicCall>> OpenClinic(const Options& o, std::string command) {
  ClinicCall::Settings settings;
  settings.release_spec = o.release_spec;
  return ClinicCall::Open(o.db, o.credentials, settings, std::move(command));
}

int RunRegister(const Options& o) {
  const Format format = ParseFormat(o.format);
  const auto din = domain::Din::Parse(o.din);
  if (!din.ok()) {
    base::Status status = din.status();
    return Fail(status.PrefixPath("din"), format);
  }
  auto call = OpenClinic(o, fmt::format("livercell product register {}", din->text()));
  if (!call.ok()) return Fail(call.status(), format);
  const auto patient = (*call)->repo().ResolvePatient(o.patient);
  if (!patient.ok()) return Fail(patient.status(), format);
  domain::Product product;
  product.din = *din;
  product.product_code = o.code;
  product.product_type = o.type;
  product.origin = o.bank ? domain::ProductOrigin::kBank : domain::ProductOrigin::kAutologous;
  product.patient_id = *patient;
  if (o.plan > 0) product.plan_id = o.plan;
  const auto registered =
      clinic::RegisterProduct((*call)->context(), (*call)->actor(), std::move(product));
  if (!registered.ok()) return Fail(registered.status(), format);
  if (format == Format::kJson) {
    fmt::print("{}\n", formats::ProductJson(*registered).dump());
  } else {
    fmt::print("registered product {} ({} {})\n", registered->id, din->Spaced(), din->check());
  }
  return 0;
}

int RunRecord(const Options& o) {
  const Format format = ParseFormat(o.format);
  const auto kind = domain::CustodyKindFromString(o.kind);
  if (!kind || !domain::RecordedByHand(*kind)) {
    base::Status status = base::InvalidArgumentError(
        "--kind must be a custody event recorded by hand (release exception: `product except`; "
        "release: `product release`; administration: the bedside page)");
    return Fail(status.SetPath("kind").SetValue(o.kind).SetAllowed(
                    "harvest, bank-receipt, processing, qc, storage, dispatch"),
                format);
  }
  auto call = OpenClinic(o, fmt::format("livercell product record {} {}", o.din, o.kind));
  if (!call.ok()) return Fail(call.status(), format);
  // Whether the product may take this event at all comes first: a released product's record
  // is closed whatever the fields say.
  const auto product = ProductByDin((*call)->repo(), o.din);
  if (!product.ok()) return Fail(product.status(), format);
  if (base::Status allowed = domain::CanAppend(*product, *kind); !allowed.ok())
    return Fail(allowed, format);
  std::vector<base::Status> problems;
  base::Result<domain::Fields> fields = domain::Fields();
  if (!o.fields_file.empty()) {
    const auto text = ReadDocument(o.fields_file, 1 << 20, "one set of fields");
    if (!text.ok()) return Fail(text.status(), format);
    const json parsed = json::parse(*text, nullptr, false);
    fields = formats::FieldsFromJson(*kind, parsed, &problems);
  } else {
    std::map<std::string, std::string, std::less<>> text;
    for (const std::string& pair : o.set) {
      const auto eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) {
        base::Status status = base::InvalidArgumentError("--set takes NAME=VALUE");
        return Fail(status.SetPath("set").SetValue(pair), format);
      }
      text[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    fields = domain::ParseFields(*kind, text, &problems);
  }
  if (!fields.ok()) return problems.empty() ? Fail(fields.status(), format) : Fail(problems, format);
  domain::CustodyEvent event;
  event.kind = *kind;
  event.at = base::NowSeconds();
  if (!o.at.empty()) {
    const auto at = domain::ClinicalTime::Parse(o.at);
    if (!at.ok() || at->date_only()) {
      base::Status status = base::InvalidArgumentError("--at must be a UTC instant");
      return Fail(status.SetPath("at").SetValue(o.at), format);
    }
    event.at = at->instant();
  }
  event.fields = std::move(*fields);
  const auto stored =
      clinic::RecordCustodyEvent((*call)->context(), (*call)->actor(), product->id, event);
  if (!stored.ok()) return Fail(stored.status(), format);
  if (format == Format::kJson) {
    fmt::print("{}\n", json{{"seq", stored->event.seq},
                            {"kind", o.kind},
                            {"hash", stored->event.content_hash},
                            {"warnings", stored->warnings}}
                            .dump());
  } else {
    fmt::print("recorded {} as event {}\n", o.kind, stored->event.seq);
  }
  for (const std::string& warning : stored->warnings) fmt::print(stderr, "warning: {}\n", warning);
  return 0;
}

// A physician's release exception, signed with their account's password (the server's
// accounts: `livercell user add`), which must hold sign-release-exceptions.
int RunExcept(const Options& o) {
  const Format format = ParseFormat(o.format);
  auto call = OpenClinic(o, fmt::format("livercell product except {} {}", o.din, o.criterion));
  if (!call.ok()) return Fail(call.status(), format);
  const auto product = ProductByDin((*call)->repo(), o.din);
  if (!product.ok()) return Fail(product.status(), format);
  domain::ReleaseChecklist checklist;
  const auto signed_event =
      clinic::SignReleaseException((*call)->context(), (*call)->actor(), product->id, o.criterion,
                                   o.reason, (*call)->password(), &checklist);
  if (!signed_event.ok()) return Fail(signed_event.status(), format);
  if (format == Format::kJson) {
    fmt::print("{}\n", json{{"seq", signed_event->seq},
                            {"hash", signed_event->content_hash},
                            {"checklist", formats::ChecklistJson(checklist)}}
                           .dump());
  } else {
    fmt::print("exception for {} signed by {} as event {}\n", o.criterion,
               (*call)->actor().username, signed_event->seq);
    PrintChecklist(checklist);
  }
  return 0;
}

int RunRelease(const Options& o) {
  const Format format = ParseFormat(o.format);
  auto call = OpenClinic(o, fmt::format("livercell product release {}", o.din));
  if (!call.ok()) return Fail(call.status(), format);
  const auto product = ProductByDin((*call)->repo(), o.din);
  if (!product.ok()) return Fail(product.status(), format);
  domain::ReleaseChecklist checklist;
  const auto released = clinic::ReleaseProduct((*call)->context(), (*call)->actor(), product->id,
                                                (*call)->password(), &checklist);
  if (format == Format::kJson && !checklist.items.empty()) {
    fmt::print("{}\n", formats::ChecklistJson(checklist).dump());
  } else if (!checklist.items.empty()) {
    PrintChecklist(checklist);
  }
  if (!released.ok()) return Fail(released.status(), format);
  if (format != Format::kJson) fmt::print("released by {}\n", (*call)->actor().username);
  return 0;
}

int RunShow(const Options& o) {
  const Format format = ParseFormat(o.format);
  std::vector<base::Status> problems;
  const auto spec = LoadReleaseSpec(o.release_spec, &problems);
  if (!spec.ok()) return Fail(problems, format);
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  const auto product = ProductByDin(**repo, o.din);
  if (!product.ok()) return Fail(product.status(), format);
  const auto checklist = clinic::ReleaseChecklistFor(**repo, *product, *spec, base::NowSeconds());
  if (!checklist.ok()) return Fail(checklist.status(), format);
  if (format == Format::kJson) {
    json out = formats::ProductJson(*product);
    out["release_checklist"] = formats::ChecklistJson(*checklist);
    fmt::print("{}\n", out.dump());
  } else {
    PrintProduct(*product, domain::StateOf(*product).released ? nullptr : &*checklist);
  }
  return 0;
}

// The label of a registered product, with its code, type and expiry from the record.
int RunLabel(const Options& o) {
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), Format::kTable);
  const auto product = ProductByDin(**repo, o.din);
  if (!product.ok()) return Fail(product.status(), Format::kTable);
  const auto recipient = (*repo)->GetPatient(product->patient_id);
  if (!recipient.ok()) return Fail(recipient.status(), Format::kTable);
  const auto svg = formats::DinLabelSvg(product->din, formats::LabelTextOf(*product, &*recipient));
  if (!svg.ok()) return Fail(svg.status(), Format::kTable);
  return WriteOutput(*svg, o.out);
}

int RunList(const Options& o) {
  const Format format = ParseFormat(o.format);
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  std::int64_t patient = 0;
  if (!o.patient.empty()) {
    const auto id = (*repo)->ResolvePatient(o.patient);
    if (!id.ok()) return Fail(id.status(), format);
    patient = *id;
  }
  const auto products = (*repo)->ListProducts(patient);
  if (!products.ok()) return Fail(products.status(), format);
  json items = json::array();
  if (format != Format::kJson)
    fmt::print("{:>5}  {:<17}  {:<13}  {:<10}  {:>7}  {:>5}\n", "id", "DIN", "type", "origin", "patient", "plan");
  for (const domain::Product& p : *products) {
    if (format == Format::kJson) {
      items.push_back(formats::ProductJson(p));
    } else {
      fmt::print("{:>5}  {:<17}  {:<13}  {:<10}  {:>7}  {:>5}  {}\n", p.id,
                 fmt::format("{} {}", p.din.text(), p.din.check()), p.product_type,
                 domain::ToString(p.origin), p.patient_id,
                 p.plan_id ? std::to_string(*p.plan_id) : "-", domain::StateOf(p).status);
    }
  }
  if (format == Format::kJson) fmt::print("{}\n", json{{"items", items}}.dump());
  return 0;
}

int RunVerify(const Options& o) {
  const Format format = ParseFormat(o.format);
  auto call = OpenClinic(o, fmt::format("livercell product verify {} {}", o.wristband, o.din));
  if (!call.ok()) return Fail(call.status(), format);
  const auto result =
      clinic::VerifyAtBedside((*call)->context(), (*call)->actor(), o.wristband, o.din);
  if (!result.ok()) return Fail(result.status(), format);
  const domain::BedsideVerdict& v = result->verdict;
  if (format == Format::kJson) {
    fmt::print("{}\n", formats::VerdictJson(v).dump());
  } else {
    for (const domain::BedsideCheck& c : v.checks)
      fmt::print("  {} {:<10} {}\n", c.ok ? "ok  " : "STOP", c.check, c.detail);
    fmt::print("{}\n", v.match ? "MATCH: give plan item " + std::to_string(*v.plan_item)
                               : "DO NOT GIVE: " + v.reason);
  }
  return v.match ? 0 : 3;
}

// The shipped specification, to start a clinic's own from; with --release-spec, that file
// checked and summarised (what `serve --release-spec` would enforce).
int RunSpec(const Options& o) {
  const Format format = ParseFormat(o.format);
  if (o.release_spec.empty() && format != Format::kJson) {
    fmt::print("{}", formats::DefaultReleaseSpecText());
    return 0;
  }
  std::vector<base::Status> problems;
  const auto spec = LoadReleaseSpec(o.release_spec, &problems);
  if (!spec.ok()) return Fail(problems, format);
  const std::vector<std::string> types = domain::ProductTypes(*spec);
  if (format == Format::kJson) {
    fmt::print("{}\n", json{{"version", spec->version},
                            {"sha256", spec->sha256},
                            {"product_types", types},
                            {"criteria", domain::CriterionNames(*spec)},
                            {"exceptions", {{"criteria", spec->exceptions.criteria},
                                            {"source", spec->exceptions.source}}}}
                           .dump());
    return 0;
  }
  fmt::print("{}: release specification {} (sha256 {})\nproduct types: {}\n", o.release_spec,
             spec->version, spec->sha256, fmt::join(types, ", "));
  if (spec->exceptions.criteria.empty()) {
    fmt::print("release exceptions: none\n");
  } else {
    fmt::print("release exceptions a physician may sign: {}\n  source: {}\n",
               fmt::join(spec->exceptions.criteria, ", "), spec->exceptions.source);
  }
  return 0;
}

CLI::App* Sub(CLI::App* parent, const char* name, const char* help, Action* selected,
              std::shared_ptr<Options> o, int (*run)(const Options&), const char* example) {
  CLI::App* sub = parent->add_subcommand(name, help);
  AddDbOption(*sub, &o->db);
  AddFormatOption(*sub, &o->format, {"table", "json"});
  sub->footer(fmt::format("Example:\n  {}", example));
  sub->callback([selected, o, run] { *selected = [o, run] { return run(*o); }; });
  return sub;
}

}  // namespace

void RegisterProductCommands(CLI::App& app, Action* selected) {
  CLI::App* product = app.add_subcommand(
      "product",
      "Cell products: register, record custody, except, release, show, list, label, bedside "
      "check, release specification");
  product->require_subcommand(1);

  auto r = std::make_shared<Options>();
  CLI::App* reg = Sub(product, "register", "Register a product under its ISBT 128 DIN", selected, r,
                      RunRegister,
                      "livercell product register --patient mrn:A123 --din \"G1234 26 000001 "
                      "T\" --code S1234 --type bm_mnc --plan 3 \\\n      --as cp.lee --password-stdin");
  reg->add_option("--patient", r->patient, "Recipient: internal id or system:value")->required();
  reg->add_option("--din", r->din, "The product's DIN, as scanned or typed")->required();
  reg->add_option("--code", r->code, "ISBT 128 product code, as the clinic assigns it")->required();
  reg->add_option("--type", r->type,
                  "Product type of the release specification (bm_mnc, cd34_selected, bm_msc, "
                  "uc_msc)")
      ->required();
  reg->add_option("--plan", r->plan, "The treatment plan it is for (its dose and weight)");
  reg->add_flag("--bank", r->bank, "A bank unit (the fallback when the harvest yields too few)");
  AddCredentialOptions(*reg, &r->credentials);
  AddReleaseSpecOption(*reg, &r->release_spec);

  auto rec = std::make_shared<Options>();
  std::string kinds_help = "Custody fields by kind:";
  for (domain::CustodyKind kind : domain::AllCustodyKinds()) {
    if (!domain::RecordedByHand(kind)) continue;
    kinds_help += fmt::format("\n  {}:", domain::ToString(kind));
    for (const domain::FieldSpec& f : domain::CustodyFields(kind)) {
      kinds_help += fmt::format(" {}{}{}", f.name, f.unit.empty() ? "" : fmt::format("[{}]", f.unit),
                                f.required ? "" : "?");
    }
  }
  CLI::App* record = Sub(product, "record", "Record a custody event (fields checked by kind)",
                         selected, rec, RunRecord,
                         "livercell product record --din G123426000001 --kind harvest "
                         "--set volume_ml=45 \\\n      --set collected_at=2026-12-01T09:40:00Z "
                         "--set operator=\"Dr Ames\" --as cp.lee --password-stdin");
  record->add_option("--din", rec->din, "The product's DIN")->required();
  record->add_option("--kind", rec->kind, "harvest, bank-receipt, processing, qc, storage, dispatch")
      ->required();
  record->add_option("--set", rec->set, "A field, NAME=VALUE (repeat)");
  record->add_option("--fields", rec->fields_file, "The fields as a JSON object (file or -)");
  record->add_option("--at", rec->at, "When (UTC instant); default now");
  AddCredentialOptions(*record, &rec->credentials);
  record->footer(std::string(record->get_footer()) + "\n\n" + kinds_help +
                 "\n  (? = optional; instants as 2026-11-23T08:30:00Z)");

  auto ex = std::make_shared<Options>();
  CLI::App* except = Sub(product, "except",
                         "A physician accepts a failed or missing release criterion that the "
                         "clinic's --release-spec allows under [exceptions] (none by default), "
                         "signing with their password",
                         selected, ex, RunExcept,
                         "echo \"$PASSWORD\" | livercell product except --din G123426000001 "
                         "--criterion viability \\\n      --reason \"no bank unit; benefit "
                         "outweighs risk\" --as dr.ames --password-stdin \\\n      "
                         "--release-spec clinic-release.toml");
  except->add_option("--din", ex->din, "The product's DIN")->required();
  except->add_option("--criterion", ex->criterion,
                     "The checklist's criterion, as `product show` names it")
      ->required();
  except->add_option("--reason", ex->reason, "Why the product is given nonetheless")->required();
  AddCredentialOptions(*except, &ex->credentials);
  AddReleaseSpecOption(*except, &ex->release_spec);

  auto sp = std::make_shared<Options>();
  CLI::App* spec = Sub(product, "spec",
                       "Print the shipped release specification (start a clinic's own from it, "
                       "adding [exceptions] criteria = [...] and source = \"...\"), or check "
                       "and summarise --release-spec FILE",
                       selected, sp, RunSpec,
                       "livercell product spec > clinic-release.toml\n"
                       "  livercell product spec --release-spec clinic-release.toml");
  AddReleaseSpecOption(*spec, &sp->release_spec);

  auto rel = std::make_shared<Options>();
  CLI::App* release = Sub(product, "release",
                          "Release against the release specification of the product's type; "
                          "refused (naming each failed criterion) unless every one passes; signed with "
                          "the releaser's password, who recorded neither processing nor QC",
                          selected, rel, RunRelease,
                          "echo \"$PASSWORD\" | livercell product release --din G123426000001 --as qp.shah "
                          "--password-stdin");
  release->add_option("--din", rel->din, "The product's DIN")->required();
  AddCredentialOptions(*release, &rel->credentials);
  AddReleaseSpecOption(*release, &rel->release_spec);

  auto sh = std::make_shared<Options>();
  CLI::App* show = Sub(product, "show", "A product's chain of identity and release checklist",
                       selected, sh, RunShow, "livercell product show G123426000001");
  show->add_option("DIN", sh->din, "The product's DIN")->required();
  AddReleaseSpecOption(*show, &sh->release_spec);

  auto la = std::make_shared<Options>();
  CLI::App* label = Sub(product, "label", "The product's label as SVG (DIN, check character, "
                                          "Code 128 bar code, code, type, expiry)",
                        selected, la, RunLabel,
                        "livercell product label G123426000001 --out label.svg");
  label->add_option("DIN", la->din, "The product's DIN")->required();
  label->add_option("--out", la->out, "Write the SVG to FILE (default: standard output)");

  auto li = std::make_shared<Options>();
  CLI::App* list = Sub(product, "list", "Products, of one patient or all", selected, li, RunList,
                       "livercell product list --patient mrn:A123");
  list->add_option("--patient", li->patient, "Only this patient's");

  auto ve = std::make_shared<Options>();
  CLI::App* verify = Sub(product, "verify",
                         "Bedside check of a wristband and a bag: exit 0 on a match, 3 with the "
                         "reason when the bag must not be given",
                         selected, ve, RunVerify,
                         "livercell product verify --wristband mrn:A123 --din =G12342600000100 "
                         "--as rn.kim --password-stdin");
  verify->add_option("--wristband", ve->wristband, "The patient identifier on the wristband")
      ->required();
  verify->add_option("--din", ve->din, "The DIN as scanned")->required();
  AddCredentialOptions(*verify, &ve->credentials);
  AddReleaseSpecOption(*verify, &ve->release_spec);
}

}  // namespace livercell::cli
