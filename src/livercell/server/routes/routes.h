// The clinic API's routes (issue #23): the Routes class, what a handler knows about its call,
// and the helpers the handlers share. Internal to server/: server.cc holds the route table
// and the transport, server/routes/<area>.cc the handlers of each area.
#ifndef LIVERCELL_SERVER_ROUTES_ROUTES_H_
#define LIVERCELL_SERVER_ROUTES_ROUTES_H_

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
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
#include "livercell/clinic/outcomes.h"
#include "livercell/clinic/plans.h"
#include "livercell/clinic/products.h"
#include "livercell/clinic/records.h"
#include "livercell/formats/assessment_json.h"
#include "livercell/formats/din_label.h"
#include "livercell/formats/product_json.h"
#include "livercell/formats/records_json.h"
#include "livercell/formats/release_spec.h"
#include "livercell/server/cohort.h"
#include "livercell/server/server.h"
#include "livercell/server/anonymous_tally.h"
#include "livercell/server/http.h"
#include "livercell/server/login_throttle.h"
#include "livercell/server/problem.h"
#include "livercell/server/transport.h"
#include "livercell/server/web_assets.h"
#include "livercell/storage/repository.h"

namespace livercell::server::internal {

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

inline base::Result<json> ParseBody(const http::Request& request) {
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

// Request ids (in problems, X-Request-Id and the audit trail): a random prefix drawn once per
// server and a counter, so unique for 2^32 requests of a server without a getrandom system
// call per request (which cost as much as the socket write under load). They identify, they
// are not secrets.
class RequestIds {
 public:
  RequestIds() : prefix_(base::RandomHex(4)) {}
  std::string Next() {
    return fmt::format("{}{:08x}", prefix_, next_.fetch_add(1, std::memory_order_relaxed));
  }

 private:
  const std::string prefix_;
  std::atomic<std::uint32_t> next_{0};
};

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

  // --- handlers: one file per area in server/routes/ ----------------------------------
  // session.cc: health, OpenAPI, log-in and log-out
  base::Status Health(Call& call);
  base::Status OpenApi(Call& call);
  base::Status Login(Call& call);
  base::Status Logout(Call& call);
  // patients.cc: the list, one patient, registration, updates
  base::Status ListPatients(Call& call);
  base::Status GetPatient(Call& call);
  base::Status CreatePatient(Call& call);
  base::Status UpdatePatient(Call& call);
  // records.cc: labs, findings, events, adverse events, QoL; the catalogue; scores
  base::Status GetLabs(Call& call);
  base::Status GetFindings(Call& call);
  base::Status GetEvents(Call& call);
  base::Status GetAdverseEvents(Call& call);
  base::Status GetQualityOfLife(Call& call);
  base::Status AddLab(Call& call);
  base::Status AddEvent(Call& call);
  base::Status AddAdverseEvent(Call& call);
  base::Status AddQualityOfLife(Call& call);
  base::Status Catalogue(Call& call);
  base::Status GetScores(Call& call);
  // assessments.cc: candidacy
  base::Status GetAssessments(Call& call);
  base::Status AddAssessment(Call& call);
  // plans.cc: treatment plans
  base::Status GetPlans(Call& call);
  base::Status AddPlan(Call& call);
  base::Status GetPlan(Call& call);
  // products.cc: cell products and their chain of identity
  base::Status GetProductLabel(Call& call);
  base::Status ListProducts(Call& call);
  base::Status GetProduct(Call& call);
  base::Status AddProduct(Call& call);
  base::Status AddProductEvent(Call& call);
  base::Status ReleaseProduct(Call& call);
  base::Status AddReleaseException(Call& call);
  base::Status CustodyCatalogue(Call& call);
  // bedside.cc: the bedside check and administration
  base::Status BedsideVerify(Call& call);
  base::Status BedsideAdminister(Call& call);
  // cohort.cc: survival curves and the export
  base::Status CohortSurvival(Call& call);
  // outcomes.cc: the treated patients' outcomes beside the evidence (issue #24)
  base::Status Outcomes(Call& call);
  base::Status OutcomesSvg(Call& call);
  base::Result<clinic::Outcomes> ComputeOutcomes(Call& call);
  base::Status Export(Call& call);
  // audit.cc: the audit trail
  base::Status GetAudit(Call& call);

  // --- what the handlers share ---------------------------------------------------------
  // The patient's id as the caller may see it: the pseudonym for de-identified readers.
  json PatientRef(const Call& call) const {
    return call.deidentify != nullptr ? json(call.deidentify->Pseudonym(*call.patient_id))
                                      : json(*call.patient_id);
  }

  // A patient as the caller may read them: de-identified for researchers; for the lab and
  // cell-processing, who they are (names, identifiers, birth date, sex for reference ranges)
  // without their conditions (issue #23, least privilege).
  json ReaderPatientJson(const Call& call, const domain::Patient& patient);

  static json CatalogueJson();

  // A product with its custody events and, until released, its release checklist.
  base::Result<json> ProductDocument(Repository& repo, const domain::Product& product);

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
  base::Result<json> AllOfKind(Repository& repo, const Call& call, domain::RecordKind kind);

  // The kind named by the path: /api/v1/patients/{id}/<kind>/{rid}.
  static base::Result<domain::RecordKind> KindOfPath(const Call& call);

  base::Status GetRecord(Call& call);

  static std::string IdText(const json& id);

  base::Status PatchRecord(Call& call);

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

  static base::Result<domain::Patient> PatientFromJson(const json& body);

  static std::string TokenOf(const http::Request& request);

  access::AuditEntry Entry(const Call& call, const char* action) const;

  static void Problem(Call& call, const base::Status& status);

  void Serve(const Route& route, Call& call);

  // Cross-site request forgery (issue #23): a browser sends the session cookie with any
  // request to this server, whichever page started it. A change made with the cookie (no
  // bearer token) must therefore come from this server's own pages: the browser's Origin (or
  // Sec-Fetch-Site) names this origin, and the body is JSON, which a cross-site HTML form
  // cannot send. The log-in route is checked whenever a browser identifies its origin.
  base::Status CheckSameOrigin(const Route& route, const http::Request& request) const;

  base::Status Authorize(const Route& route, Call& call);

  // The patient a path names: de-identified readers by pseudonym only (an internal id is what
  // clinicians see, and would let a researcher link records to a person), everyone else by
  // internal id. 404 otherwise, after authentication, so that nothing is learnt without it.
  base::Result<std::int64_t> ResolvePatientPath(const Call& call, const std::string& text);

  // Who is calling, and whether their role may call `route`.
  base::Status Admit(const Route& route, Call& call);

  const domain::Protocol protocol_;  // the clinic's candidacy protocol
  const domain::ClinicCalendar calendar_;  // the clinic's open days, for plans
  const domain::ReleaseSpec release_spec_;  // the clinic's release criteria and exceptions
  RepositoryPool pool_;
  Deidentifier deidentifier_;
  PseudonymIndex pseudonyms_;
  std::unique_ptr<clinic::GroupJournal> journal_;
  LoginThrottle throttle_;
  AnonymousTally anonymous_;
  RequestIds request_ids_;
  bool tls_ = false;
};

}  // namespace livercell::server::internal

#endif  // LIVERCELL_SERVER_ROUTES_ROUTES_H_
