// `livercell patients register` and `livercell record lab|event`: one patient or one record
// entered by hand, through the clinic (clinic/records.h) as an account (--as USER
// --password-stdin, or `livercell login`): permission, the checks on clinical time and
// duplicates, the write and its audit entry in one transaction.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "livercell/cli/app.h"
#include "livercell/cli/session.h"
#include "livercell/clinic/records.h"
#include "livercell/formats/records_json.h"

namespace livercell::cli {
namespace {

using nlohmann::json;

struct RegisterOptions {
  std::string db, format, family, given, birth_date, sex, aetiology;
  std::vector<std::string> identifiers;  // system:value
  Credentials credentials;
};

// `text` as a date YYYY-MM-DD, named `path` in the error.
base::Result<domain::ClinicalTime> ParseTime(const std::string& text, const char* path) {
  base::Result<domain::ClinicalTime> time = domain::ClinicalTime::Parse(text);
  if (!time.ok()) {
    base::Status status = time.status();
    return std::move(status.SetPath(path).SetValue(text));
  }
  return time;
}

int RunRegister(const RegisterOptions& o) {
  const Format format = ParseFormat(o.format);
  domain::Patient p;
  for (const std::string& id : o.identifiers) {
    const std::size_t colon = id.find(':');
    if (colon == std::string::npos || colon == 0) {
      base::Status status = base::InvalidArgumentError("an identifier is SYSTEM:VALUE (mrn:A123)");
      return Fail(status.SetPath("--id").SetValue(id), format);
    }
    p.identifiers.push_back({id.substr(0, colon), id.substr(colon + 1)});
    if (base::Status s = domain::ValidateExternalId(p.identifiers.back()); !s.ok()) {
      return Fail(s.SetPath("--id"), format);
    }
  }
  for (const auto& [name, flag, field] : {std::tuple{&o.family, "--family", &p.family_name},
                                          std::tuple{&o.given, "--given", &p.given_name}}) {
    if (name->empty()) continue;
    if (base::Status s = domain::ValidatePersonName(*name); !s.ok()) {
      return Fail(s.SetPath(flag), format);
    }
    *field = *name;
  }
  if (!o.birth_date.empty()) {
    const auto born = ParseTime(o.birth_date, "--birth-date");
    if (!born.ok() || !born->date_only()) {
      base::Status status = base::InvalidArgumentError("must be a date YYYY-MM-DD");
      return Fail(status.SetPath("--birth-date").SetValue(o.birth_date), format);
    }
    p.birth_date = born->day();
  }
  if (!o.sex.empty()) {
    const auto sex = domain::ParseSex(o.sex);
    if (!sex.ok()) {
      base::Status status = sex.status();
      return Fail(status.SetPath("--sex"), format);
    }
    p.sex = *sex;
  }
  if (!o.aetiology.empty()) {
    if (base::Status s = domain::ValidateAetiologyIcd10(o.aetiology); !s.ok()) {
      return Fail(s.SetPath("--aetiology"), format);
    }
    p.aetiology_icd10 = o.aetiology;
  }
  auto call = ClinicCall::Open(o.db, o.credentials, {},
                               fmt::format("livercell patients register {}",
                                           fmt::join(o.identifiers, " ")));
  if (!call.ok()) return Fail(call.status(), format);
  const auto stored = clinic::RegisterPatient((*call)->context(), (*call)->actor(), std::move(p));
  if (!stored.ok()) return Fail(stored.status(), format);
  if (format == Format::kJson) {
    fmt::print("{}\n", formats::PatientJson(*stored, nullptr, {}).dump());
  } else {
    fmt::print("registered patient {}: {}\n", stored->id, domain::IdentityLine(*stored));
  }
  return 0;
}

struct LabOptions {
  std::string db, format, patient, code, unit, time;
  double value = 0;
  bool confirm = false;
  Credentials credentials;
};

int RunRecordLab(const LabOptions& o) {
  const Format format = ParseFormat(o.format);
  const auto time = ParseTime(o.time, "--time");
  if (!time.ok()) return Fail(time.status(), format);
  auto lab = domain::MakeLabObservation(o.code, o.value, o.unit, *time);
  if (!lab.ok()) return Fail(lab.status(), format);
  auto call = ClinicCall::Open(o.db, o.credentials, {},
                               fmt::format("livercell record lab {} {} {:g} {} {}", o.patient,
                                           o.code, o.value, o.unit, o.time));
  if (!call.ok()) return Fail(call.status(), format);
  const auto patient = (*call)->repo().ResolvePatient(o.patient);
  if (!patient.ok()) return Fail(patient.status(), format);
  domain::LabObservation record = *lab;
  record.patient_id = *patient;
  const auto id = clinic::RecordLab((*call)->context(), (*call)->actor(), record, o.confirm);
  if (!id.ok()) return Fail(id.status(), format);
  if (format == Format::kJson) {
    json out = formats::LabJson(record, nullptr);
    out["id"] = *id;
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("recorded lab {}: {} {:g} {} at {} for patient {}\n", *id,
               formats::LabName(record.code), record.value, record.unit, record.time.ToString(),
               *patient);
  }
  return 0;
}

struct CorrectOptions {
  std::string db, format, patient, kind = "lab", id, reason, unit, time, code;
  double value = 0;
  bool has_value = false;
  Credentials credentials;
};

// `record void`: the record entered in error; `record amend`: a lab's corrected value, unit or
// time (what was not given is kept from the record).
int RunCorrect(const CorrectOptions& o, bool amend) {
  const Format format = ParseFormat(o.format);
  const auto kind = domain::ParseRecordKind(o.kind);
  if (!kind) {
    base::Status status = base::InvalidArgumentError("unknown kind of record");
    return Fail(status.SetPath("--kind").SetValue(o.kind).SetAllowed(
                    "lab, finding, event, adverse-event, qol"),
                format);
  }
  auto call = ClinicCall::Open(o.db, o.credentials, {},
                               fmt::format("livercell record {} {} {} {}", amend ? "amend" : "void",
                                           o.patient, o.kind, o.id));
  if (!call.ok()) return Fail(call.status(), format);
  const auto patient = (*call)->repo().ResolvePatient(o.patient);
  if (!patient.ok()) return Fail(patient.status(), format);
  if (!amend) {
    if (base::Status s = clinic::VoidRecord((*call)->context(), (*call)->actor(), *kind, *patient,
                                            o.id, o.reason);
        !s.ok()) {
      return Fail(s, format);
    }
    if (format == Format::kJson) {
      fmt::print("{}\n", json{{"id", o.id}, {"status", domain::kEnteredInError}}.dump());
    } else {
      fmt::print("{} {} voided as entered in error by {}\n", o.kind, o.id,
                 (*call)->actor().username);
    }
    return 0;
  }
  if (*kind != domain::RecordKind::kLab) {
    base::Status status(base::StatusCode::kUnimplemented,
                        "the command line amends labs; void other records and record them anew");
    return Fail(status.SetPath("--kind").SetValue(o.kind), format);
  }
  const auto labs = (*call)->repo().Labs(*patient);
  if (!labs.ok()) return Fail(labs.status(), format);
  const domain::LabObservation* old = nullptr;
  for (const auto& l : *labs)
    if (domain::LabId(l) == o.id) old = &l;
  if (old == nullptr) {
    base::Status status = base::NotFoundError(
        fmt::format("patient {} has no current lab {}", o.patient, o.id));
    return Fail(status.SetPath("--id").SetValue(o.id), format);
  }
  domain::ClinicalTime time = old->time;
  if (!o.time.empty()) {
    const auto parsed = ParseTime(o.time, "--time");
    if (!parsed.ok()) return Fail(parsed.status(), format);
    time = *parsed;
  }
  auto lab = domain::MakeLabObservation(o.code.empty() ? old->code : o.code,
                                        o.has_value ? o.value : old->value,
                                        o.unit.empty() ? old->unit : o.unit, time);
  if (!lab.ok()) return Fail(lab.status(), format);
  domain::LabObservation replacement = *lab;
  replacement.patient_id = *patient;
  const auto id =
      clinic::AmendLab((*call)->context(), (*call)->actor(), o.id, replacement, o.reason);
  if (!id.ok()) return Fail(id.status(), format);
  if (format == Format::kJson) {
    fmt::print("{}\n", json{{"id", *id}, {"replaces", o.id}}.dump());
  } else {
    fmt::print("lab {} superseded by lab {} ({:g} {} at {})\n", o.id, *id, replacement.value,
               replacement.unit, replacement.time.ToString());
  }
  return 0;
}

}  // namespace

void RegisterRecordCommands(CLI::App& app, Action* selected) {
  CLI::App* patients = app.get_subcommand("patients");
  auto r = std::make_shared<RegisterOptions>();
  CLI::App* reg = patients->add_subcommand("register", "Register a patient (as an account)");
  AddDbOption(*reg, &r->db);
  reg->add_option("--id", r->identifiers, "An identifier SYSTEM:VALUE (repeat), e.g. mrn:A123")
      ->required();
  reg->add_option("--family", r->family, "Family name");
  reg->add_option("--given", r->given, "Given name");
  reg->add_option("--birth-date", r->birth_date, "Date of birth, YYYY-MM-DD");
  reg->add_option("--sex", r->sex, "female or male");
  reg->add_option("--aetiology", r->aetiology, "ICD-10 code of the liver disease (K74.6)");
  AddCredentialOptions(*reg, &r->credentials);
  AddFormatOption(*reg, &r->format, {"table", "json"});
  reg->footer(
      "Example:\n  echo \"$PW\" | livercell patients register --id mrn:A123 --family Ames "
      "--given Ada \\\n      --birth-date 1961-04-02 --sex female --as rn.kim --password-stdin");
  reg->callback([selected, r] { *selected = [r] { return RunRegister(*r); }; });

  CLI::App* record = app.add_subcommand("record", "Record one result by hand (as an account)");
  record->require_subcommand(1);
  auto l = std::make_shared<LabOptions>();
  CLI::App* lab = record->add_subcommand(
      "lab", "One lab result: refused in the future, before birth, or when already recorded");
  AddDbOption(*lab, &l->db);
  lab->add_option("--patient", l->patient, "Patient: internal id or system:value")->required();
  lab->add_option("--code", l->code, "LOINC code (1975-2 bilirubin, 6301-6 INR, 777-3 platelets ...)")
      ->required();
  lab->add_option("--value", l->value, "The value")->required();
  lab->add_option("--unit", l->unit, "Its UCUM unit (mg/dL, umol/L, ...)")->required();
  lab->add_option("--time", l->time, "When it was taken: YYYY-MM-DD or a UTC instant")->required();
  lab->add_flag("--confirm", l->confirm,
                "Record it although it is far from the previous value (the delta check asked)");
  AddCredentialOptions(*lab, &l->credentials);
  AddFormatOption(*lab, &l->format, {"table", "json"});
  lab->footer(
      "Example:\n  echo \"$PW\" | livercell record lab --patient mrn:A123 --code 1975-2 --value 1.8 "
      "--unit mg/dL \\\n      --time 2026-12-01T08:30:00Z --as lab.lee --password-stdin");
  lab->callback([selected, l] { *selected = [l] { return RunRecordLab(*l); }; });

  for (const bool amend : {false, true}) {
    auto c = std::make_shared<CorrectOptions>();
    CLI::App* sub = record->add_subcommand(
        amend ? "amend" : "void",
        amend ? "Correct a lab result: the new version supersedes it (nothing is deleted)"
              : "Mark a record entered in error (it stays, with who, when and why)");
    AddDbOption(*sub, &c->db);
    sub->add_option("--patient", c->patient, "Patient: internal id or system:value")->required();
    sub->add_option("--id", c->id, "The record's id (as listings and --format json show it)")
        ->required();
    sub->add_option("--reason", c->reason, "Why (required, kept with the correction)")->required();
    if (amend) {
      sub->add_option("--value", c->value, "The corrected value")
          ->each([c](const std::string&) { c->has_value = true; });
      sub->add_option("--unit", c->unit, "The corrected unit");
      sub->add_option("--time", c->time, "The corrected time");
      sub->add_option("--code", c->code, "The corrected LOINC code");
    } else {
      sub->add_option("--kind", c->kind, "lab, finding, event, adverse-event or qol")
          ->capture_default_str();
    }
    AddCredentialOptions(*sub, &c->credentials);
    AddFormatOption(*sub, &c->format, {"table", "json"});
    sub->footer(amend ? "Example:\n  echo \"$PW\" | livercell record amend --patient mrn:A123 --id "
                        "3f9c0a1b2c3d4e5f --value 1.8 \\\n      --reason \"typed 18 for 1,8\" --as "
                        "lab.lee --password-stdin"
                      : "Example:\n  echo \"$PW\" | livercell record void --patient mrn:A123 --kind "
                        "event --id 12 \\\n      --reason \"another patient's\" --as rn.kim "
                        "--password-stdin");
    sub->callback([selected, c, amend] {
      *selected = [c, amend] { return RunCorrect(*c, amend); };
    });
  }
}

}  // namespace livercell::cli
