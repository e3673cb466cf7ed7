#include "livercell/server/server.h"

#include "livercell/clinic/tidy.h"

#include "livercell/server/routes/routes.h"

namespace livercell::server {
namespace internal {

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
      {"GET", "/api/v1/outcomes", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "outcomes",
       "read the treated patients' outcomes beside the published evidence (specs/outcomes.md; "
       "?by=stage)",
       &Routes::Outcomes},
      {"GET", "/api/v1/outcomes/forest.svg", Access::kPermission,
       {Permission::kReadPatients, Permission::kReadDeidentified}, Audit::kRead, "outcomes",
       "the outcomes beside every trial arm, as an SVG (?by=stage)", &Routes::OutcomesSvg},
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
  std::vector<std::string> captures;  // reused: most routes fail on their first segments
  for (const Route& route : Table()) {
    captures.assign(1, request.path);
    if (!MatchPath(route.path, request.path, &captures)) continue;
    if (request.method != route.method) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
      continue;
    }
    request.matches = std::move(captures);
    Call call{request, response, request_ids_.Next(), std::nullopt, {}, std::nullopt,
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

}  // namespace internal

// The public entry points below are written in the subsystem's own terms.
using namespace internal;  // NOLINT(google-build-using-namespace): a .cc file of server/

base::Result<std::unique_ptr<Server>> Server::Create(const ServeOptions& options) {
  LC_ASSIGN_OR_RETURN(auto repo,
                      Repository::Open(options.db_url, Repository::SchemaPolicy::kRequireCurrent));
  LC_ASSIGN_OR_RETURN(std::string key, clinic::DeidentificationKey(*repo));
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
