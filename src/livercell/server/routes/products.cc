// Cell products: the list, one product with its chain of identity and checklist, its label,
// registration, custody events, release and release exceptions.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

base::Result<json> Routes::ProductDocument(Repository& repo, const domain::Product& product) {
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
base::Status Routes::GetProductLabel(Call& call) {
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(const domain::Product product, repo->GetProduct(*call.resource_id));
  call.patient_id = product.patient_id;
  LC_ASSIGN_OR_RETURN(const domain::Patient recipient, repo->GetPatient(product.patient_id));
  LC_ASSIGN_OR_RETURN(const std::string svg,
                      formats::DinLabelSvg(product.din, formats::LabelTextOf(product, &recipient)));
  call.response.SetContent(svg, "image/svg+xml");
  return base::OkStatus();
}

base::Status Routes::ListProducts(Call& call) {
  LC_ASSIGN_OR_RETURN(const int patient, IntParam(call, "patient", 0, 0, 1 << 30));
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(const auto products, repo->ListProducts(patient));
  json items = json::array();
  for (const domain::Product& p : products) items.push_back(formats::ProductJson(p));
  if (patient > 0) call.patient_id = patient;
  Reply(call, 200, {{"items", items}, {"total", items.size()}});
  return base::OkStatus();
}

base::Status Routes::GetProduct(Call& call) {
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(const domain::Product product, repo->GetProduct(*call.resource_id));
  call.patient_id = product.patient_id;
  LC_ASSIGN_OR_RETURN(const json out, ProductDocument(*repo, product));
  Reply(call, 200, out);
  return base::OkStatus();
}

// Registers a product: {"din", "product_code", "product_type", "patient_id", "plan_id"?,
// "origin"?: "autologous"|"bank"}.
base::Status Routes::AddProduct(Call& call) {
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
base::Status Routes::AddProductEvent(Call& call) {
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
base::Status Routes::ReleaseProduct(Call& call) {
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
base::Status Routes::AddReleaseException(Call& call) {
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

base::Status Routes::CustodyCatalogue(Call& call) {
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

}  // namespace livercell::server::internal
