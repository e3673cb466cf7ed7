// How a request becomes a handler's call: who is calling, whether their role may, the
// patient the path names, and the problem document when it fails.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

std::string Routes::TokenOf(const http::Request& request) {
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

access::AuditEntry Routes::Entry(const Call& call, const char* action) const {
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

void Routes::Problem(Call& call, const base::Status& status) {
  const base::Status shown = PublicStatus(status, call.request_id);
  call.response.status = base::InfoOf(shown.code()).http_status;
  call.response.SetContent(ProblemBody(shown, call.request.path, call.request_id),
                           "application/problem+json");
}

void Routes::Serve(const Route& route, Call& call) {
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

base::Status Routes::CheckSameOrigin(const Route& route, const http::Request& request) const {
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

base::Status Routes::Authorize(const Route& route, Call& call) {
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

base::Result<std::int64_t> Routes::ResolvePatientPath(const Call& call, const std::string& text) {
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

base::Status Routes::Admit(const Route& route, Call& call) {
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

}  // namespace livercell::server::internal
