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
  if (base::Status s = clinic::RecordLab((*call)->context(), (*call)->actor(), record); !s.ok()) {
    return Fail(s, format);
  }
  if (format == Format::kJson) {
    fmt::print("{}\n", formats::LabJson(record, nullptr).dump());
  } else {
    fmt::print("recorded {} {:g} {} at {} for patient {}\n", formats::LabName(record.code),
               record.value, record.unit, record.time.ToString(), *patient);
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
  AddCredentialOptions(*lab, &l->credentials);
  AddFormatOption(*lab, &l->format, {"table", "json"});
  lab->footer(
      "Example:\n  echo \"$PW\" | livercell record lab --patient mrn:A123 --code 1975-2 --value 1.8 "
      "--unit mg/dL \\\n      --time 2026-12-01T08:30:00Z --as lab.lee --password-stdin");
  lab->callback([selected, l] { *selected = [l] { return RunRecordLab(*l); }; });
}

}  // namespace livercell::cli
