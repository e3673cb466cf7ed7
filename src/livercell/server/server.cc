#include "livercell/server/server.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <vector>

#include "livercell/access/accounts.h"
#include "livercell/access/audit.h"
#include "livercell/access/roles.h"
#include "livercell/base/instant.h"
#include "livercell/base/secrets.h"
#include "livercell/base/sha256.h"
#include "livercell/base/status_code.h"
#include "livercell/domain/assessment/facts.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/labs/delta.h"
#include "livercell/domain/units/unit.h"
#include "livercell/clinic/accounts.h"
#include "livercell/clinic/assessments.h"
#include "livercell/clinic/audit_trail.h"
#include "livercell/clinic/clinic.h"
#include "livercell/clinic/journal.h"
#include "livercell/clinic/plans.h"
#include "livercell/clinic/products.h"
#include "livercell/clinic/records.h"
#include "livercell/formats/assessment_json.h"
#include "livercell/formats/din_label.h"
#include "livercell/formats/product_json.h"
#include "livercell/formats/records_json.h"
#include "livercell/formats/release_spec.h"
#include "livercell/server/cohort.h"
#include "livercell/server/anonymous_tally.h"
#include "livercell/server/http.h"
#include "livercell/server/login_throttle.h"
#include "livercell/server/problem.h"
#include "livercell/server/transport.h"
#include "livercell/server/web_assets.h"
#include "livercell/storage/repository.h"

namespace livercell::server {
namespace {

using access::Permission;
using formats::AdverseEventJson;
using formats::BadBody;
using formats::Deidentifier;
using formats::ErrorToJson;
using formats::EventJson;
using formats::IdField;
using formats::LabJson;
using formats::PatientJson;
using formats::QualityOfLifeJson;
using formats::StringField;
using formats::TimeField;
using nlohmann::json;
using storage::Repository;

constexpr const char* kCookie = "livercell_session";
constexpr int kMaxPage = 500;  // patients per page

// Read connections, one per request in flight, reused.
class RepositoryPool {
 public:
  explicit RepositoryPool(std::string url) : url_(std::move(url)) {}
  class Lease {
   public:
    Lease(RepositoryPool* pool, std::unique_ptr<Repository> repo)
        : pool_(pool), repo_(std::move(repo)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (repo_) pool_->Return(std::move(repo_));
    }
    Repository& operator*() { return *repo_; }
    Repository* operator->() { return repo_.get(); }

   private:
    RepositoryPool* pool_;
    std::unique_ptr<Repository> repo_;
  };
  base::Result<Lease> Acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        auto repo = std::move(free_.back());
        free_.pop_back();
        return Lease(this, std::move(repo));
      }
    }
    LC_ASSIGN_OR_RETURN(auto repo,
                        Repository::Open(url_, Repository::SchemaPolicy::kRequireCurrent));
    return Lease(this, std::move(repo));
  }

 private:
  void Return(std::unique_ptr<Repository> repo) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(repo));
  }
  std::string url_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Repository>> free_;
};

// Pseudonym → internal id for de-identified readers' paths, rebuilt from the registry when a
// pseudonym is not found (a new patient), at most once a second (a reader guessing pseudonyms
// does not make the server read the registry on every request).
class PseudonymIndex {
 public:
  std::optional<std::int64_t> Find(const std::string& pseudonym) {
    std::lock_guard lock(mutex_);
    const auto it = ids_.find(pseudonym);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  bool MayRefresh() {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - refreshed_ < std::chrono::seconds(1)) return false;
    refreshed_ = now;
    return true;
  }
  void Replace(std::unordered_map<std::string, std::int64_t> ids) {
    std::lock_guard lock(mutex_);
    ids_ = std::move(ids);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> ids_;
  std::chrono::steady_clock::time_point refreshed_{};
};

// What a handler knows about the request it serves.
struct Call {
  const http::Request& request;  // with the route's {placeholders} in matches
  http::Response& response;
  std::string request_id;
  std::optional<access::User> user;
  clinic::Actor actor;  // who, through which door (set by Authorize)
  std::optional<std::int64_t> patient_id;  // from the path, or the resource's patient
  std::optional<std::int64_t> resource_id;  // a plan's or product's id from the path
  std::string record_id;                     // a record's id from the path ({rid})
  const Deidentifier* deidentify = nullptr;  // set for de-identified readers
  bool identity_only = false;  // the reader may see who a patient is, not their conditions
  bool audited = false;                      // the handler recorded its own entry
};

class Routes;
using Handler = base::Status (Routes::*)(Call&);

enum class Audit { kNone, kRead, kWrite };

// Who may call a route: anyone, anyone logged in, or holders of one of its permissions.
enum class Access { kPublic, kSession, kPermission };

struct Route {
  const char* method;
  const char* path;  // OpenAPI form: /api/v1/patients/{id}
  Access access;
  std::vector<Permission> any_of;  // with kPermission: any one of these
  Audit audit;
  const char* action;
  const char* summary;
  Handler handler;
};

// No request the API takes nests deeper than a few levels; a body nested thousands deep is an
// attack on the parser's memory (and on the recursive destructor's stack).
constexpr int kMaxJsonDepth = 64;

base::Result<json> ParseBody(const http::Request& request) {
  struct TooDeep {};
  json body;
  try {
    body = json::parse(
        request.body,
        [](int depth, json::parse_event_t, json&) {
          if (depth > kMaxJsonDepth) throw TooDeep{};
          return true;
        },
        /*allow_exceptions=*/false);
  } catch (const TooDeep&) {
    return BadBody(fmt::format("the request body nests deeper than {} levels", kMaxJsonDepth));
  }
  if (body.is_discarded() || !body.is_object()) {
    return BadBody("the request body must be a JSON object");
  }
  return body;
}

class Routes {
 public:
  // `writer_repository`: the connection the audit writer owns; reads open their own.
  Routes(std::string url, std::string deid_key, std::unique_ptr<Repository> writer_repository,
         access::AuditKey audit_key,
         domain::Protocol protocol, domain::ClinicCalendar calendar,
         domain::ReleaseSpec release_spec)
      : protocol_(std::move(protocol)),
        calendar_(std::move(calendar)),
        release_spec_(std::move(release_spec)),
        pool_(std::move(url)),
        deidentifier_(std::move(deid_key)),
        journal_(std::make_unique<clinic::GroupJournal>(std::move(writer_repository),
                                                        std::move(audit_key))) {}
  ~Routes() {
    for (access::AuditEntry& tally : anonymous_.Flush()) (void)journal_->Record(std::move(tally));
  }

  static const std::vector<Route>& Table();
  // Serves one request (on a transport worker): the route whose method and path fit, a web
  // asset, or a 404/405 problem.
  void Handle(http::Request& request, http::Response& response);

  // --- handlers -------------------------------------------------------------------------
  base::Status Health(Call& call) {
    Reply(call, 200, {{"status", "ok"}});
    return base::OkStatus();
  }

  base::Status OpenApi(Call& call) {
    call.response.SetContent(OpenApiDocument(), "application/json");
    return base::OkStatus();
  }

  base::Status Login(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(const std::string username, StringField(body, "username", true));
    LC_ASSIGN_OR_RETURN(const std::string password, StringField(body, "password", true));
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const std::string& address = call.request.remote_address;
    // Held back the same way whether or not the account exists (no enumeration by 429).
    LC_RETURN_IF_ERROR(throttle_.Check(address, username, now));
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    call.audited = true;
    auto logged_in = clinic::LogIn(ContextOf(*repo), username, password, call.actor);
    if (!logged_in.ok()) {
      if (logged_in.status().code() == base::StatusCode::kUnauthenticated) {
        throttle_.Failed(address, username, now);
      }
      return logged_in.status();
    }
    throttle_.Succeeded(username);
    const clinic::LoggedIn& in = logged_in.value();
    const access::Session& session = in.session;
    call.response.SetHeader(
        "Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}", kCookie,
                                  session.token,
                                  std::chrono::seconds(access::kSessionLifetime).count(),
                                  tls_ ? "; Secure" : ""));
    Reply(call, 201,
          {{"token", session.token},
           {"expires", session.expires},
           {"username", session.user.username},
           {"role", access::ToString(session.user.role)}});
    return base::OkStatus();
  }

  base::Status Logout(Call& call) {
    const std::string token = TokenOf(call.request);
    call.audited = true;
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_RETURN_IF_ERROR(clinic::LogOut(ContextOf(*repo), call.actor, token));
    call.response.SetHeader("Set-Cookie",
                             fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                                         kCookie));
    call.response.status = 204;
    return base::OkStatus();
  }

  base::Status ListPatients(Call& call) {
    LC_ASSIGN_OR_RETURN(const int limit, IntParam(call, "limit", 50, 1, kMaxPage));
    LC_ASSIGN_OR_RETURN(const int offset, IntParam(call, "offset", 0, 0, 1 << 30));
    const std::string q = call.request.Param("q");
    if (call.deidentify != nullptr && !q.empty()) {
      base::Status status(base::StatusCode::kPermissionDenied,
                          "de-identified access cannot search by identifier");
      status.SetPath("q");
      return status;
    }
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    std::int64_t total = 0;
    LC_ASSIGN_OR_RETURN(const auto patients, repo->ListPatients(limit, offset, q, &total));
    json items = json::array();
    for (const auto& p : patients) items.push_back(ReaderPatientJson(call, p));
    Reply(call, 200, {{"items", items}, {"total", total}, {"limit", limit}, {"offset", offset}});
    return base::OkStatus();
  }

  // The patient's id as the caller may see it: the pseudonym for de-identified readers.
  json PatientRef(const Call& call) const {
    return call.deidentify != nullptr ? json(call.deidentify->Pseudonym(*call.patient_id))
                                      : json(*call.patient_id);
  }

  // A patient as the caller may read them: de-identified for researchers; for the lab and
  // cell-processing, who they are (names, identifiers, birth date, sex for reference ranges)
  // without their conditions (issue #23, least privilege).
  json ReaderPatientJson(const Call& call, const domain::Patient& patient) {
    json out = PatientJson(patient, call.deidentify, Today());
    if (call.identity_only) {
      for (const char* clinical : {"aetiology_icd10", "comorbidities_icd10", "ecog"}) {
        out.erase(clinical);
      }
    }
    return out;
  }

  base::Status GetPatient(Call& call) {
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo->GetPatient(*call.patient_id));
    LC_ASSIGN_OR_RETURN(const std::int64_t version, repo->PatientVersion(*call.patient_id));
    call.response.SetHeader("ETag", ETag(version));
    json out = ReaderPatientJson(call, patient);
    out["version"] = version;
    Reply(call, 200, out);
    return base::OkStatus();
  }

  base::Status CreatePatient(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(domain::Patient patient, PatientFromJson(body));
    call.audited = true;
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(patient, clinic::RegisterPatient(ContextOf(*repo), call.actor,
                                                         std::move(patient)));
    call.response.SetHeader("Location", fmt::format("/api/v1/patients/{}", patient.id));
    call.response.SetHeader("ETag", ETag(1));
    json out = PatientJson(patient, nullptr, Today());
    out["version"] = 1;
    Reply(call, 201, out);
    return base::OkStatus();
  }

  base::Status UpdatePatient(Call& call) {
    const std::string if_match = call.request.Header("If-Match");
    if (if_match.empty()) {
      base::Status status(base::StatusCode::kFailedPrecondition,
                          "an update needs If-Match with the patient's ETag (from GET), so that "
                          "no one overwrites a change they have not seen");
      status.SetPath("If-Match");
      return status;
    }
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(domain::Patient patient, PatientFromJson(body));
    patient.id = *call.patient_id;
    call.audited = true;
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    base::Result<std::int64_t> version =
        clinic::UpdatePatient(ContextOf(*repo), call.actor, patient, VersionOfETag(if_match));
    if (!version.ok()) {
      base::Status status = version.status();
      if (status.path() == "version") {  // the ETag the client sent, and the current one
        status.SetPath("If-Match").SetValue(if_match);
        if (!status.allowed().empty()) status.SetAllowed(ETag(std::stoll(std::string(status.allowed()))));
      }
      return status;
    }
    call.response.SetHeader("ETag", ETag(*version));
    LC_ASSIGN_OR_RETURN(const domain::Patient stored, repo->GetPatient(patient.id));
    json out = PatientJson(stored, nullptr, Today());
    out["version"] = *version;
    Reply(call, 200, out);
    return base::OkStatus();
  }

  base::Status GetLabs(Call& call) { return List(call, &Repository::Labs, &LabJson); }
  base::Status GetFindings(Call& call) {
    return List(call, &Repository::Findings, &formats::FindingJson);
  }
  base::Status GetEvents(Call& call) { return List(call, &Repository::Events, &EventJson); }
  base::Status GetAdverseEvents(Call& call) {
    return List(call, &Repository::AdverseEvents, &AdverseEventJson);
  }
  base::Status GetQualityOfLife(Call& call) {
    return List(call, &Repository::QualityOfLife, &QualityOfLifeJson);
  }

  base::Status AddLab(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(const std::string code, StringField(body, "code", true));
    LC_ASSIGN_OR_RETURN(const std::string unit, StringField(body, "unit", true));
    auto value = body.find("value");
    if (value == body.end() || !value->is_number()) {
      base::Status status = BadBody("required, a number", "value");
      if (value != body.end()) status.SetValue(value->dump());
      return status;
    }
    LC_ASSIGN_OR_RETURN(const domain::ClinicalTime time, TimeField(body, "time"));
    // "confirm": true records a result the delta check questioned.
    const bool confirmed = body.value("confirm", false);
    return Add<domain::LabObservation>(
        call, domain::MakeLabObservation(code, value->get<double>(), unit, time),
        [confirmed](const clinic::Context& c, const clinic::Actor& a, domain::LabObservation l) {
          return clinic::RecordLab(c, a, std::move(l), confirmed);
        },
        &LabJson);
  }
  base::Status AddEvent(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    return Add<domain::ClinicalEvent>(call, formats::EventFromJson(body), &clinic::RecordEvent,
                                      &EventJson);
  }
  base::Status AddAdverseEvent(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    return Add<domain::AdverseEvent>(call, formats::AdverseEventFromJson(body),
                                     &clinic::RecordAdverseEvent, &AdverseEventJson);
  }
  base::Status AddQualityOfLife(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    return Add<domain::QualityOfLife>(call, formats::QualityOfLifeFromJson(body),
                                      &clinic::RecordQualityOfLife, &QualityOfLifeJson);
  }

  // What the UI's forms offer: the lab catalogue (units, LOINC codes, plausible ranges and
  // their sources), event types and adverse-event attributions.
  base::Status Catalogue(Call& call) {
    // Constant data: built once, on first use.
    static const std::string body = CatalogueJson().dump();
    call.response.status = 200;
    call.response.SetContent(body, "application/json");
    return base::OkStatus();
  }

  static json CatalogueJson() {
    json labs = json::array();
    for (const domain::AnalyteInfo& a : domain::AllAnalytes()) {
      json units = json::array();
      for (const domain::AcceptedUnit& u : a.units()) {
        units.push_back({{"unit", domain::UcumCode(u.unit)}, {"loinc", u.loinc}});
      }
      labs.push_back({{"key", a.key},
                      {"title", a.title},
                      {"canonical_unit", domain::UcumCode(a.canonical)},
                      {"units", units},
                      {"plausible_min", a.plausible_min},
                      {"plausible_max", a.plausible_max},
                      {"source", a.source},
                      {"delta", [&a]() -> json {
                         const auto limit = domain::DeltaLimitOf(a.analyte);
                         if (!limit) return nullptr;
                         return {{"max_fraction", limit->max_fraction},
                                 {"min_absolute", limit->min_absolute},
                                 {"window_days", domain::kDeltaWindowDays},
                                 {"source", limit->source}}; }()}});
    }
    json events = json::array();
    for (const domain::EventType& t : domain::EventTypes()) {
      events.push_back({{"key", t.key}, {"title", t.title}, {"graded", t.graded}});
    }
    json attributions = json::array();
    for (int i = 0; i <= static_cast<int>(domain::Attribution::kDefinite); ++i) {
      attributions.push_back(domain::ToString(static_cast<domain::Attribution>(i)));
    }
    // What an assessment may be told (the candidate input's fields, by the path its
    // "missing" lists use), so the UI can offer a control for each missing one.
    json inputs = json::array();
    for (const domain::FactInfo& f : domain::AllFacts()) {
      inputs.push_back({{"name", f.name},
                        {"kind", domain::KindName(f.kind)},
                        {"allowed", f.allowed},
                        {"unit", f.unit},
                        {"description", f.description}});
    }
    auto grades = [](auto last) {
      json words = json::array();
      for (int i = 0; i <= static_cast<int>(last); ++i)
        words.push_back(domain::ToString(static_cast<decltype(last)>(i)));
      return words;
    };
    inputs.push_back({{"name", "ascites"}, {"kind", "a word"},
                      {"allowed", grades(domain::Ascites::kModerateSevere)}, {"unit", ""},
                      {"description", "ascites now (Child-Pugh)"}});
    inputs.push_back({{"name", "encephalopathy"}, {"kind", "a word"},
                      {"allowed", grades(domain::Encephalopathy::kGrade3To4)}, {"unit", ""},
                      {"description", "hepatic encephalopathy now (Child-Pugh)"}});
    return {{"labs", labs},
            {"event_types", events},
            {"attributions", attributions},
            {"assessment_inputs", inputs}};
  }

  // The patient's stored candidacy assessments, newest first.
  // (Identified readers only: the route does not admit de-identified access.)
  base::Status GetAssessments(Call& call) {
    return ListAll(call, &Repository::Assessments,
                   [](const domain::AssessmentRecord& r) {
                     return clinic::StoredAssessmentJson(r);
                   });
  }

  // A candidacy assessment from the registry's latest values and what the physician states
  // ("inputs", candidate fields). {"preview": true} shows it without storing it; otherwise it
  // is signed: the physician gives their password again (re-authentication), and the
  // assessment is stored with its protocol and the signer in the same transaction as its
  // audit entry.
  base::Status AddAssessment(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    const json stated = body.value("inputs", json::object());
    const bool preview = body.value("preview", false);
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    const clinic::Context context = ContextOf(*repo);
    call.audited = true;
    if (preview) {
      LC_ASSIGN_OR_RETURN(const clinic::RegistryAssessment assessed,
                          clinic::PreviewAssessment(context, call.actor, *call.patient_id, stated));
      Reply(call, 200, {{"patient_id", *call.patient_id},
                        {"input", assessed.input},
                        {"result", assessed.result},
                        {"signed", false}});
      return base::OkStatus();
    }
    LC_ASSIGN_OR_RETURN(const std::string password, StringField(body, "password", false));
    LC_ASSIGN_OR_RETURN(const domain::AssessmentRecord record,
                        clinic::SignAssessment(context, call.actor, *call.patient_id, stated,
                                               password));
    call.response.SetHeader(
        "Location", fmt::format("/api/v1/patients/{}/assessments/{}", *call.patient_id, record.id));
    Reply(call, 201, clinic::StoredAssessmentJson(record));
    return base::OkStatus();
  }

  // --- treatment plans and cell products (issue #8) -------------------------------------
  base::Status GetPlans(Call& call) {
    return ListAll(call, &Repository::Plans,
                   [](const domain::Plan& p) { return formats::PlanJson(p); });
  }

  // A plan for a patient from a shipped template: {"patient_id", "template", "start",
  // "weight_kg", "preview"?}. Stored (append-only) and audited unless previewed.
  base::Status AddPlan(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(call.patient_id, IdField(body, "patient_id", true, "the patient's id"));
    LC_ASSIGN_OR_RETURN(const std::string template_id, StringField(body, "template", true));
    LC_ASSIGN_OR_RETURN(const domain::ClinicalTime start, TimeField(body, "start"));
    const json* weight = body.contains("weight_kg") ? &body["weight_kg"] : nullptr;
    if (weight == nullptr || !weight->is_number()) {
      return BadBody("required, the weight at planning in kg", "weight_kg");
    }
    clinic::PlanRequest request;
    request.patient_id = *call.patient_id;
    LC_ASSIGN_OR_RETURN(request.course, clinic::BuiltinCourseTemplate(template_id));
    request.start = start.day();
    request.weight_kg = weight->get<double>();
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    if (body.value("preview", false)) {
      LC_ASSIGN_OR_RETURN(const domain::Plan plan,
                          clinic::PlanForPatient(*repo, request.patient_id, request.course,
                                                 calendar_, request.start, request.weight_kg));
      Reply(call, 200, formats::PlanJson(plan));
      return base::OkStatus();
    }
    LC_ASSIGN_OR_RETURN(request.password, StringField(body, "password", false));
    LC_ASSIGN_OR_RETURN(request.override_reason, StringField(body, "override_reason", false));
    call.audited = true;
    LC_ASSIGN_OR_RETURN(const clinic::PlannedTreatment planned,
                        clinic::CreatePlan(ContextOf(*repo), call.actor, request));
    call.response.SetHeader("Location", fmt::format("/api/v1/plans/{}", planned.plan.id));
    json out = formats::PlanJson(planned.plan);
    out["warnings"] = planned.warnings;
    Reply(call, 201, out);
    return base::OkStatus();
  }

  base::Status GetPlan(Call& call) {
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(const domain::Plan plan, repo->GetPlan(*call.resource_id));
    call.patient_id = plan.patient_id;
    if (call.request.Param("format") == "ics") {
      LC_ASSIGN_OR_RETURN(const std::string ics, formats::PlanICalendar(plan));
      call.response.SetContent(ics, "text/calendar; charset=utf-8");
      return base::OkStatus();
    }
    json out = formats::PlanJson(plan);
    LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo->GetPatient(plan.patient_id));
    out["patient_identity"] = domain::IdentityLine(patient);
    LC_ASSIGN_OR_RETURN(const std::vector<int> given, repo->AdministeredPlanItems(plan.id));
    out["administered_items"] = given;
    Reply(call, 200, out);
    return base::OkStatus();
  }

  // A product with its custody events and, until released, its release checklist.
  base::Result<json> ProductDocument(Repository& repo, const domain::Product& product) {
    json out = formats::ProductJson(product);
    LC_ASSIGN_OR_RETURN(const domain::Patient recipient, repo.GetPatient(product.patient_id));
    out["patient_identity"] = domain::IdentityLine(recipient);
    LC_ASSIGN_OR_RETURN(const domain::ReleaseChecklist list,
                        clinic::ReleaseChecklistFor(repo, product, release_spec_, base::NowSeconds()));
    out["release_checklist"] = formats::ChecklistJson(list);
    // The harvest yields too few for the plan: the plan asks for a bank unit instead.
    for (const domain::CheckItem& item : list.items) {
      if (item.criterion == "dose" && item.outcome == domain::CheckOutcome::kFail &&
          product.origin == domain::ProductOrigin::kAutologous && product.plan_id) {
        LC_ASSIGN_OR_RETURN(const domain::Plan plan, repo.GetPlan(*product.plan_id));
        out["bank_fallback"] = {
            {"product_type", plan.bank_product_type},
            {"needed_cells", plan.total_cells},
            {"reason", fmt::format("the harvest gave {}, below the planned dose: register a bank "
                                   "unit ({}) for plan {}",
                                   item.observed, plan.bank_product_type, plan.id)}};
      }
    }
    return out;
  }

  // The product's label as SVG (DIN, boxed check character, Code 128 bar code).
  base::Status GetProductLabel(Call& call) {
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(const domain::Product product, repo->GetProduct(*call.resource_id));
    call.patient_id = product.patient_id;
    LC_ASSIGN_OR_RETURN(const domain::Patient recipient, repo->GetPatient(product.patient_id));
    LC_ASSIGN_OR_RETURN(const std::string svg,
                        formats::DinLabelSvg(product.din, formats::LabelTextOf(product, &recipient)));
    call.response.SetContent(svg, "image/svg+xml");
    return base::OkStatus();
  }

  base::Status ListProducts(Call& call) {
    LC_ASSIGN_OR_RETURN(const int patient, IntParam(call, "patient", 0, 0, 1 << 30));
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(const auto products, repo->ListProducts(patient));
    json items = json::array();
    for (const domain::Product& p : products) items.push_back(formats::ProductJson(p));
    if (patient > 0) call.patient_id = patient;
    Reply(call, 200, {{"items", items}, {"total", items.size()}});
    return base::OkStatus();
  }

  base::Status GetProduct(Call& call) {
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(const domain::Product product, repo->GetProduct(*call.resource_id));
    call.patient_id = product.patient_id;
    LC_ASSIGN_OR_RETURN(const json out, ProductDocument(*repo, product));
    Reply(call, 200, out);
    return base::OkStatus();
  }

  // Registers a product: {"din", "product_code", "product_type", "patient_id", "plan_id"?,
  // "origin"?: "autologous"|"bank"}.
  base::Status AddProduct(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(const std::string din_text, StringField(body, "din", true));
    base::Result<domain::Din> din = domain::Din::Parse(din_text);
    if (!din.ok()) {
      base::Status status = din.status();
      return std::move(status.SetPath("din").SetValue(din_text));
    }
    domain::Product product;
    product.din = *din;
    LC_ASSIGN_OR_RETURN(product.product_code, StringField(body, "product_code", true));
    LC_ASSIGN_OR_RETURN(product.product_type, StringField(body, "product_type", true));
    LC_ASSIGN_OR_RETURN(const std::string origin, StringField(body, "origin", false));
    if (!origin.empty() && origin != "autologous" && origin != "bank") {
      base::Status status = BadBody("must be autologous or bank", "origin");
      return std::move(status.SetValue(origin).SetAllowed("autologous, bank"));
    }
    product.origin = origin == "bank" ? domain::ProductOrigin::kBank
                                      : domain::ProductOrigin::kAutologous;
    LC_ASSIGN_OR_RETURN(call.patient_id,
                        IdField(body, "patient_id", true, "the recipient's id"));
    product.patient_id = *call.patient_id;
    LC_ASSIGN_OR_RETURN(product.plan_id, IdField(body, "plan_id", false, "a plan's id"));
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    call.audited = true;
    LC_ASSIGN_OR_RETURN(product,
                        clinic::RegisterProduct(ContextOf(*repo), call.actor, std::move(product)));
    call.response.SetHeader("Location", fmt::format("/api/v1/products/{}", product.id));
    Reply(call, 201, formats::ProductJson(product));
    return base::OkStatus();
  }

  // A custody event: {"kind", "fields": {...}, "at"?}. Release and administration have
  // their own routes (the checklist; the bedside's two signatures).
  base::Status AddProductEvent(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(const std::string kind_text, StringField(body, "kind", true));
    const auto kind = domain::CustodyKindFromString(kind_text);
    if (!kind || !domain::RecordedByHand(*kind)) {
      base::Status status = BadBody(
          "unknown or not recorded here (release exception: POST .../exceptions; release: "
          "POST .../release; administration: the bedside)",
          "kind");
      return std::move(status.SetValue(kind_text).SetAllowed(
          "harvest, bank-receipt, processing, qc, storage, dispatch"));
    }
    std::vector<base::Status> problems;
    LC_ASSIGN_OR_RETURN(domain::Fields fields,
                        formats::FieldsFromJson(*kind, body.value("fields", json::object()),
                                                &problems));
    domain::CustodyEvent event;
    event.kind = *kind;
    event.at = base::NowSeconds();
    if (body.contains("at")) {
      LC_ASSIGN_OR_RETURN(const domain::ClinicalTime at, TimeField(body, "at"));
      event.at = at.instant();
    }
    event.fields = std::move(fields);
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    {
      LC_ASSIGN_OR_RETURN(const domain::Product product, repo->GetProduct(*call.resource_id));
      call.patient_id = product.patient_id;
    }
    call.audited = true;
    LC_ASSIGN_OR_RETURN(const clinic::RecordedCustody recorded,
                        clinic::RecordCustodyEvent(ContextOf(*repo), call.actor,
                                                   *call.resource_id, std::move(event)));
    Reply(call, 201,
          {{"seq", recorded.event.seq},
           {"kind", kind_text},
           {"hash", recorded.event.content_hash},
           {"warnings", recorded.warnings}});
    return base::OkStatus();
  }

  // Release against the specification: 201 with the checklist, or 412 naming the blockers
  // (the checklist is in the problem's "checklist").
  base::Status ReleaseProduct(Call& call) {
    json body = json::object();
    if (!call.request.body.empty()) {
      LC_ASSIGN_OR_RETURN(body, ParseBody(call.request));
    }
    LC_ASSIGN_OR_RETURN(const std::string password, StringField(body, "password", false));
    domain::ReleaseChecklist checklist;
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    {
      LC_ASSIGN_OR_RETURN(const domain::Product product, repo->GetProduct(*call.resource_id));
      call.patient_id = product.patient_id;
    }
    call.audited = true;
    const auto released = clinic::ReleaseProduct(ContextOf(*repo), call.actor,
                                                  *call.resource_id, password, &checklist);
    if (!released.ok()) {  // the clinic recorded the refusal with its outcome
      Problem(call, released.status());
      if (!checklist.items.empty()) {
        json problem = json::parse(call.response.body);
        problem["checklist"] = formats::ChecklistJson(checklist);
        call.response.SetContent(problem.dump(), "application/problem+json");
      }
      return base::OkStatus();
    }
    Reply(call, 201, formats::ChecklistJson(checklist));
    return base::OkStatus();
  }

  // A physician's release exception: {"criterion", "reason", "password"}. Signed with the
  // physician's password again; the specification must allow the criterion and the product
  // must fail or lack it now. 201 with the checklist after it.
  base::Status AddReleaseException(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(const std::string criterion, StringField(body, "criterion", true));
    LC_ASSIGN_OR_RETURN(const std::string reason, StringField(body, "reason", true));
    LC_ASSIGN_OR_RETURN(const std::string password, StringField(body, "password", true));
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    {
      LC_ASSIGN_OR_RETURN(const domain::Product product, repo->GetProduct(*call.resource_id));
      call.patient_id = product.patient_id;
    }
    domain::ReleaseChecklist checklist;
    call.audited = true;
    LC_ASSIGN_OR_RETURN(const domain::CustodyEvent signed_event,
                        clinic::SignReleaseException(ContextOf(*repo), call.actor,
                                                     *call.resource_id, criterion, reason,
                                                     password, &checklist));
    Reply(call, 201, {{"seq", signed_event.seq},
                      {"hash", signed_event.content_hash},
                      {"checklist", formats::ChecklistJson(checklist)}});
    return base::OkStatus();
  }

  // Bedside: {"wristband", "din"} → the verdict (200 either way; "match" says which). Every
  // scan is audited with its outcome: "match", or "mismatch:<check>".
  base::Status BedsideVerify(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(const std::string wristband, StringField(body, "wristband", true));
    LC_ASSIGN_OR_RETURN(const std::string din, StringField(body, "din", true));
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    call.audited = true;
    LC_ASSIGN_OR_RETURN(const clinic::BedsideResult checked,
                        clinic::VerifyAtBedside(ContextOf(*repo), call.actor, wristband, din));
    call.patient_id = checked.patient_id;
    json out = formats::VerdictJson(checked.verdict);
    if (checked.product_id) out["product_id"] = *checked.product_id;
    Reply(call, 200, out);
    return base::OkStatus();
  }

  // Bedside administration: {"wristband", "din", "second_username", "second_password"}. The
  // second member of staff re-authenticates (an e-signature; a failure counts toward their
  // lock-out) and must hold the same permission; the check runs again in the transaction that
  // records the administration and its audit entry.
  base::Status BedsideAdminister(Call& call) {
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(const std::string wristband, StringField(body, "wristband", true));
    LC_ASSIGN_OR_RETURN(const std::string din, StringField(body, "din", true));
    LC_ASSIGN_OR_RETURN(const std::string second, StringField(body, "second_username", true));
    LC_ASSIGN_OR_RETURN(const std::string password, StringField(body, "second_password", true));
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    clinic::BedsideResult checked;
    call.audited = true;
    LC_ASSIGN_OR_RETURN(const domain::CustodyEvent given,
                        clinic::AdministerProduct(ContextOf(*repo), call.actor, wristband, din,
                                                  second, password, &checked));
    call.patient_id = checked.patient_id;
    json out = formats::VerdictJson(checked.verdict);
    out["administration"] = {{"seq", given.seq}, {"hash", given.content_hash},
                             {"second_signer", second}};
    Reply(call, 201, out);
    return base::OkStatus();
  }

  base::Status CustodyCatalogue(Call& call) {
    Reply(call, 200, {{"custody_fields", formats::CustodyFieldsJson()},
                      {"course_templates", formats::BuiltinCourseTemplateIds()},
                      {"product_types", [this] {
                         json types = json::array();
                         for (const auto& [name, spec] : release_spec_.types)
                           types.push_back({{"type", name}, {"description", spec.description}});
                         return types;
                       }()}});
    return base::OkStatus();
  }

  base::Status GetScores(Call& call) {
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo->GetPatient(*call.patient_id));
    LC_ASSIGN_OR_RETURN(const auto labs, repo->Labs(*call.patient_id));
    LC_ASSIGN_OR_RETURN(const auto findings, repo->Findings(*call.patient_id));
    json out = formats::ScoresJson(patient, labs, findings, call.deidentify);
    out["patient_id"] = PatientRef(call);
    Reply(call, 200, out);
    return base::OkStatus();
  }

  base::Status CohortSurvival(Call& call) {
    const std::string by = call.request.Param("by");  // "" when absent
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(const json out, CohortSurvivalJson(*repo, by));
    Reply(call, 200, out);
    return base::OkStatus();
  }

  // Every patient with all their records, one JSON object per line (de-identified for
  // researchers).
  base::Status Export(Call& call) {
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    std::string out;
    LC_RETURN_IF_ERROR(repo->ForEachPatient([&](const domain::Patient& p) -> base::Status {
      json line = PatientJson(p, call.deidentify, Today());
      LC_RETURN_IF_ERROR(Records(*repo, p.id, call.deidentify, &Repository::Labs, &LabJson,
                                 &line["labs"]));
      LC_RETURN_IF_ERROR(Records(*repo, p.id, call.deidentify, &Repository::Events, &EventJson,
                                 &line["events"]));
      LC_RETURN_IF_ERROR(Records(*repo, p.id, call.deidentify, &Repository::AdverseEvents,
                                 &AdverseEventJson, &line["adverse_events"]));
      LC_RETURN_IF_ERROR(Records(*repo, p.id, call.deidentify, &Repository::QualityOfLife,
                                 &QualityOfLifeJson, &line["quality_of_life"]));
      out += line.dump();
      out += '\n';
      return base::OkStatus();
    }));
    call.response.SetHeader("Content-Disposition", "attachment; filename=\"livercell.jsonl\"");
    call.response.status = 200;
    call.response.SetContent(out, "application/x-ndjson");
    return base::OkStatus();
  }

  base::Status GetAudit(Call& call) {
    LC_ASSIGN_OR_RETURN(const int limit, IntParam(call, "limit", 100, 1, 1000));
    LC_ASSIGN_OR_RETURN(const int offset, IntParam(call, "offset", 0, 0, 1 << 30));
    const std::string since = call.request.Param("since");
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    access::AuditLog log(repo->connection());
    json items = json::array();
    LC_RETURN_IF_ERROR(log.ForEach(since, limit, offset, [&](const access::AuditEntry& e) {
      items.push_back(clinic::AuditEntryJson(e));
    }));
    LC_ASSIGN_OR_RETURN(const std::int64_t total, log.Count(since));
    Reply(call, 200, {{"items", items}, {"total", total}});
    return base::OkStatus();
  }

  void set_tls(bool tls) { tls_ = tls; }

 private:
  static std::string ETag(std::int64_t version) { return fmt::format("\"v{}\"", version); }
  static std::chrono::sys_days Today() {
    return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  }

  template <typename R>
  using Getter = base::Result<std::vector<R>> (Repository::*)(std::int64_t,
                                                               Repository::Visibility);
  template <typename R>
  using ToJson = json (*)(const R&, const Deidentifier*);

  template <typename R>
  static base::Status Records(Repository& repo, std::int64_t patient_id,
                              const Deidentifier* deidentify, Getter<R> get, ToJson<R> to_json,
                              json* out) {
    LC_ASSIGN_OR_RETURN(const auto records, (repo.*get)(patient_id, Repository::Visibility::kCurrent));
    *out = json::array();
    for (const R& record : records) out->push_back(to_json(record, deidentify));
    return base::OkStatus();
  }

  // GET a patient's records of one kind, oldest first.
  template <typename R>
  base::Status List(Call& call, Getter<R> get, ToJson<R> to_json) {
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_RETURN_IF_ERROR(repo->GetPatient(*call.patient_id).status());
    // ?include=entered-in-error: every record, each with its status and, when corrected, who
    // corrected it, when and why (identified readers only: a reason may name the patient).
    const bool all = call.request.Param("include") == "entered-in-error" &&
                     call.deidentify == nullptr;
    LC_ASSIGN_OR_RETURN(const json items,
                        ItemsJson(*repo, *call.patient_id, all, call.deidentify, get, to_json));
    Reply(call, 200, {{"patient_id", PatientRef(call)}, {"items", items}});
    return base::OkStatus();
  }

  // GET a patient's assessments or plans (append-only: nothing to leave out), newest first.
  template <typename R, typename Json>
  base::Status ListAll(Call& call, base::Result<std::vector<R>> (Repository::*get)(std::int64_t),
                       Json to_json) {
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_RETURN_IF_ERROR(repo->GetPatient(*call.patient_id).status());
    LC_ASSIGN_OR_RETURN(const auto records, (*repo.*get)(*call.patient_id));
    json items = json::array();
    for (const R& record : records) items.push_back(to_json(record));
    Reply(call, 200, {{"patient_id", PatientRef(call)}, {"items", items}});
    return base::OkStatus();
  }

  // A patient's records of one kind as JSON; `all`: corrected ones too, each with "status"
  // ("final", "entered-in-error", "superseded") and its "correction".
  template <typename R>
  static base::Result<json> ItemsJson(Repository& repo, std::int64_t patient_id, bool all,
                                      const Deidentifier* deidentify, Getter<R> get,
                                      ToJson<R> to_json) {
    LC_ASSIGN_OR_RETURN(const auto records,
                        (repo.*get)(patient_id, all ? Repository::Visibility::kAll
                                                    : Repository::Visibility::kCurrent));
    std::map<std::string, domain::Correction> corrections;
    if (all) {
      LC_ASSIGN_OR_RETURN(const auto list, repo.Corrections(patient_id));
      for (const domain::Correction& c : list) {
        corrections[fmt::format("{}/{}", domain::ToString(c.kind), c.record_id)] = c;
      }
    }
    json items = json::array();
    for (const R& record : records) {
      json item = to_json(record, deidentify);
      if (all) {
        const auto found = corrections.find(
            fmt::format("{}/{}", domain::ToString(domain::KindOf(record)),
                        formats::RecordIdOf(record)));
        item["status"] = found == corrections.end() ? "final" : found->second.status;
        if (found != corrections.end()) item["correction"] = formats::CorrectionJson(found->second);
      }
      items.push_back(std::move(item));
    }
    return items;
  }

  // Every record of the path's kind ("labs", "events", …) of the patient, corrected ones too.
  base::Result<json> AllOfKind(Repository& repo, const Call& call, domain::RecordKind kind) {
    const std::int64_t pid = *call.patient_id;
    switch (kind) {
      case domain::RecordKind::kLab:
        return ItemsJson(repo, pid, true, call.deidentify, &Repository::Labs, &LabJson);
      case domain::RecordKind::kEvent:
        return ItemsJson(repo, pid, true, call.deidentify, &Repository::Events, &EventJson);
      case domain::RecordKind::kAdverseEvent:
        return ItemsJson(repo, pid, true, call.deidentify, &Repository::AdverseEvents,
                         &AdverseEventJson);
      case domain::RecordKind::kQualityOfLife:
        return ItemsJson(repo, pid, true, call.deidentify, &Repository::QualityOfLife,
                         &QualityOfLifeJson);
      case domain::RecordKind::kFinding:
        return ItemsJson(repo, pid, true, call.deidentify, &Repository::Findings,
                         &formats::FindingJson);
    }
    return base::NotFoundError("no such kind of record");
  }

  // The kind named by the path: /api/v1/patients/{id}/<kind>/{rid}.
  static base::Result<domain::RecordKind> KindOfPath(const Call& call) {
    const std::string& path = call.request.path;
    const std::size_t end = path.rfind('/');
    const std::size_t start = path.rfind('/', end - 1);
    const auto kind = domain::ParseRecordKind(path.substr(start + 1, end - start - 1));
    if (!kind) return base::NotFoundError("no such kind of record");
    return *kind;
  }

  // One record, with its status; its ETag is its id (a stored record never changes: a
  // correction makes it stale instead, and an amendment against it is refused with 412).
  base::Status GetRecord(Call& call) {
    LC_ASSIGN_OR_RETURN(const domain::RecordKind kind, KindOfPath(call));
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(const json items, AllOfKind(*repo, call, kind));
    for (const json& item : items) {
      if (!item.contains("id") || IdText(item["id"]) != call.record_id) continue;
      call.response.SetHeader("ETag", fmt::format("\"{}\"", call.record_id));
      Reply(call, 200, item);
      return base::OkStatus();
    }
    base::Status status = base::NotFoundError(fmt::format("patient {} has no {} {}",
                                                          *call.patient_id,
                                                          domain::ToString(kind), call.record_id));
    return std::move(status.SetPath("id").SetValue(call.record_id));
  }

  static std::string IdText(const json& id) {
    return id.is_string() ? id.get<std::string>() : id.dump();
  }

  // A correction: {"status": "entered-in-error", "reason"} voids (If-Match optional); the
  // record's fields with "reason" amend it (If-Match with the record's ETag required). 200 with the correction, or 201 with the new version.
  base::Status PatchRecord(Call& call) {
    LC_ASSIGN_OR_RETURN(const domain::RecordKind kind, KindOfPath(call));
    LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
    LC_ASSIGN_OR_RETURN(const std::string reason, StringField(body, "reason", false));
    const std::string if_match = call.request.Header("If-Match");
    const std::string etag = fmt::format("\"{}\"", call.record_id);
    if (!if_match.empty() && if_match != etag) {
      base::Status status(base::StatusCode::kFailedPrecondition,
                          "If-Match names another record or version");
      return std::move(status.SetPath("If-Match").SetValue(if_match).SetAllowed(etag));
    }
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    const clinic::Context context = ContextOf(*repo);
    if (body.value("status", "") == domain::kEnteredInError) {
      call.audited = true;
      LC_RETURN_IF_ERROR(clinic::VoidRecord(context, call.actor, kind, *call.patient_id,
                                            call.record_id, reason));
      Reply(call, 200, {{"id", call.record_id},
                        {"status", domain::kEnteredInError},
                        {"reason", reason},
                        {"by", call.actor.username}});
      return base::OkStatus();
    }
    if (body.contains("status")) {
      base::Status status = BadBody("only entered-in-error can be set; to correct values, send "
                                    "the corrected record with a reason",
                                    "status");
      return std::move(status.SetValue(body["status"].dump()).SetAllowed("entered-in-error"));
    }
    if (if_match.empty()) {
      base::Status status(base::StatusCode::kFailedPrecondition,
                          "an amendment needs If-Match with the record's ETag (from its GET), so "
                          "that no one corrects a version they have not seen");
      return std::move(status.SetPath("If-Match"));
    }
    std::string new_id;
    call.audited = true;
    if (kind == domain::RecordKind::kLab) {
      LC_ASSIGN_OR_RETURN(const std::string code, StringField(body, "code", true));
      LC_ASSIGN_OR_RETURN(const std::string unit, StringField(body, "unit", true));
      auto value = body.find("value");
      if (value == body.end() || !value->is_number()) return BadBody("required, a number", "value");
      LC_ASSIGN_OR_RETURN(const domain::ClinicalTime time, TimeField(body, "time"));
      LC_ASSIGN_OR_RETURN(domain::LabObservation lab,
                          domain::MakeLabObservation(code, value->get<double>(), unit, time));
      lab.patient_id = *call.patient_id;
      LC_ASSIGN_OR_RETURN(new_id, clinic::AmendLab(context, call.actor, call.record_id,
                                                   std::move(lab), reason));
    } else if (kind == domain::RecordKind::kEvent) {
      LC_ASSIGN_OR_RETURN(domain::ClinicalEvent event, formats::EventFromJson(body));
      event.patient_id = *call.patient_id;
      LC_ASSIGN_OR_RETURN(new_id, clinic::AmendEvent(context, call.actor, call.record_id,
                                                     std::move(event), reason));
    } else if (kind == domain::RecordKind::kFinding) {
      LC_ASSIGN_OR_RETURN(domain::Finding finding, formats::FindingFromJson(body));
      finding.patient_id = *call.patient_id;
      LC_ASSIGN_OR_RETURN(new_id, clinic::AmendFinding(context, call.actor, call.record_id,
                                                       std::move(finding), reason));
    } else if (kind == domain::RecordKind::kAdverseEvent) {
      LC_ASSIGN_OR_RETURN(domain::AdverseEvent event, formats::AdverseEventFromJson(body));
      event.patient_id = *call.patient_id;
      LC_ASSIGN_OR_RETURN(new_id, clinic::AmendAdverseEvent(context, call.actor, call.record_id,
                                                            std::move(event), reason));
    } else {
      LC_ASSIGN_OR_RETURN(domain::QualityOfLife qol, formats::QualityOfLifeFromJson(body));
      qol.patient_id = *call.patient_id;
      LC_ASSIGN_OR_RETURN(new_id, clinic::AmendQualityOfLife(context, call.actor, call.record_id,
                                                             std::move(qol), reason));
    }
    call.response.SetHeader("ETag", fmt::format("\"{}\"", new_id));
    Reply(call, 201, {{"id", new_id}, {"replaces", call.record_id}, {"reason", reason}});
    return base::OkStatus();
  }

  // POST one record for the patient of the path, through the clinic (validated, stored and
  // audited in one transaction); 404 when the patient does not exist.
  template <typename R>
  base::Status Add(Call& call, base::Result<R> parsed,
                   const std::function<base::Result<std::string>(
                       const clinic::Context&, const clinic::Actor&, R)>& record,
                   ToJson<R> to_json) {
    LC_RETURN_IF_ERROR(parsed.status());
    R value = std::move(parsed).value();
    value.patient_id = *call.patient_id;
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    call.audited = true;
    LC_ASSIGN_OR_RETURN(const std::string id, record(ContextOf(*repo), call.actor, value));
    json out = to_json(value, nullptr);
    out["id"] = out["id"].is_number() ? json(std::stoll(id)) : json(id);
    call.response.SetHeader("ETag", fmt::format("\"{}\"", id));
    Reply(call, 201, out);
    return base::OkStatus();
  }



  // The clinic's context for one request: reads on `repo`, writes through the journal.
  clinic::Context ContextOf(Repository& repo) const {
    return clinic::Context{repo,      *journal_,      protocol_,
                           calendar_, release_spec_, base::NowSeconds()};
  }

  // "v7" or "\"v7\"" → 7; anything else → -1, which no version matches.
  static std::int64_t VersionOfETag(std::string_view etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
      etag = etag.substr(1, etag.size() - 2);
    }
    if (!etag.starts_with('v')) return -1;
    std::int64_t version = -1;
    const auto [ptr, ec] = std::from_chars(etag.data() + 1, etag.data() + etag.size(), version);
    return ec == std::errc() && ptr == etag.data() + etag.size() ? version : -1;
  }

  static void Reply(Call& call, int status, const json& body) {
    call.response.status = status;
    call.response.SetContent(body.dump(), "application/json");
  }

  static base::Result<int> IntParam(Call& call, const char* name, int fallback, int min, int max) {
    if (!call.request.HasParam(name)) return fallback;
    const std::string text = call.request.Param(name);
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
      base::Status status(base::StatusCode::kInvalidArgument,
                          fmt::format("must be a whole number from {} to {}", min, max));
      status.SetPath(name).SetValue(text).SetAllowed(fmt::format("{}–{}", min, max));
      return status;
    }
    return value;
  }

  static base::Result<domain::Patient> PatientFromJson(const json& body) {
    domain::Patient p;
    if (auto ids = body.find("identifiers"); ids != body.end()) {
      if (!ids->is_array()) return BadBody("must be an array of {system, value}", "identifiers");
      for (std::size_t i = 0; i < ids->size(); ++i) {
        const json& id = (*ids)[i];
        const std::string path = fmt::format("identifiers[{}]", i);
        if (!id.is_object()) return BadBody("must be an object {system, value}", path);
        LC_ASSIGN_OR_RETURN(std::string system, StringField(id, "system", true));
        LC_ASSIGN_OR_RETURN(std::string value, StringField(id, "value", true));
        p.identifiers.push_back({system, value});
        base::Status status = domain::ValidateExternalId(p.identifiers.back());
        if (!status.ok()) return std::move(status.PrefixPath(path));
      }
    }
    LC_ASSIGN_OR_RETURN(const std::string sex, StringField(body, "sex", false));
    if (!sex.empty()) {
      base::Result<domain::Sex> parsed = domain::ParseSex(sex);
      if (!parsed.ok()) {
        base::Status status = parsed.status();
        return std::move(status.SetPath("sex"));
      }
      p.sex = parsed.value();
    }
    LC_ASSIGN_OR_RETURN(const std::string birth, StringField(body, "birth_date", false));
    if (!birth.empty()) {
      base::Result<domain::ClinicalTime> t = domain::ClinicalTime::Parse(birth);
      if (!t.ok() || !t.value().date_only()) {
        base::Status status = BadBody("must be a date YYYY-MM-DD", "birth_date");
        status.SetValue(birth);
        return status;
      }
      if (t.value().day() > Today()) {
        base::Status status(base::StatusCode::kOutOfRange, "is in the future");
        status.SetPath("birth_date").SetValue(birth);
        return status;
      }
      p.birth_date = t.value().day();
    }
    for (const char* key : {"family_name", "given_name"}) {
      auto name = body.find(key);
      if (name == body.end() || name->is_null()) continue;
      if (!name->is_string()) return BadBody("must be a string", key);
      const std::string text = name->get<std::string>();
      base::Status status = domain::ValidatePersonName(text);
      if (!status.ok()) return std::move(status.SetPath(key));
      (std::string_view(key) == "family_name" ? p.family_name : p.given_name) = text;
    }
    LC_ASSIGN_OR_RETURN(const std::string aetiology, StringField(body, "aetiology_icd10", false));
    if (!aetiology.empty()) {
      base::Status status = domain::ValidateAetiologyIcd10(aetiology);
      if (!status.ok()) return std::move(status.SetPath("aetiology_icd10"));
      p.aetiology_icd10 = aetiology;
    }
    if (auto ecog = body.find("ecog"); ecog != body.end() && !ecog->is_null()) {
      if (!ecog->is_number_integer()) {
        base::Status status = BadBody("must be a whole number 0–5", "ecog");
        status.SetValue(ecog->dump());
        return status;
      }
      base::Status status = domain::ValidateEcog(ecog->get<int>());
      if (!status.ok()) return std::move(status.SetPath("ecog"));
      p.ecog = ecog->get<int>();
    }
    if (auto c = body.find("comorbidities_icd10"); c != body.end() && !c->is_null()) {
      if (!c->is_array()) return BadBody("must be an array of ICD-10 codes", "comorbidities_icd10");
      for (std::size_t i = 0; i < c->size(); ++i) {
        const std::string path = fmt::format("comorbidities_icd10[{}]", i);
        if (!(*c)[i].is_string()) return BadBody("must be an ICD-10 code", path);
        const std::string code = (*c)[i].get<std::string>();
        base::Status status = domain::ValidateIcd10(code);
        if (!status.ok()) return std::move(status.SetPath(path));
        p.comorbidities_icd10.push_back(code);
      }
    }
    return p;
  }

  static std::string TokenOf(const http::Request& request) {
    const std::string auth = request.Header("Authorization");
    if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
    const std::string cookies = request.Header("Cookie");
    const std::string key = std::string(kCookie) + "=";
    for (std::size_t pos = 0; pos < cookies.size();) {
      std::size_t end = cookies.find(';', pos);
      if (end == std::string::npos) end = cookies.size();
      std::string_view part(cookies.data() + pos, end - pos);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.rfind(key, 0) == 0) return std::string(part.substr(key.size()));
      pos = end + 1;
    }
    return "";
  }

  access::AuditEntry Entry(const Call& call, const char* action) const {
    access::AuditEntry e;
    e.at = base::NowText();
    if (call.user) {
      e.username = call.user->username;
      e.role = std::string(access::ToString(call.user->role));
    }
    e.action = action;
    e.resource = fmt::format("{} {}", call.request.method, call.request.path);
    e.patient_id = call.patient_id;
    e.outcome = "ok";
    e.request_id = call.request_id;
    return e;
  }

  static void Problem(Call& call, const base::Status& status) {
    const base::Status shown = PublicStatus(status, call.request_id);
    call.response.status = base::InfoOf(shown.code()).http_status;
    call.response.SetContent(ProblemBody(shown, call.request.path, call.request_id),
                             "application/problem+json");
  }

  void Serve(const Route& route, Call& call) {
    call.response.SetHeader("X-Request-Id", call.request_id);
    call.response.SetHeader("Cache-Control", "no-store");
    base::Status status = Authorize(route, call);
    if (status.ok()) status = (this->*route.handler)(call);
    if (!status.ok()) Problem(call, status);
    // Every resource read carries an ETag: the patient's version where it has one, else a
    // digest of the representation (weak: it stands for the content, not the bytes).
    if (status.ok() && call.response.status == 200 && call.request.method == "GET" &&
        !call.response.HasHeader("ETag")) {
      call.response.SetHeader("ETag",
                               fmt::format("W/\"{}\"", base::Sha256Hex(call.response.body).substr(0, 32)));
    }
    if (route.audit != Audit::kNone && !call.audited && !call.user &&
        status.code() == base::StatusCode::kUnauthenticated) {
      // No session: counted per client and minute, one entry each (a flood must not fill the
      // disk one row per request).
      for (access::AuditEntry& tally :
           anonymous_.Count(call.request.remote_address, std::chrono::system_clock::now())) {
        (void)journal_->Record(std::move(tally));
      }
      return;
    }
    if (route.audit != Audit::kNone && !call.audited) {
      access::AuditEntry entry = Entry(call, route.action);
      if (!status.ok()) entry.outcome = std::string(base::InfoOf(status.code()).name);
      const base::Status recorded = journal_->Record(entry);
      if (!recorded.ok()) {
        // An unaudited answer must not leave: replace it with the failure.
        call.response = http::Response();
        Problem(call, recorded);
      }
    }
  }

  // Cross-site request forgery (issue #23): a browser sends the session cookie with any
  // request to this server, whichever page started it. A change made with the cookie (no
  // bearer token) must therefore come from this server's own pages: the browser's Origin (or
  // Sec-Fetch-Site) names this origin, and the body is JSON, which a cross-site HTML form
  // cannot send. The log-in route is checked whenever a browser identifies its origin.
  base::Status CheckSameOrigin(const Route& route, const http::Request& request) const {
    const std::string_view method = request.method;
    if (method == "GET" || method == "HEAD" || method == "OPTIONS") return base::OkStatus();
    if (request.HasHeader("Authorization")) return base::OkStatus();
    const bool browser = request.HasHeader("Origin") || request.HasHeader("Sec-Fetch-Site");
    if (route.access == Access::kPublic && !browser) return base::OkStatus();
    if (route.access != Access::kPublic && TokenOf(request).empty()) return base::OkStatus();
    const auto refuse = [](std::string why, std::string_view path, std::string value) {
      base::Status status(base::StatusCode::kPermissionDenied,
                          "a change made with the session cookie must come from this "
                          "server's pages: " + std::move(why));
      status.SetPath(std::string(path)).SetValue(std::move(value));
      return status;
    };
    const std::string own = fmt::format("{}://{}", tls_ ? "https" : "http", request.Header("Host"));
    if (request.HasHeader("Origin")) {
      if (request.Header("Origin") != own) {
        return refuse(fmt::format("Origin is not {}", own), "Origin", request.Header("Origin"));
      }
    } else if (request.Header("Sec-Fetch-Site") != "same-origin") {
      return refuse("no Origin, and Sec-Fetch-Site is not same-origin", "Sec-Fetch-Site",
                    request.Header("Sec-Fetch-Site"));
    }
    const std::string type = request.Header("Content-Type");
    if (!request.body.empty() || method != "DELETE") {
      if (!type.starts_with("application/json")) {
        return refuse("the body must be application/json", "Content-Type", type);
      }
    }
    return base::OkStatus();
  }

  base::Status Authorize(const Route& route, Call& call) {
    // A patient in the path is resolved once the reader is known: by internal id, or by
    // pseudonym for de-identified readers (ResolvePatientPath).
    std::string patient_text;
    if (call.request.matches.size() > 1) {
      std::int64_t id = 0;
      const std::string text = call.request.matches[1];
      const bool patient = std::string_view(route.path).starts_with("/api/v1/patients/");
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
      if (patient) {
        patient_text = text;
      } else if (ec != std::errc() || ptr != text.data() + text.size()) {
        base::Status status(base::StatusCode::kNotFound, "no such resource");
        status.SetPath("id").SetValue(text);
        return status;
      } else {
        call.resource_id = id;
      }
      if (call.request.matches.size() > 2) call.record_id = call.request.matches[2];
    }
    LC_RETURN_IF_ERROR(Admit(route, call));
    if (!patient_text.empty()) {
      LC_ASSIGN_OR_RETURN(call.patient_id, ResolvePatientPath(call, patient_text));
    }
    return base::OkStatus();
  }

  // The patient a path names: de-identified readers by pseudonym only (an internal id is what
  // clinicians see, and would let a researcher link records to a person), everyone else by
  // internal id. 404 otherwise, after authentication, so that nothing is learnt without it.
  base::Result<std::int64_t> ResolvePatientPath(const Call& call, const std::string& text) {
    const auto missing = [&] {
      base::Status status(base::StatusCode::kNotFound,
                          call.deidentify != nullptr
                              ? "no such patient (de-identified readers name a patient by the "
                                "pseudonym the list gives, S-…)"
                              : "no such patient");
      status.SetPath("id").SetValue(text);
      return status;
    };
    if (call.deidentify != nullptr) {
      std::optional<std::int64_t> id = pseudonyms_.Find(text);
      if (!id && text.starts_with("S-") && pseudonyms_.MayRefresh()) {
        LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
        std::unordered_map<std::string, std::int64_t> all;
        LC_RETURN_IF_ERROR(repo->ForEachPatient([&](const domain::Patient& p) {
          all.emplace(deidentifier_.Pseudonym(p.id), p.id);
          return base::OkStatus();
        }));
        pseudonyms_.Replace(std::move(all));
        id = pseudonyms_.Find(text);
      }
      if (!id) return missing();
      return *id;
    }
    std::int64_t id = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || ptr != text.data() + text.size()) return missing();
    return id;
  }

  // Who is calling, and whether their role may call `route`.
  base::Status Admit(const Route& route, Call& call) {
    // The door: the web UI sends its session cookie, other clients a bearer token.
    call.actor.interface = call.request.HasHeader("Authorization") ? clinic::Interface::kApi
                                                                     : clinic::Interface::kWeb;
    call.actor.request_id = call.request_id;
    call.actor.resource = fmt::format("{} {}", call.request.method, call.request.path);
    LC_RETURN_IF_ERROR(CheckSameOrigin(route, call.request));
    if (route.access == Access::kPublic) return base::OkStatus();
    const std::string token = TokenOf(call.request);
    if (token.empty()) {
      return base::Status(base::StatusCode::kUnauthenticated,
                          "log in first (POST /api/v1/session), then send the token as "
                          "'Authorization: Bearer …' or the session cookie");
    }
    LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
    LC_ASSIGN_OR_RETURN(call.user, access::Accounts(repo->connection())
                                       .UserOfSession(token, std::chrono::system_clock::now()));
    call.actor.username = call.user->username;
    call.actor.role = call.user->role;
    call.actor.authenticated_by = "session";
    if (route.access == Access::kSession) return base::OkStatus();
    for (const Permission p : route.any_of) {
      if (!access::Allows(call.user->role, p)) continue;
      if (p == Permission::kReadDeidentified) call.deidentify = &deidentifier_;
      call.identity_only = p == Permission::kReadIdentity;
      return base::OkStatus();
    }
    return base::Status(base::StatusCode::kPermissionDenied,
                        fmt::format("the role {} may not {} ({})",
                                    access::ToString(call.user->role), route.summary,
                                    route.path));
  }

  const domain::Protocol protocol_;  // the clinic's candidacy protocol
  const domain::ClinicCalendar calendar_;  // the clinic's open days, for plans
  const domain::ReleaseSpec release_spec_;  // the clinic's release criteria and exceptions
  RepositoryPool pool_;
  Deidentifier deidentifier_;
  PseudonymIndex pseudonyms_;
  std::unique_ptr<clinic::GroupJournal> journal_;
  LoginThrottle throttle_;
  AnonymousTally anonymous_;
  bool tls_ = false;
};

const std::vector<Route>& Routes::Table() {
  static const std::vector<Route> routes = {
      {"GET", "/api/v1/health", Access::kPublic, {}, Audit::kNone, "", "check that the server is up",
       &Routes::Health},
      {"GET", "/api/v1/openapi.json", Access::kPublic, {}, Audit::kNone, "",
       "read this API's description", &Routes::OpenApi},
      {"GET", "/api/v1/catalogue", Access::kSession, {}, Audit::kNone, "",
       "read the lab catalogue, event types and attributions", &Routes::Catalogue},
      {"POST", "/api/v1/session", Access::kPublic, {}, Audit::kNone, "login", "log in",
       &Routes::Login},
      {"DELETE", "/api/v1/session", Access::kSession, {}, Audit::kNone, "logout", "log out",
       &Routes::Logout},
      {"GET", "/api/v1/patients", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadIdentity, Permission::kReadDeidentified}, Audit::kRead, "read",
       "list patients", &Routes::ListPatients},
      {"POST", "/api/v1/patients", Access::kPermission, {Permission::kWritePatients},
       Audit::kWrite, "create", "create a patient", &Routes::CreatePatient},
      {"GET", "/api/v1/patients/{id}", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadIdentity, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read a patient", &Routes::GetPatient},
      {"PUT", "/api/v1/patients/{id}", Access::kPermission, {Permission::kWritePatients},
       Audit::kWrite, "update", "update a patient", &Routes::UpdatePatient},
      {"GET", "/api/v1/patients/{id}/labs", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadLabs, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read a patient's labs", &Routes::GetLabs},
      {"POST", "/api/v1/patients/{id}/labs", Access::kPermission, {Permission::kRecordLabs},
       Audit::kWrite, "create", "record a lab result", &Routes::AddLab},
      {"GET", "/api/v1/patients/{id}/labs/{rid}", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadLabs, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read one lab result with its status", &Routes::GetRecord},
      {"PATCH", "/api/v1/patients/{id}/labs/{rid}", Access::kPermission,
       {Permission::kRecordLabs}, Audit::kWrite, "correct",
       "void a lab result entered in error, or amend it", &Routes::PatchRecord},
      {"GET", "/api/v1/patients/{id}/events", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read a patient's clinical events", &Routes::GetEvents},
      {"POST", "/api/v1/patients/{id}/events", Access::kPermission, {Permission::kRecordVisits},
       Audit::kWrite, "create", "record a clinical event", &Routes::AddEvent},
      {"GET", "/api/v1/patients/{id}/events/{rid}", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read one clinical event with its status", &Routes::GetRecord},
      {"PATCH", "/api/v1/patients/{id}/events/{rid}", Access::kPermission,
       {Permission::kRecordVisits}, Audit::kWrite, "correct",
       "void a clinical event entered in error, or amend it", &Routes::PatchRecord},
      {"GET", "/api/v1/patients/{id}/findings", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read a patient's findings (ascites, oedema, histologic stage …)", &Routes::GetFindings},
      {"GET", "/api/v1/patients/{id}/findings/{rid}", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read one finding with its status", &Routes::GetRecord},
      {"PATCH", "/api/v1/patients/{id}/findings/{rid}", Access::kPermission,
       {Permission::kRecordVisits}, Audit::kWrite, "correct",
       "void a finding entered in error, or amend it", &Routes::PatchRecord},
      {"GET", "/api/v1/patients/{id}/adverse-events", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read a patient's adverse events", &Routes::GetAdverseEvents},
      {"POST", "/api/v1/patients/{id}/adverse-events", Access::kPermission,
       {Permission::kRecordVisits}, Audit::kWrite, "create", "record an adverse event",
       &Routes::AddAdverseEvent},
      {"GET", "/api/v1/patients/{id}/adverse-events/{rid}", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read one adverse event with its status", &Routes::GetRecord},
      {"PATCH", "/api/v1/patients/{id}/adverse-events/{rid}", Access::kPermission,
       {Permission::kRecordVisits}, Audit::kWrite, "correct",
       "void an adverse event entered in error, or amend it", &Routes::PatchRecord},
      {"GET", "/api/v1/patients/{id}/qol/{rid}", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read one quality-of-life questionnaire with its status", &Routes::GetRecord},
      {"PATCH", "/api/v1/patients/{id}/qol/{rid}", Access::kPermission,
       {Permission::kRecordVisits}, Audit::kWrite, "correct",
       "void a quality-of-life questionnaire entered in error, or amend it",
       &Routes::PatchRecord},
      {"GET", "/api/v1/patients/{id}/qol", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read a patient's quality-of-life questionnaires", &Routes::GetQualityOfLife},
      {"POST", "/api/v1/patients/{id}/qol", Access::kPermission, {Permission::kRecordVisits},
       Audit::kWrite, "create", "record a quality-of-life questionnaire",
       &Routes::AddQualityOfLife},
      {"GET", "/api/v1/patients/{id}/scores", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read a patient's current scores and their history", &Routes::GetScores},
      {"GET", "/api/v1/patients/{id}/assessments", Access::kPermission,
       {Permission::kReadPatients}, Audit::kRead, "read",
       "read a patient's candidacy assessments", &Routes::GetAssessments},
      {"POST", "/api/v1/patients/{id}/assessments", Access::kPermission,
       {Permission::kSignAssessments}, Audit::kWrite, "sign",
       "assess candidacy (preview, or sign with your password)", &Routes::AddAssessment},
      {"GET", "/api/v1/patients/{id}/plans", Access::kPermission,
       {Permission::kReadPatients, Permission::kHandleCellProducts},
       Audit::kRead, "read", "read a patient's treatment plans", &Routes::GetPlans},
      {"POST", "/api/v1/plans", Access::kPermission, {Permission::kPlanTreatment}, Audit::kWrite,
       "create", "plan a treatment course (or preview it)", &Routes::AddPlan},
      {"GET", "/api/v1/plans/{id}", Access::kPermission,
       {Permission::kReadPatients, Permission::kHandleCellProducts},
       Audit::kRead, "read", "read a treatment plan (?format=ics for iCalendar)", &Routes::GetPlan},
      {"GET", "/api/v1/products", Access::kPermission,
       {Permission::kReadPatients, Permission::kHandleCellProducts}, Audit::kRead,
       "read", "list cell products (?patient=ID)", &Routes::ListProducts},
      {"POST", "/api/v1/products", Access::kPermission, {Permission::kHandleCellProducts},
       Audit::kWrite, "create", "register a cell product under its DIN", &Routes::AddProduct},
      {"GET", "/api/v1/products/{id}", Access::kPermission,
       {Permission::kReadPatients, Permission::kHandleCellProducts},
       Audit::kRead, "read", "read a cell product's chain of identity and release checklist",
       &Routes::GetProduct},
      {"GET", "/api/v1/products/{id}/label", Access::kPermission,
       {Permission::kReadPatients, Permission::kHandleCellProducts},
       Audit::kRead, "read", "read a cell product's label (SVG with its Code 128 bar code)",
       &Routes::GetProductLabel},
      {"POST", "/api/v1/products/{id}/events", Access::kPermission,
       {Permission::kHandleCellProducts}, Audit::kWrite, "record",
       "record a custody event of a cell product", &Routes::AddProductEvent},
      {"POST", "/api/v1/products/{id}/release", Access::kPermission,
       {Permission::kHandleCellProducts}, Audit::kWrite, "release",
       "release a cell product against its specification", &Routes::ReleaseProduct},
      {"POST", "/api/v1/products/{id}/exceptions", Access::kPermission,
       {Permission::kSignReleaseExceptions}, Audit::kWrite, "release-exception",
       "accept a failed release criterion the clinic's specification allows (physician, "
       "signed with the password)",
       &Routes::AddReleaseException},
      {"GET", "/api/v1/catalogue/products", Access::kSession, {}, Audit::kNone, "",
       "read custody fields, course templates and product types", &Routes::CustodyCatalogue},
      {"POST", "/api/v1/bedside/verify", Access::kPermission, {Permission::kAdministerProducts},
       Audit::kWrite, "bedside-verify", "check a wristband and a product at the bedside",
       &Routes::BedsideVerify},
      {"POST", "/api/v1/bedside/administer", Access::kPermission,
       {Permission::kAdministerProducts}, Audit::kWrite, "administer",
       "record an administration, confirmed by a second member of staff",
       &Routes::BedsideAdminister},
      {"GET", "/api/v1/cohort/survival", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "read",
       "read the cohort's Kaplan-Meier survival", &Routes::CohortSurvival},
      {"GET", "/api/v1/export", Access::kPermission,
       {Permission::kExport, Permission::kReadDeidentified}, Audit::kRead, "export",
       "export the registry (JSON lines)", &Routes::Export},
      {"GET", "/api/v1/audit", Access::kPermission, {Permission::kReadAudit}, Audit::kRead,
       "read", "read the audit trail", &Routes::GetAudit},
  };
  return routes;
}

std::string_view ContentType(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends("/")) return "text/html; charset=utf-8";
  return "text/plain; charset=utf-8";
}

// The UI's files from the binary. The policy lets pages run only our own scripts and styles
// and talk only to this server; nothing loads from elsewhere, so the UI works offline.
bool ServeWebAsset(const http::Request& request, http::Response& response) {
  if (request.method != "GET") return false;
  for (std::size_t i = 0; i < kWebAssetCount; ++i) {
    const WebAsset& asset = kWebAssets[i];
    if (request.path != asset.path) continue;
    response.SetHeader("Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                       "base-uri 'none'; form-action 'self'");
    response.SetHeader("Cache-Control", "no-cache");
    response.SetContent(std::string(asset.body), ContentType(asset.path));
    return true;
  }
  return false;
}

// Whether `path` fits `pattern` ("/api/v1/patients/{id}/labs/{rid}"), each {placeholder}
// standing for one non-empty segment; the segments they stood for are appended to `captures`.
bool MatchPath(std::string_view pattern, std::string_view path,
               std::vector<std::string>* captures) {
  while (!pattern.empty() && !path.empty()) {
    const std::size_t pattern_end = std::min(pattern.find('/', 1), pattern.size());
    const std::size_t path_end = std::min(path.find('/', 1), path.size());
    const std::string_view want = pattern.substr(0, pattern_end);
    const std::string_view got = path.substr(0, path_end);
    if (want.size() > 2 && want[1] == '{') {
      if (got.size() < 2) return false;  // "/" alone: an empty segment
      captures->emplace_back(got.substr(1));
    } else if (want != got) {
      return false;
    }
    pattern.remove_prefix(pattern_end);
    path.remove_prefix(path_end);
  }
  return pattern.empty() && path.empty();
}

void Routes::Handle(http::Request& request, http::Response& response) {
  if (ServeWebAsset(request, response)) return;
  std::string allowed;  // the methods of a route whose path fits, for 405
  for (const Route& route : Table()) {
    std::vector<std::string> captures{request.path};
    if (!MatchPath(route.path, request.path, &captures)) continue;
    if (request.method != route.method) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
      continue;
    }
    request.matches = std::move(captures);
    Call call{request, response, base::RandomHex(8), std::nullopt, {}, std::nullopt,
              std::nullopt, "", nullptr, false};
    Serve(route, call);
    return;
  }
  if (!allowed.empty()) {
    response.SetHeader("Allow", allowed);
    response.status = 405;
    response.SetContent(
        MethodNotAllowedBody(fmt::format("{} {} is not served; {} is (see /api/v1/openapi.json)",
                                         request.method, request.path, allowed),
                             request.path),
        "application/problem+json");
    return;
  }
  response.status = 404;
  const base::Status status(
      base::StatusCode::kNotFound,
      fmt::format("no route {} {} (see /api/v1/openapi.json)", request.method, request.path));
  response.SetContent(ProblemBody(status, request.path, ""), "application/problem+json");
}

class HttpServer final : public Server {
 public:
  HttpServer(std::unique_ptr<Routes> routes, std::unique_ptr<Transport> transport)
      : routes_(std::move(routes)), transport_(std::move(transport)) {}
  ~HttpServer() override { transport_.reset(); }  // its workers call routes_
  base::Result<int> Bind() override { return transport_->Bind(); }
  void Run() override { transport_->Run(); }
  void Stop() override { transport_->Stop(); }

 private:
  std::unique_ptr<Routes> routes_;
  std::unique_ptr<Transport> transport_;
};

// The registry's de-identification key, created on first use.
base::Result<std::string> DeidentificationKey(Repository& repo) {
  std::string key;
  const storage::sql::Value name[] = {std::string("deidentification_key")};
  auto read = [&] {
    return repo.connection()
        .Execute("SELECT value FROM settings WHERE name = ?", name,
                 [&](const storage::sql::Row& row) { key = row.Text(0); })
        .status();
  };
  LC_RETURN_IF_ERROR(read());
  if (!key.empty()) return key;
  const storage::sql::Value insert[] = {std::string("deidentification_key"), base::RandomHex(32)};
  const base::Status inserted =
      repo.connection()
          .Execute("INSERT INTO settings (name, value) VALUES (?, ?)", insert)
          .status();
  if (!inserted.ok() && inserted.code() != base::StatusCode::kAlreadyExists) return inserted;
  LC_RETURN_IF_ERROR(read());  // another server may have won the race
  return key;
}

}  // namespace

base::Result<std::unique_ptr<Server>> Server::Create(const ServeOptions& options) {
  LC_ASSIGN_OR_RETURN(auto repo,
                      Repository::Open(options.db_url, Repository::SchemaPolicy::kRequireCurrent));
  LC_ASSIGN_OR_RETURN(std::string key, DeidentificationKey(*repo));
  domain::Protocol protocol;
  if (options.protocol) {
    protocol = *options.protocol;
  } else {
    formats::ProtocolParse built_in = formats::DefaultProtocol();
    if (!built_in.protocol) return built_in.errors.front();
    protocol = std::move(*built_in.protocol);
  }
  LC_ASSIGN_OR_RETURN(access::AuditKey audit_key,
                      access::AuditKeyFor(options.db_url, options.audit_key, /*create=*/true));
  auto routes = std::make_unique<Routes>(options.db_url, std::move(key), std::move(repo),
                                         std::move(audit_key),
                                         std::move(protocol),
                                         options.calendar.value_or(domain::ClinicCalendar()),
                                         options.release_spec.value_or(
                                             formats::DefaultReleaseSpec()));
  TransportOptions transport;
  transport.host = options.host;
  transport.port = options.port;
  transport.tls_cert = options.tls_cert;
  transport.tls_key = options.tls_key;
  transport.limits = options.limits;
  routes->set_tls(!options.tls_cert.empty());
  Routes* handler = routes.get();
  LC_ASSIGN_OR_RETURN(
      std::unique_ptr<Transport> http,
      Transport::Create(
          transport,
          [handler](http::Request& request, http::Response& response) {
            handler->Handle(request, response);
          },
          [](const http::Request& request) {
            // No database behind these: answered on the I/O thread.
            return request.method == "GET" &&
                   (request.path == "/api/v1/health" || request.path == "/api/v1/openapi.json" ||
                    request.path == "/" || request.path.starts_with("/ui/"));
          }));
  return std::unique_ptr<Server>(std::make_unique<HttpServer>(std::move(routes), std::move(http)));
}

std::string OpenApiDocument() {
  json paths = json::object();
  for (const Route& route : Routes::Table()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json op = {{"summary", route.summary}, {"operationId", std::string(route.method) + " " + route.path}};
    json roles = json::array();
    for (const access::Role role : access::AllRoles()) {
      const bool allowed =
          route.access == Access::kSession ||
          std::any_of(route.any_of.begin(), route.any_of.end(),
                      [&](Permission p) { return access::Allows(role, p); });
      if (allowed) roles.push_back(access::ToString(role));
    }
    if (route.access == Access::kPublic) {
      op["security"] = json::array();
    } else {
      op["x-roles"] = roles;
    }
    if (std::string(route.path).find("{id}") != std::string::npos) {
      op["parameters"] = json::array(
          {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}}});
    }
    op["responses"] = {{"default", {{"description", "problem+json on error (RFC 9457)"}}}};
    paths[route.path][method] = op;
  }
  const json doc = {
      {"openapi", "3.1.0"},
      {"info", {{"title", "LiverCell clinic API"}, {"version", "1"}}},
      {"components",
       {{"securitySchemes",
         {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
          {"cookie", {{"type", "apiKey"}, {"in", "cookie"}, {"name", kCookie}}}}}}},
      {"security", json::array({{{"bearer", json::array()}}, {{"cookie", json::array()}}})},
      {"paths", paths}};
  return doc.dump(2);
}

}  // namespace livercell::server
