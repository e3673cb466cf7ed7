// The bedside: wristband and bag checked, an administration confirmed by a second person.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

// Bedside: {"wristband", "din"} → the verdict (200 either way; "match" says which). Every
// scan is audited with its outcome: "match", or "mismatch:<check>".
base::Status Routes::BedsideVerify(Call& call) {
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
base::Status Routes::BedsideAdminister(Call& call) {
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

}  // namespace livercell::server::internal
