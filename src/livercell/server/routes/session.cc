// Health, the OpenAPI document, log-in and log-out.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

// --- handlers -------------------------------------------------------------------------
base::Status Routes::Health(Call& call) {
  Reply(call, 200, {{"status", "ok"}});
  return base::OkStatus();
}

base::Status Routes::OpenApi(Call& call) {
  call.response.SetContent(OpenApiDocument(), "application/json");
  return base::OkStatus();
}

base::Status Routes::Login(Call& call) {
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

base::Status Routes::Logout(Call& call) {
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

}  // namespace livercell::server::internal
