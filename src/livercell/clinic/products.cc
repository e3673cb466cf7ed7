#include "livercell/clinic/products.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "livercell/access/accounts.h"
#include "livercell/clinic/records.h"
#include "livercell/formats/course_file.h"

namespace livercell::clinic {
namespace {

base::Status Refused(std::string message, std::string path, std::string value) {
  base::Status status(base::StatusCode::kFailedPrecondition, std::move(message));
  status.SetPath(std::move(path)).SetValue(std::move(value));
  return status;
}

// What a release or an exception was judged against.
std::string SpecificationText(const domain::ReleaseSpec& spec) {
  return fmt::format("release_criteria.toml {} sha256:{}", spec.version, spec.sha256);
}

// What release needs beyond the product: its plan's weight and dose, and now.
base::Result<domain::ReleaseContext> ContextFor(storage::Repository& repo,
                                                const domain::Product& product,
                                                std::chrono::sys_seconds now) {
  domain::ReleaseContext context;
  context.now = now;
  if (product.plan_id) {
    LC_ASSIGN_OR_RETURN(const domain::Plan plan, repo.GetPlan(*product.plan_id));
    context.recipient_weight_kg = plan.weight_kg;
    context.planned_cells = plan.total_cells;
    context.administrations = std::max(1, plan.administrations);
  }
  return context;
}

}  // namespace

base::Result<domain::Plan> PlanForPatient(storage::Repository& repo, std::int64_t patient_id,
                                          const domain::CourseTemplate& course,
                                          const domain::ClinicCalendar& calendar,
                                          std::chrono::sys_days start, double weight_kg) {
  LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo.GetPatient(patient_id));
  domain::PlanRequest request;
  request.patient_id = patient_id;
  request.start = start;
  request.weight_kg = weight_kg;
  // ICD-10 B18: chronic viral hepatitis (WHO ICD-10).
  request.viral_hepatitis = patient.aetiology_icd10 && patient.aetiology_icd10->starts_with("B18");
  return domain::BuildPlan(course, calendar, request);
}

base::Result<domain::CourseTemplate> BuiltinCourseTemplate(std::string_view id) {
  const auto text = formats::BuiltinCourseTemplateText(id);
  if (!text) {
    base::Status status =
        base::InvalidArgumentError(fmt::format("unknown course template \"{}\"", id));
    status.SetPath("template").SetValue(std::string(id)).SetAllowed(
        fmt::format("{}", fmt::join(formats::BuiltinCourseTemplateIds(), ", ")));
    return status;
  }
  // The shipped templates are tested to parse (tests/plan).
  auto parsed = formats::ParseCourseTemplate(*text, fmt::format("data/courses/{}.toml", id));
  if (!parsed.value) return parsed.errors.front();
  return std::move(*parsed.value);
}


base::Result<domain::ReleaseChecklist> ReleaseChecklistFor(storage::Repository& repo,
                                                           const domain::Product& product,
                                                           const domain::ReleaseSpec& spec,
                                                           std::chrono::sys_seconds now) {
  LC_ASSIGN_OR_RETURN(const domain::ReleaseContext context, ContextFor(repo, product, now));
  return domain::EvaluateRelease(product, spec, context);
}

namespace {

base::Result<domain::CustodyEvent> AppendReleaseException(
    storage::Repository& repo, const domain::Product& product, const domain::ReleaseSpec& spec,
    const std::string& criterion, const std::string& reason, const std::string& actor,
    const std::string& role, std::chrono::sys_seconds now, domain::ReleaseChecklist* checklist) {
  LC_RETURN_IF_ERROR(domain::CanAppend(product, domain::CustodyKind::kReleaseException));
  LC_ASSIGN_OR_RETURN(const domain::ReleaseContext context, ContextFor(repo, product, now));
  *checklist = domain::EvaluateRelease(product, spec, context);
  LC_RETURN_IF_ERROR(domain::CanExcept(*checklist, spec, criterion));
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    base::Status status = base::InvalidArgumentError("an exception needs the physician's reason");
    return std::move(status.SetPath("reason"));
  }
  const auto item = std::find_if(checklist->items.begin(), checklist->items.end(),
                                 [&](const domain::CheckItem& i) { return i.criterion == criterion; });
  domain::CustodyEvent event;
  event.kind = domain::CustodyKind::kReleaseException;
  event.at = now;
  event.actor = actor;
  event.role = role;
  event.fields.emplace("criterion", criterion);
  event.fields.emplace("observed", item->observed);
  event.fields.emplace("reason", reason);
  event.fields.emplace("specification", SpecificationText(spec));
  LC_ASSIGN_OR_RETURN(domain::CustodyEvent stored, repo.AppendCustodyEvent(product.id, event));
  domain::Product after = product;
  after.events.push_back(stored);
  *checklist = domain::EvaluateRelease(after, spec, context);
  return stored;
}

}  // namespace

namespace {

base::Result<domain::CustodyEvent> AppendRelease(storage::Repository& repo, const domain::Product& product,
                                           const domain::ReleaseSpec& spec,
                                           const std::string& actor, const std::string& role,
                                           std::chrono::sys_seconds now,
                                           domain::ReleaseChecklist* checklist) {
  LC_ASSIGN_OR_RETURN(*checklist, ReleaseChecklistFor(repo, product, spec, now));
  if (!checklist->releasable()) {
    return Refused(fmt::format("product {} cannot be released: {}", product.din.text(),
                               checklist->Blockers()),
                   "din", product.din.text());
  }
  domain::CustodyEvent event;
  event.kind = domain::CustodyKind::kRelease;
  event.at = now;
  event.actor = actor;
  event.role = role;
  event.fields.emplace("specification", SpecificationText(spec));
  if (const std::string excepted = checklist->Exceptions(); !excepted.empty())
    event.fields.emplace("exceptions", excepted);
  return repo.AppendCustodyEvent(product.id, std::move(event));
}

}  // namespace

base::Result<BedsideResult> CheckAtBedside(storage::Repository& repo,
                                           const domain::ReleaseSpec& spec,
                                           const std::string& wristband,
                                           const std::string& din_scanned,
                                           std::chrono::sys_seconds now,
                                           std::chrono::sys_days today) {
  BedsideResult result;
  domain::BedsideFacts facts;
  facts.wristband = wristband;
  facts.din_scanned = din_scanned;
  facts.now = now;
  facts.today = today;
  if (auto patient = repo.ResolvePatient(wristband); patient.ok()) {
    facts.patient_id = *patient;
  } else if (patient.status().code() != base::StatusCode::kNotFound &&
             patient.status().code() != base::StatusCode::kInvalidArgument) {
    return patient.status();
  }
  result.patient_id = facts.patient_id;
  if (facts.patient_id) {
    LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo.GetPatient(*facts.patient_id));
    facts.patient_identity = domain::IdentityLine(patient);
  }
  std::optional<domain::Product> product;
  std::optional<domain::Plan> plan;
  if (auto din = domain::Din::Parse(din_scanned); din.ok()) {
    LC_ASSIGN_OR_RETURN(product, repo.FindProductByDin(din->text()));
  }
  if (product) {
    result.product_id = product->id;
    facts.product = &*product;
    LC_ASSIGN_OR_RETURN(const domain::Patient recipient, repo.GetPatient(product->patient_id));
    facts.recipient_identity = domain::IdentityLine(recipient);
    if (!domain::StateOf(*product).released) {
      LC_ASSIGN_OR_RETURN(const domain::ReleaseChecklist list,
                          ReleaseChecklistFor(repo, *product, spec, now));
      facts.release_blockers = list.Blockers();
    }
    if (product->plan_id) {
      LC_ASSIGN_OR_RETURN(plan, repo.GetPlan(*product->plan_id));
      facts.plan = &*plan;
      // The template's pre-procedure limits: a shipped template by its id. (A template read
      // from a clinic's file is known to the plan by its text's hash only: its limits are in
      // the plan item's details for the staff to check.)
      if (formats::BuiltinCourseTemplateText(plan->template_id)) {
        LC_ASSIGN_OR_RETURN(const domain::CourseTemplate course,
                            BuiltinCourseTemplate(plan->template_id));
        facts.pre_checks = course.pre_checks;
      }
      if (facts.patient_id && !facts.pre_checks.empty()) {
        LC_ASSIGN_OR_RETURN(facts.labs, repo.Labs(*facts.patient_id));
      }
      LC_ASSIGN_OR_RETURN(const std::vector<int> given, repo.AdministeredPlanItems(plan->id));
      facts.plan_items_given = std::set<int>(given.begin(), given.end());
    }
  }
  result.verdict = domain::VerifyAtBedside(facts);
  return result;
}

base::Status BedsideRefusal(const domain::BedsideVerdict& verdict, const std::string& din_scanned) {
  return Refused(verdict.reason, verdict.failed_check, din_scanned);
}

namespace {

base::Result<domain::CustodyEvent> AppendAdministration(storage::Repository& repo,
                                              const domain::ReleaseSpec& spec,
                                              const std::string& wristband,
                                              const std::string& din_scanned,
                                              const std::string& actor, const std::string& role,
                                              const std::string& second_signer,
                                              std::chrono::sys_seconds now,
                                              std::chrono::sys_days today,
                                              BedsideResult* checked) {
  LC_ASSIGN_OR_RETURN(*checked, CheckAtBedside(repo, spec, wristband, din_scanned, now, today));
  if (!checked->verdict.match) return BedsideRefusal(checked->verdict, din_scanned);
  if (second_signer.empty() || second_signer == actor) {
    return Refused("a second member of staff must confirm (not the one who scanned)",
                   "second_signer", second_signer);
  }
  domain::CustodyEvent event;
  event.kind = domain::CustodyKind::kAdministration;
  event.at = now;
  event.actor = actor;
  event.role = role;
  event.fields.emplace("plan_item", static_cast<double>(*checked->verdict.plan_item));
  event.fields.emplace("wristband", wristband);
  event.fields.emplace("din_scanned", din_scanned);
  event.fields.emplace("second_signer", second_signer);
  return repo.AppendCustodyEvent(*checked->product_id, std::move(event));
}

}  // namespace

// --- use cases -------------------------------------------------------------------------------

namespace {

using access::Permission;

std::chrono::sys_days DayOf(std::chrono::sys_seconds now) {
  return std::chrono::floor<std::chrono::days>(now);
}

// Separation of duties at release: the person who releases a product recorded neither its
// processing nor its quality control.
// Source: EudraLex Vol. 4 (EU GMP) Part I ch. 2, 2.5 (heads of Production and of Quality
// Control independent of each other); 21 CFR 1271.160(b) (the quality program's functions);
// FACT-JACIE International Standards, 8th ed., Part D (processing: quality management).
base::Status CheckSeparationOfDuties(const domain::Product& product, const Actor& actor) {
  for (const domain::CustodyEvent& e : product.events) {
    if (e.actor != actor.username) continue;
    if (e.kind != domain::CustodyKind::kProcessing && e.kind != domain::CustodyKind::kQc) continue;
    base::Status status(
        base::StatusCode::kFailedPrecondition,
        fmt::format("{} recorded this product's {} (event {}): release needs someone independent "
                    "of its production and quality control (EU GMP Part I 2.5)",
                    actor.username, domain::ToString(e.kind), e.seq));
    status.SetPath("released_by").SetValue(actor.username);
    return status;
  }
  return base::OkStatus();
}

// A product that will have expired before the plan's next administration may not be released
// for it: the bedside would stop it on the day anyway, after the patient was prepared.
base::Status CheckExpiryBeforePlannedDay(storage::Repository& repo, const domain::Product& product,
                                         std::chrono::sys_seconds now) {
  const domain::ProductState state = domain::StateOf(product);
  if (!state.expires || !product.plan_id) return base::OkStatus();
  LC_ASSIGN_OR_RETURN(const domain::Plan plan, repo.GetPlan(*product.plan_id));
  LC_ASSIGN_OR_RETURN(const std::vector<int> given, repo.AdministeredPlanItems(plan.id));
  const auto today = DayOf(now);
  for (const domain::PlanItem& item : plan.items) {
    if (item.kind != domain::PlanItemKind::kInfusion &&
        item.kind != domain::PlanItemKind::kProcedure) {
      continue;
    }
    if (item.day < today || std::find(given.begin(), given.end(), item.seq) != given.end()) {
      continue;
    }
    // The product must still be in date at the start of the planned day.
    if (*state.expires >= std::chrono::sys_seconds(item.day)) return base::OkStatus();
    base::Status status(
        base::StatusCode::kFailedPrecondition,
        fmt::format("the product expires at {}, before its planned administration on {} ({})",
                    domain::ClinicalTime::FromInstant(*state.expires).ToString(),
                    domain::ClinicalTime::FromDate(item.day).ToString(), item.label));
    status.SetPath("expires_at")
        .SetValue(domain::ClinicalTime::FromInstant(*state.expires).ToString())
        .SetAllowed(fmt::format("from {}", domain::ClinicalTime::FromDate(item.day).ToString()));
    return status;
  }
  return base::OkStatus();
}

}  // namespace

base::Result<domain::Product> RegisterProduct(const Context& context, const Actor& actor,
                                              domain::Product product) {
  const std::optional<std::int64_t> patient = product.patient_id;
  if (base::Status allowed =
          Authorize(actor, Permission::kHandleCellProducts, "register a cell product");
      !allowed.ok()) {
    return Refuse(context, actor, "create", patient, std::move(allowed));
  }
  if (!context.release_spec.types.contains(product.product_type)) {
    base::Status status(base::StatusCode::kInvalidArgument,
                        fmt::format("unknown product type \"{}\"", product.product_type));
    status.SetPath("product_type")
        .SetValue(product.product_type)
        .SetAllowed(fmt::format("{}", fmt::join(domain::ProductTypes(context.release_spec), ", ")));
    return Refuse(context, actor, "create", patient, std::move(status));
  }
  product.registered_by = actor.username;
  product.registered_at = context.now;
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, "create", patient, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(product.id, r.AddProduct(product));
        return base::OkStatus();
      }));
  return product;
}

base::Result<RecordedCustody> RecordCustodyEvent(const Context& context, const Actor& actor,
                                                 std::int64_t product_id,
                                                 domain::CustodyEvent event) {
  LC_ASSIGN_OR_RETURN(const domain::Product product, context.repo.GetProduct(product_id));
  if (base::Status allowed =
          Authorize(actor, Permission::kHandleCellProducts, "record a product's custody");
      !allowed.ok()) {
    return Refuse(context, actor, "record", product.patient_id, std::move(allowed));
  }
  if (!domain::RecordedByHand(event.kind)) {
    base::Status status(base::StatusCode::kInvalidArgument,
                        "not recorded by hand (release exception, release and administration "
                        "have their own steps)");
    status.SetPath("kind")
        .SetValue(std::string(domain::ToString(event.kind)))
        .SetAllowed("harvest, bank-receipt, processing, qc, storage, dispatch");
    return Refuse(context, actor, "record", product.patient_id, std::move(status));
  }
  // The same clock-skew rule as every clinical time (records.h), with no birth date to check.
  if (base::Status when = CheckClinicalTime(domain::ClinicalTime::FromInstant(event.at),
                                            context.now, std::nullopt, "at");
      !when.ok()) {
    return Refuse(context, actor, "record", product.patient_id, std::move(when));
  }
  event.actor = actor.username;
  event.role = actor.role_name();
  RecordedCustody recorded;
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, "record", product.patient_id, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(const domain::Product now, r.GetProduct(product_id));
        LC_RETURN_IF_ERROR(domain::CanAppend(now, event.kind));
        LC_ASSIGN_OR_RETURN(recorded.event, r.AppendCustodyEvent(product_id, event));
        LC_ASSIGN_OR_RETURN(const domain::Product after, r.GetProduct(product_id));
        if (base::Status expiry = CheckExpiryBeforePlannedDay(r, after, context.now);
            !expiry.ok()) {
          recorded.warnings.push_back(
              std::string(expiry.message()) + ": it cannot be released for that administration");
        }
        return base::OkStatus();
      }));
  return recorded;
}

base::Result<domain::CustodyEvent> ReleaseProduct(const Context& context, const Actor& actor,
                                                  std::int64_t product_id,
                                                  const std::string& password,
                                                  domain::ReleaseChecklist* checklist) {
  LC_ASSIGN_OR_RETURN(const domain::Product product, context.repo.GetProduct(product_id));
  LC_RETURN_IF_ERROR(AuthorizeSigned(context, actor, Permission::kHandleCellProducts,
                                     "release a product", password,
                                     "the product was not released", "release",
                                     product.patient_id));
  domain::CustodyEvent released;
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, "release", product.patient_id, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(const domain::Product now, r.GetProduct(product_id));
        LC_RETURN_IF_ERROR(CheckSeparationOfDuties(now, actor));
        LC_RETURN_IF_ERROR(CheckExpiryBeforePlannedDay(r, now, context.now));
        LC_ASSIGN_OR_RETURN(released, AppendRelease(r, now, context.release_spec, actor.username,
                                                    actor.role_name(), context.now, checklist));
        return base::OkStatus();
      }));
  return released;
}

base::Result<domain::CustodyEvent> SignReleaseException(const Context& context, const Actor& actor,
                                                        std::int64_t product_id,
                                                        const std::string& criterion,
                                                        const std::string& reason,
                                                        const std::string& password,
                                                        domain::ReleaseChecklist* checklist) {
  LC_ASSIGN_OR_RETURN(const domain::Product product, context.repo.GetProduct(product_id));
  LC_RETURN_IF_ERROR(AuthorizeSigned(context, actor, Permission::kSignReleaseExceptions,
                                     "sign a release exception", password,
                                     "the exception was not signed", "release-exception",
                                     product.patient_id));
  domain::CustodyEvent signed_event;
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, "release-exception", product.patient_id, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(const domain::Product now, r.GetProduct(product_id));
        LC_ASSIGN_OR_RETURN(signed_event,
                            AppendReleaseException(r, now, context.release_spec, criterion, reason,
                                                   actor.username, actor.role_name(), context.now,
                                                   checklist));
        return base::OkStatus();
      }));
  return signed_event;
}

base::Result<BedsideResult> VerifyAtBedside(const Context& context, const Actor& actor,
                                            const std::string& wristband,
                                            const std::string& din_scanned) {
  if (base::Status allowed =
          Authorize(actor, Permission::kAdministerProducts, "verify a product at the bedside");
      !allowed.ok()) {
    return Refuse(context, actor, "bedside-verify", std::nullopt, std::move(allowed));
  }
  LC_ASSIGN_OR_RETURN(BedsideResult checked,
                      CheckAtBedside(context.repo, context.release_spec, wristband, din_scanned,
                                     context.now, DayOf(context.now)));
  access::AuditEntry entry = EntryFor(actor, "bedside-verify", checked.patient_id, context.now);
  entry.outcome = checked.verdict.match ? "match" : "mismatch:" + checked.verdict.failed_check;
  LC_RETURN_IF_ERROR(context.journal.Record(std::move(entry)));
  return checked;
}

base::Result<domain::CustodyEvent> AdministerProduct(const Context& context, const Actor& actor,
                                                     const std::string& wristband,
                                                     const std::string& din_scanned,
                                                     const std::string& second_username,
                                                     const std::string& second_password,
                                                     BedsideResult* checked) {
  std::optional<std::int64_t> patient;
  const auto refuse = [&](base::Status status, std::string outcome) {
    return Refuse(context, actor, "administer", patient, std::move(status), std::move(outcome));
  };
  if (base::Status allowed =
          Authorize(actor, Permission::kAdministerProducts, "administer a cell product");
      !allowed.ok()) {
    return refuse(std::move(allowed), "");
  }
  if (second_username.empty() || second_username == actor.username) {
    base::Status status(base::StatusCode::kInvalidArgument,
                        "the second signer must be someone else");
    status.SetPath("second_username").SetValue(second_username);
    return refuse(std::move(status), "refused:second-signer");
  }
  const base::Result<access::User> cosigner =
      access::Accounts(context.repo.connection())
          .CheckPassword(second_username, second_password, context.now);
  if (!cosigner.ok()) {
    base::Status status(base::StatusCode::kPermissionDenied,
                        "the second signer's password was not accepted");
    status.SetPath("second_password");
    return refuse(std::move(status), "refused:second-signer");
  }
  if (!access::Allows(cosigner->role, Permission::kAdministerProducts)) {
    base::Status status(base::StatusCode::kPermissionDenied,
                        fmt::format("the role {} may not confirm an administration",
                                    access::ToString(cosigner->role)));
    status.SetPath("second_username").SetValue(second_username);
    return refuse(std::move(status), "refused:second-signer");
  }
  // Checked first to name the patient and the mismatch in the audit entry; checked again in
  // the transaction that records the administration (a change in between is refused there,
  // its entry recording the refusal's code).
  LC_ASSIGN_OR_RETURN(*checked, CheckAtBedside(context.repo, context.release_spec, wristband,
                                               din_scanned, context.now, DayOf(context.now)));
  patient = checked->patient_id;
  if (!checked->verdict.match) {
    return refuse(BedsideRefusal(checked->verdict, din_scanned),
                  "mismatch:" + checked->verdict.failed_check);
  }
  domain::CustodyEvent given;
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, "administer", patient, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(given, AppendAdministration(r, context.release_spec, wristband,
                                                        din_scanned, actor.username,
                                                        actor.role_name(), second_username,
                                                        context.now, DayOf(context.now), checked));
        return base::OkStatus();
      }));
  return given;
}

}  // namespace livercell::clinic
