#include "livercell/server/products.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "livercell/formats/course_file.h"

namespace livercell::server {
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

base::Result<domain::CustodyEvent> SignReleaseException(
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

base::Result<domain::CustodyEvent> Release(storage::Repository& repo, const domain::Product& product,
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
  std::optional<domain::Product> product;
  std::optional<domain::Plan> plan;
  if (auto din = domain::Din::Parse(din_scanned); din.ok()) {
    LC_ASSIGN_OR_RETURN(product, repo.FindProductByDin(din->text()));
  }
  if (product) {
    result.product_id = product->id;
    facts.product = &*product;
    if (!domain::StateOf(*product).released) {
      LC_ASSIGN_OR_RETURN(const domain::ReleaseChecklist list,
                          ReleaseChecklistFor(repo, *product, spec, now));
      facts.release_blockers = list.Blockers();
    }
    if (product->plan_id) {
      LC_ASSIGN_OR_RETURN(plan, repo.GetPlan(*product->plan_id));
      facts.plan = &*plan;
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

base::Result<domain::CustodyEvent> Administer(storage::Repository& repo,
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

}  // namespace livercell::server
