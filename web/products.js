// Cell products, treatment plans and the bedside (issue #8): the product page (custody
// timeline and release checklist), the planning page (the schedule as a calendar) and the
// bedside page, made for a keyboard-wedge barcode scanner: a scan arrives as fast keystrokes
// ending in Enter, so each field acts on Enter and the next field takes the focus.
import { h, api, errorBox, fact, field, fmt, recordForm, user } from "./app.js";

const MAY_ADMINISTER = ["physician", "nurse"];
// Only a physician signs a release exception (access/roles.cc: sign-release-exceptions).
const MAY_SIGN_EXCEPTIONS = ["physician"];

function cells(n) {
  return n === null || n === undefined ? "—" : Number(n).toExponential(2).replace("e+", " × 10^");
}

// A patient's plans and products, on the patient page.
export async function treatmentSection(id) {
  const section = h("section", { "aria-labelledby": "treatment-h" },
    h("h2", { id: "treatment-h", text: "Treatment" }));
  let plans, products;
  try {
    [plans, products] = await Promise.all([api("GET", `/patients/${id}/plans`),
                                           api("GET", `/products?patient=${id}`)]);
  } catch (err) {
    section.append(errorBox(err));
    return section;
  }
  if (!plans.items.length && !products.items.length) {
    section.append(h("p", { class: "empty", text: "No treatment planned." }));
  }
  if (plans.items.length) {
    section.append(h("ul", { class: "plain" }, plans.items.map((p) => h("li", {},
      h("a", { href: `#/plans/${p.id}`, text: `Plan ${p.id}: ${p.template.id}` }),
      ` from ${p.start}, ${fmt(p.weight_kg)} kg, ${cells(p.dose.total_cells)} cells in all`))));
  }
  if (products.items.length) {
    section.append(h("ul", { class: "plain" }, products.items.map((p) => h("li", {},
      h("a", { href: `#/products/${p.id}`, text: `${p.din_spaced} ${p.check}` }),
      ` ${p.product_type} (${p.origin}), ${p.status}`))));
  }
  return section;
}

// --- product page ----------------------------------------------------------------------------

export async function renderProduct(id, show) {
  show(h("p", { class: "muted", text: "Loading…" }));
  let p;
  try {
    p = await api("GET", `/products/${id}`);
  } catch (err) {
    show(h("h1", { text: `Product ${id}` }), errorBox(err));
    return;
  }
  const facts = h("div", { class: "facts" },
    fact("DIN", `${p.din_spaced} ${p.check}`), fact("Product code", p.product_code),
    fact("Type", `${p.product_type} (${p.origin})`),
    fact("Patient", h("a", { href: `#/patients/${p.patient_id}`,
                             text: p.patient_identity || String(p.patient_id) })),
    fact("Plan", p.plan_id ? h("a", { href: `#/plans/${p.plan_id}`, text: String(p.plan_id) }) : "none"),
    fact("Status", p.status), fact("Cells", cells(p.dose_cells)), fact("Expires", p.expires || "—"));
  const timeline = h("ol", { class: "custody" }, p.events.map((e) => h("li", {},
    h("strong", { text: e.kind }), ` ${e.at} by ${e.actor} (${e.role})`,
    h("span", { class: "muted" }, " ", Object.entries(e.fields)
      .map(([k, v]) => `${k} ${typeof v === "number" ? fmt(v) : v}`).join(" · ")))));
  const list = p.release_checklist;
  const checklist = h("table", { class: "checklist", "aria-label": "Release checklist" },
    h("thead", {}, h("tr", {}, ["Criterion", "Required", "Recorded", "Outcome", "Source"].map((t) =>
      h("th", { scope: "col", text: t })))),
    h("tbody", {}, list.items.map((c) => h("tr", { class: `outcome-${c.outcome}` },
      h("td", { text: c.criterion }), h("td", { text: c.required }), h("td", { text: c.observed }),
      h("td", {}, c.outcome, c.exception ? h("span", { class: "muted",
        text: ` by ${c.exception.by} (event ${c.exception.seq}): ${c.exception.reason}` }) : null),
      h("td", { class: "source", text: c.source })))));
  const released = p.released;
  const exceptable = released ? [] : list.items.filter((c) =>
    c.may_be_excepted && (c.outcome === "fail" || c.outcome === "missing"));
  const exception = exceptable.length && MAY_SIGN_EXCEPTIONS.includes(user().role)
    ? exceptionForm(p.id, exceptable, () => renderProduct(id, show)) : null;
  const label = h("img", { src: `/api/v1/products/${p.id}/label`, class: "label",
                          alt: `Label: DIN ${p.din_spaced} ${p.check}, product code ${p.product_code}` });
  show(h("h1", { text: `Product ${p.din_spaced} ${p.check}` }), facts, label,
       p.bank_fallback ? h("p", { class: "warning", role: "note", text: p.bank_fallback.reason }) : null,
       h("section", { "aria-labelledby": "custody-h" },
         h("h2", { id: "custody-h", text: "Chain of identity" }),
         p.events.length ? timeline : h("p", { class: "empty", text: "No custody event yet." })),
       h("section", { "aria-labelledby": "release-h" },
         h("h2", { id: "release-h", text: released ? "Release checklist (released)"
           : `Release checklist: ${list.releasable ? "ready to release" : "not releasable"}` }),
         h("p", { class: "source", text: `Release specification ${list.specification}` }),
         checklist, exception));
}

// A physician accepts a failed or missing criterion the clinic's specification allows, for the
// result shown, signing with their password again.
function exceptionForm(productId, items, signed) {
  const criterion = h("select", { "data-field": "criterion" },
    items.map((c) => h("option", { value: c.criterion, text: `${c.criterion}: ${c.observed}` })));
  const reason = h("textarea", { rows: 2, required: true, "data-field": "reason" });
  const password = h("input", { type: "password", autocomplete: "current-password",
                                required: true, "data-field": "password" });
  const status = h("p", { class: "status", role: "status" });
  const form = recordForm("Sign a release exception", [
    h("p", { class: "muted", text: "The clinic's release specification allows these criteria " +
      "to be accepted by a physician. The exception covers the result shown only; " +
      "your password again signs it." }),
    ...field("exception-criterion", "Criterion", criterion),
    ...field("exception-reason", "Reason", reason),
    ...field("exception-password", "Password", password)],
  async () => {
    await api("POST", `/products/${productId}/exceptions`,
              { criterion: criterion.value, reason: reason.value, password: password.value });
    password.value = "";
    await signed();
    return "";
  }, status);
  form.querySelector("button[type=submit]").textContent = "Sign exception";
  form.append(status);
  return form;
}

// --- planning page ---------------------------------------------------------------------------

// One month as a 7-column grid, Monday first, with the plan's items on their days.
function monthGrid(year, month, byDay) {
  const first = new Date(Date.UTC(year, month, 1));
  const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7;
  const rows = [];
  let row = [];
  for (let i = 0; i < lead; i++) row.push(h("td", {}));
  for (let d = 1; d <= days; d++) {
    const key = `${year}-${String(month + 1).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    const items = byDay.get(key) || [];
    row.push(h("td", { class: items.length ? `busy kind-${items[0].kind}` : "", "data-date": key },
      h("span", { class: "day", text: String(d) }),
      items.map((i) => h("span", { class: "item", title: i.details.join("\n"), text: i.label }))));
    if (row.length === 7) { rows.push(h("tr", {}, row)); row = []; }
  }
  if (row.length) rows.push(h("tr", {}, row));
  const name = first.toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
  return h("table", { class: "month", "aria-label": name },
    h("caption", { text: name }),
    h("thead", {}, h("tr", {}, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((t) =>
      h("th", { scope: "col", text: t })))),
    h("tbody", {}, rows));
}

export async function renderPlan(id, show) {
  show(h("p", { class: "muted", text: "Loading…" }));
  let plan;
  try {
    plan = await api("GET", `/plans/${id}`);
  } catch (err) {
    show(h("h1", { text: `Plan ${id}` }), errorBox(err));
    return;
  }
  const byDay = new Map();
  for (const item of plan.items) {
    if (!byDay.has(item.date)) byDay.set(item.date, []);
    byDay.get(item.date).push(item);
  }
  // The months of the treatment itself (the yearly visits are in the list below).
  const months = [];
  const treatment = plan.items.filter((i) => i.kind !== "visit" || i.label.startsWith("Day"));
  const end = treatment.length ? treatment[treatment.length - 1].date : plan.start;
  let [y, m] = plan.items[0].date.split("-").map(Number);
  const [ey, em] = end.split("-").map(Number);
  while (y < ey || (y === ey && m <= em)) {
    months.push(monthGrid(y, m - 1, byDay));
    if (++m > 12) { m = 1; y++; }
  }
  const given = new Set(plan.administered_items || []);
  const list = h("table", { "aria-label": "Schedule" },
    h("thead", {}, h("tr", {}, ["#", "Date", "What", "Cells", "Notes"].map((t) =>
      h("th", { scope: "col", text: t })))),
    h("tbody", {}, plan.items.map((i) => h("tr", {},
      h("td", { class: "num", text: String(i.seq) }), h("td", { text: i.date }),
      h("td", { text: i.label + (given.has(i.seq) ? " (given)" : "") }),
      h("td", { class: "num", text: i.cells ? cells(i.cells) : "" }),
      h("td", { class: "muted", text: i.moved_because ? `moved from ${i.requested_date}: ${i.moved_because}`
                                                       : i.details.join("; ") })))));
  show(h("h1", { text: `Plan ${plan.id}: ${plan.template.id} for ` +
                       (plan.patient_identity || `patient ${plan.patient_id}`) }),
       h("p", {}, `Dose ${cells(plan.dose.cells_per_administration)} cells × ${plan.dose.administrations}`,
         ` = ${cells(plan.dose.total_cells)} cells of ${plan.dose.product_type} at ${fmt(plan.weight_kg)} kg `,
         `(bank fallback ${plan.dose.bank_product_type}). Calendar: ${plan.calendar}. `,
         h("a", { href: `/api/v1/plans/${plan.id}?format=ics`, download: `plan-${plan.id}.ics`,
                  text: "Download iCalendar" })),
       h("p", { class: "source", text: `Dose source: ${plan.dose.source}` }),
       h("div", { class: "months" }, months), list);
}

// --- bedside ---------------------------------------------------------------------------------

export function renderBedside(show) {
  const wristband = h("input", { id: "wristband", autocomplete: "off", "data-field": "wristband" });
  const din = h("input", { id: "din", autocomplete: "off", "data-field": "din" });
  const verdict = h("div", { class: "verdict", role: "status", "aria-live": "assertive" });
  const confirm = h("div", {});
  const reset = () => {
    wristband.value = "";
    din.value = "";
    verdict.replaceChildren();
    confirm.replaceChildren();
    wristband.focus();
  };
  const check = async () => {
    verdict.replaceChildren(h("p", { class: "muted", text: "Checking…" }));
    confirm.replaceChildren();
    let v;
    try {
      v = await api("POST", "/bedside/verify", { wristband: wristband.value.trim(), din: din.value.trim() });
    } catch (err) {
      verdict.replaceChildren(errorBox(err));
      return;
    }
    verdict.replaceChildren(
      h("p", { class: v.match ? "match" : "stop", role: v.match ? null : "alert",
               text: v.match ? "MATCH — this bag is for this patient and due now"
                             : `STOP — do not give: ${v.reason}` }),
      h("ul", { class: "checks" }, v.checks.map((c) =>
        h("li", { class: c.ok ? "ok" : "fail" }, `${c.ok ? "✓" : "✗"} ${c.check}: ${c.detail}`))));
    if (v.match) confirm.replaceChildren(secondSigner(wristband.value.trim(), din.value.trim(), verdict, reset));
  };
  // A scanner types fast and ends with Enter: Enter moves on from the wristband and checks on
  // the DIN.
  wristband.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); if (wristband.value.trim()) din.focus(); }
  });
  din.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); if (din.value.trim()) check(); }
  });
  show(h("h1", { text: "Bedside check" }),
       h("p", { class: "muted", text: "Scan the patient's wristband, then the bag's DIN. " +
         "A second member of staff confirms before the infusion." }),
       h("div", { class: "scan" },
         h("label", { for: "wristband", text: "Wristband" }), wristband,
         h("label", { for: "din", text: "Product DIN" }), din,
         h("button", { type: "button", onclick: check, text: "Check" }),
         h("button", { type: "button", onclick: reset, text: "Next patient" })),
       verdict, confirm);
  wristband.focus();
}

function secondSigner(wristband, din, verdict, reset) {
  const username = h("input", { id: "second-user", autocomplete: "off", "data-field": "second_username" });
  const password = h("input", { id: "second-password", type: "password", autocomplete: "off",
                                "data-field": "second_password" });
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "panel", "aria-label": "Second signature" },
    h("h2", { text: "Second member of staff" }),
    h("label", { for: "second-user", text: "User name" }), username,
    h("label", { for: "second-password", text: "Password" }), password,
    h("p", {}, h("button", { type: "submit", text: "Confirm and record the administration" })),
    message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    try {
      const given = await api("POST", "/bedside/administer", {
        wristband, din, second_username: username.value.trim(), second_password: password.value });
      form.replaceWith(h("p", { class: "match", role: "status",
        text: `Given: plan item ${given.plan_item}, confirmed by ${given.administration.second_signer}.` }));
    } catch (err) {
      message.textContent = err.message;
      password.value = "";
      password.focus();
    }
  });
  setTimeout(() => username.focus(), 0);
  return form;
}

export function mayAdminister() {
  const u = user();
  return u && MAY_ADMINISTER.includes(u.role);
}
