// LiverCell's web UI: log-in, patient list, patient page (lab trends, score history, events,
// forms) and the cohort's survival. Talks only to this server's /api/v1 with the session
// cookie (HttpOnly, SameSite=Strict); every check on what is recorded is the server's, so the
// UI shows the API's own messages (field, value and what was allowed).
import { trendChart, survivalChart } from "./charts.js";
import { treatmentSection, renderProduct, renderPlan, renderBedside, mayAdminister } from "./products.js";

const main = document.getElementById("main");

// The labs charted on the patient page (issue #6), by catalogue key.
const CHARTED_LABS = ["bilirubin", "albumin", "inr", "creatinine", "sodium", "platelets"];
// The scores whose history is charted, with the key of their value.
const CHARTED_SCORES = [
  ["child_pugh", "Child-Pugh", "points"],
  ["meld_3", "MELD 3.0", "score"],
  ["albi", "ALBI", "score"],
];
const EQ5D_DIMENSIONS = ["Mobility", "Self-care", "Usual activities", "Pain / discomfort",
                         "Anxiety / depression"];
// Who may record what (the server's table in access/roles.cc decides; this only hides forms
// a role could not submit).
const MAY_RECORD_LABS = ["physician", "nurse", "lab"];
const MAY_RECORD_VISITS = ["physician", "nurse"];
const MAY_READ_ASSESSMENTS = ["physician", "nurse"];
// Least privilege (docs/roles.md): the lab reads labs, cell-processing the treatment (plans
// and products), neither the clinical record.
const MAY_READ_LABS = ["physician", "nurse", "lab", "researcher"];
const MAY_READ_CLINICAL = ["physician", "nurse", "researcher"];
const MAY_READ_TREATMENT = ["physician", "nurse", "cell-processing"];
const MAY_SIGN_ASSESSMENTS = ["physician"];
const DECISION_TEXT = {
  eligible: "Eligible for the clinic's cell-therapy protocol",
  eligible_after_antiviral: "Eligible after antiviral therapy has started",
  refer_transplant: "Refer for transplant evaluation instead",
  not_eligible: "Not eligible",
  incomplete: "Incomplete: the inputs below decide it",
};

// --- small helpers ---------------------------------------------------------------------------

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function user() {
  const text = sessionStorage.getItem("livercell.user");
  return text ? JSON.parse(text) : null;
}

class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: "same-origin", headers: { ...headers } };
  // Every change is JSON, even without a body: the server refuses a cookie-authenticated
  // change that is not (a cross-site form could otherwise post one).
  if (body !== undefined || method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  const res = await fetch(`/api/v1${path}`, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (res.status === 401 && path !== "/session") {
    sessionStorage.removeItem("livercell.user");
    location.hash = "#/login";
    throw new Problem(401, data || {});
  }
  if (!res.ok) throw new Problem(res.status, data || {});
  return data;
}

function seconds(time) {
  return Date.parse(time.length === 10 ? `${time}T00:00:00Z` : time) / 1000;
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

export function fmt(value) {
  if (value === null || value === undefined) return "—";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

// Every route() is one navigation, and its page is drawn with a `show` bound to it: when the
// data of a page arrives after the user has moved on (searched again, opened a patient), it
// must not replace the page they moved to. `show` says whether it drew.
let navigation = 0;

function showFor(mine) {
  return (...nodes) => {
    if (mine !== navigation) return false;
    const kept = nodes.filter((n) => n !== null && n !== undefined);
    // A redraw that keeps the control being typed in (the search box while the list loads)
    // leaves the focus there; a new page takes it to its start.
    const active = document.activeElement;
    const typing = active !== main && kept.some((n) => n instanceof Node && n.contains(active));
    main.replaceChildren(...kept);
    if (typing) active.focus(); else main.focus();
    return true;
  };
}

function identifiersText(patient) {
  return patient.identifiers.map((i) => `${i.system}:${i.value}`).join(", ");
}

export function errorBox(err) {
  return h("p", { class: "error", role: "alert", text: err.message });
}

// --- log-in ----------------------------------------------------------------------------------

function renderLogin(show) {
  document.getElementById("nav").hidden = true;
  const message = h("p", { role: "alert", class: "error" });
  const form = h("form", { class: "login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title", text: "Log in to LiverCell" }),
    h("label", { for: "username", text: "User name" }),
    h("input", { id: "username", name: "username", autocomplete: "username", required: true }),
    h("label", { for: "password", text: "Password" }),
    h("input", { id: "password", name: "password", type: "password",
                 autocomplete: "current-password", required: true }),
    h("p", {}, h("button", { type: "submit", text: "Log in" })),
    message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    try {
      const session = await api("POST", "/session", {
        username: form.username.value, password: form.password.value });
      sessionStorage.setItem("livercell.user",
                             JSON.stringify({ username: session.username, role: session.role }));
      location.hash = "#/patients";
    } catch (err) {
      message.textContent = err.message;
      form.password.value = "";
      form.password.focus();
    }
  });
  show(form);
  form.username.focus();
}

// --- patient list ----------------------------------------------------------------------------

async function renderPatients(params, show) {
  const q = params.get("q") || "";
  const offset = Number(params.get("offset") || 0);
  const limit = 25;
  const deidentified = user().role === "researcher";
  const search = h("form", { class: "row", role: "search" },
    h("div", {},
      h("label", { for: "q", text: "Search by identifier (MRN, trial ID, PBC number…)" }),
      h("input", { id: "q", name: "q", value: q, type: "search", disabled: deidentified })),
    h("button", { type: "submit", text: "Search", disabled: deidentified }));
  search.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/patients?q=${encodeURIComponent(search.q.value.trim())}`;
  });
  const heading = h("h1", { text: "Patients" });
  show(heading, search, h("p", { class: "muted", text: "Loading…" }));
  let page;
  try {
    page = await api("GET", `/patients?limit=${limit}&offset=${offset}&q=${encodeURIComponent(q)}`);
  } catch (err) {
    show(heading, search, errorBox(err));
    return;
  }
  const rows = page.items.map((p) => h("tr", {},
    h("td", {}, h("a", { href: `#/patients/${p.id}`, text: String(p.id) })),
    h("td", { text: deidentified ? "de-identified" : (p.identity || identifiersText(p)) }),
    h("td", { text: p.sex || "—" }),
    h("td", { text: deidentified ? `${fmt(p.age_years)} y${p.age_capped ? " or more" : ""}`
                                 : (p.birth_date || "—") }),
    h("td", { text: p.aetiology_icd10 || "—" })));
  const table = h("table", {},
    h("caption", { class: "muted",
                   text: `${page.total} patient${page.total === 1 ? "" : "s"}` +
                         (q ? ` matching “${q}”` : "") }),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: "ID" }),
      h("th", { scope: "col", text: "Identifiers" }),
      h("th", { scope: "col", text: "Sex" }),
      h("th", { scope: "col", text: deidentified ? "Age" : "Born" }),
      h("th", { scope: "col", text: "Aetiology (ICD-10)" }))),
    h("tbody", {}, rows));
  const pageLink = (to, text) => h("a", {
    href: `#/patients?q=${encodeURIComponent(q)}&offset=${to}`, text });
  const pager = h("p", { class: "pager" },
    offset > 0 ? pageLink(Math.max(0, offset - limit), "← Previous") : null,
    h("span", { class: "muted",
                text: page.total ? `${offset + 1}–${offset + page.items.length} of ${page.total}`
                                 : "no patients" }),
    offset + limit < page.total ? pageLink(offset + limit, "Next →") : null);
  show(heading, search, page.items.length ? table : h("p", { class: "empty",
       text: "No patient has an identifier starting with that." }), pager);
}

// --- patient page ----------------------------------------------------------------------------

let catalogue = null;

async function renderPatient(id, show) {
  show(h("p", { class: "muted", text: "Loading…" }));
  // What the charts and the timeline show, as far as the role may read them; read again
  // after each recorded value.
  const role = user().role;
  const readsLabs = MAY_READ_LABS.includes(role);
  const readsClinical = MAY_READ_CLINICAL.includes(role);
  const none = Promise.resolve(null);
  const records = () => Promise.all([readsLabs ? api("GET", `/patients/${id}/labs`) : none,
                                     readsClinical ? api("GET", `/patients/${id}/events`) : none,
                                     readsClinical ? api("GET", `/patients/${id}/scores`) : none]);
  let patient, labs, events, scores;
  try {
    [patient, [labs, events, scores]] = await Promise.all([api("GET", `/patients/${id}`),
                                                           records()]);
    catalogue = catalogue || await api("GET", "/catalogue");
  } catch (err) {
    show(h("h1", { text: `Patient ${id}` }), errorBox(err));
    return;
  }
  const title = patient.deidentified ? `Patient ${id} (de-identified)`
    : `Patient ${id} — ${patient.identity || identifiersText(patient)}`;
  const facts = h("div", { class: "facts" },
    fact("Sex", patient.sex),
    patient.deidentified ? fact("Age", `${fmt(patient.age_years)} years`)
                         : fact("Born", patient.birth_date),
    // An identity-only reader (lab, cell-processing) is not sent the conditions.
    "aetiology_icd10" in patient ? fact("Aetiology (ICD-10)", patient.aetiology_icd10) : null,
    "ecog" in patient ? fact("ECOG", patient.ecog) : null,
    patient.deidentified ? null : fact("Source", patient.provenance));
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const labSection = h("section", { "aria-labelledby": "labs-h" },
    h("h2", { id: "labs-h", text: "Lab trends" }));
  const scoreSection = h("section", { "aria-labelledby": "scores-h" },
    h("h2", { id: "scores-h", text: "Score history" }));
  const eventSection = h("section", { "aria-labelledby": "events-h" },
    h("h2", { id: "events-h", text: "Events" }));
  const forms = h("section", { "aria-labelledby": "record-h" },
    h("h2", { id: "record-h", text: "Record" }), status);
  const formGrid = h("div", { class: "forms" });
  forms.append(formGrid);

  const draw = () => {
    if (labs) drawLabs(labSection, labs.items);
    if (scores) drawScores(scoreSection, scores);
    if (events) drawEvents(eventSection, events.items, labs ? labs.items : []);
  };
  const assessState = { stated: null };
  let assessSection = null;
  const reassess = () => assessmentPanel(assessSection, id, MAY_SIGN_ASSESSMENTS.includes(role),
                                         assessState)
    .catch((err) => replaceBody(assessSection, errorBox(err)));
  const refreshed = [];  // forms whose choices follow the records (the correction form)
  const refresh = async () => {
    [labs, events, scores] = await records();
    draw();
    refreshed.forEach((fill) => fill());
    if (assessSection) await reassess();
  };
  if (MAY_RECORD_LABS.includes(role)) formGrid.append(labForm(id, status, refresh));
  if (MAY_RECORD_VISITS.includes(role)) {
    formGrid.append(eventForm(id, status, refresh), visitForm(id, status, refresh));
  }
  if (MAY_RECORD_LABS.includes(role)) {
    const fix = correctionForm(id, status, refresh,
                               () => [labs.items, events ? events.items : []],
                               MAY_RECORD_VISITS.includes(role));
    refreshed.push(fix.refill);
    formGrid.append(fix);
  }
  assessSection = MAY_READ_ASSESSMENTS.includes(role)
    ? h("section", { "aria-labelledby": "assess-h" },
      h("h2", { id: "assess-h", text: "Candidacy assessment" }))
    : null;
  const anchor = h("div");  // where the treatment goes once read
  if (!show(h("h1", { text: title }), facts, assessSection, labs ? labSection : null,
            scores ? scoreSection : null, events ? eventSection : null, anchor,
            formGrid.children.length ? forms : null)) {
    return;  // the user has moved on
  }
  draw();
  if (assessSection) reassess();
  if (!patient.deidentified && MAY_READ_TREATMENT.includes(role)) {
    const treatment = await treatmentSection(id);
    if (main.contains(anchor)) anchor.replaceWith(treatment);
  }
}

// --- candidacy assessment --------------------------------------------------------------------

// The decision first, then the rules that fired, the missing inputs as a to-do list (with a
// control for each the physician can state), stale labs, recommendations, the rules that did
// not apply, and the protocol. Physicians preview as they answer the to-do list and sign with
// their password; everyone else sees the latest signed assessment.
async function assessmentPanel(section, id, maySign, state) {
  const history = await api("GET", `/patients/${id}/assessments`);
  const latest = history.items[0];
  if (!maySign) {
    replaceBody(section, latest ? assessmentView(latest.result, latest)
      : h("p", { class: "empty", text: "No assessment yet." }));
    return;
  }
  // What the physician has stated survives a refresh after a new lab or event.
  state.stated = state.stated || (latest ? statedInputs(latest.input) : {});
  const stated = state.stated;
  const body = h("div");
  replaceBody(section, body);
  const preview = async () => {
    const shown = await api("POST", `/patients/${id}/assessments`, { preview: true, inputs: stated });
    const todo = todoList(shown.result.missing, stated, () => preview().catch(report));
    body.replaceChildren(
      assessmentView(shown.result, null, todo),
      signForm(id, stated, async (saved) => {
        body.replaceChildren(assessmentView(saved.result, saved));
      }));
  };
  const report = (err) => body.prepend(errorBox(err));
  await preview();
}

// What a stored input says beyond the registry: kept so the physician need not answer again.
function statedInputs(input) {
  const out = {};
  for (const [k, v] of Object.entries(input || {})) {
    if (!["labs", "sex", "age_years", "edema", "dialysis_twice_past_week"].includes(k)) out[k] = v;
  }
  return out;
}

function setPath(object, path, value) {
  const parts = path.split(".");
  let at = object;
  for (const part of parts.slice(0, -1)) at = at[part] = at[part] || {};
  if (value === undefined) delete at[parts.at(-1)];
  else at[parts.at(-1)] = value;
}

function inputControl(info, onChange) {
  const choose = (options) => {
    const select = h("select", { "data-field": info.name },
      h("option", { value: "", text: "— not known —" }),
      options.map(([value, text]) => h("option", { value, text })));
    select.addEventListener("change", () => onChange(select.value === "" ? undefined
      : JSON.parse(select.value)));
    return select;
  };
  if (info.kind === "yes/no") return choose([["true", "yes"], ["false", "no"]]);
  if (info.kind === "a word") return choose(info.allowed.map((w) => [JSON.stringify(w), w]));
  if (info.kind === "a set of words") {
    return choose(info.allowed.map((w) => [JSON.stringify([w]), w]));
  }
  const input = h("input", { type: "number", step: "any", "data-field": info.name,
                             inputmode: "decimal" });
  input.addEventListener("change", () => onChange(input.value === "" ? undefined
    : Number(input.value)));
  return input;
}

function todoList(missing, stated, changed) {
  if (!missing.length) return null;
  const known = new Map(catalogue.assessment_inputs.map((f) => [f.name, f]));
  return h("div", { class: "todo" },
    h("h3", { text: "Missing inputs — to do" }),
    h("ul", {}, missing.map((name, i) => {
      const info = known.get(name);
      if (name.startsWith("labs.") || !info) {
        return h("li", {}, h("span", { class: "box", "aria-hidden": "true", text: "☐" }),
          ` ${name}: record a current lab result (form below)`);
      }
      const control = inputControl(info, (value) => {
        setPath(stated, name, value);
        changed();
      });
      control.id = `todo-${i}`;
      return h("li", {}, h("label", { for: control.id },
        h("span", { class: "box", "aria-hidden": "true", text: "☐" }),
        ` ${info.description} (${name})`), control);
    })));
}

function ruleRow(rule) {
  const inputs = Object.entries(rule.inputs)
    .map(([k, v]) => `${k} = ${v === null ? "?" : Array.isArray(v) ? v.join(", ")
      : typeof v === "number" ? fmt(v) : String(v)}`)
    .join("; ");
  return h("tr", { class: `rule-${rule.result}` },
    h("td", { text: rule.id }),
    h("td", { text: { true: "applies", false: "does not apply", unknown: "unknown" }[rule.result] }),
    h("td", { text: rule.effect.replaceAll("_", " ") }),
    h("td", {}, rule.text, h("div", { class: "source", text: inputs })),
    h("td", { class: "source", text: rule.source }));
}

function assessmentView(result, stored, todo) {
  const order = { true: 0, unknown: 1, false: 2 };
  const rules = [...result.rules].sort((a, b) => order[a.result] - order[b.result]);
  const stage = result.stage;
  const signed = stored
    ? `Signed by ${stored.signed_by || "no one (command line)"} on ${stored.assessed_at}`
    : "Preview — not signed";
  return h("div", { class: "assessment" },
    h("p", { class: `decision decision-${result.decision}`, role: "status",
             text: DECISION_TEXT[result.decision] || result.decision }),
    h("p", { class: "muted", text:
      `${stage.compensated === null ? "Compensation unknown" : stage.compensated
        ? "Compensated" : "Decompensated"}; D'Amico stage ${stage.damico ?? "unknown"}${
        stage.set_by && stage.set_by.length ? ` (set by ${stage.set_by.join(", ")})` : ""}. ${signed}.` }),
    result.protocol && result.protocol.treatment_status
      ? h("p", { class: "treatment-status", role: "note",
                 text: `Treatment: ${result.protocol.treatment_status}` }) : null,
    todo || null,
    result.stale && result.stale.length ? h("div", { class: "stale" },
      h("h3", { text: "Left out as too old" }),
      h("ul", {}, result.stale.map((s) => h("li", {
        text: `${s.input} of ${s.time}: ${s.age_days} days old (the protocol allows ${s.max_age_days})` })))) : null,
    result.recommendations.length ? h("div", {},
      h("h3", { text: "Recommendations" }),
      h("ul", {}, result.recommendations.map((r) => h("li", {}, r.text,
        h("span", { class: "source", text: ` — ${r.source}` }))))) : null,
    h("table", { class: "rules" },
      h("caption", { text: "Rule trace (rules that apply first)" }),
      h("thead", {}, h("tr", {}, ["Rule", "Result", "Leads to", "Condition and inputs", "Source"]
        .map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, rules.map(ruleRow))),
    h("p", { class: "source", text:
      `Protocol ${result.protocol.id} ${result.protocol.version} (sha256 ${result.protocol.sha256.slice(0, 12)}…)` }));
}

function signForm(id, stated, signed) {
  const password = h("input", { type: "password", autocomplete: "current-password",
                                "data-field": "password" });
  const status = h("p", { class: "status", role: "status" });
  const form = recordForm("Sign this assessment", [
    h("p", { class: "muted", text: "Your password again confirms that you sign it." }),
    ...field("sign-password", "Password", password)],
  async () => {
    const saved = await api("POST", `/patients/${id}/assessments`,
                            { inputs: stated, password: password.value });
    password.value = "";
    await signed(saved);
    return "";
  }, status);
  form.querySelector("button[type=submit]").textContent = "Sign";
  return form;
}

// A labelled value; a node (a link) is shown as itself, anything else as text.
export function fact(name, value) {
  return h("div", {}, h("span", { text: name }), value === null || value === undefined ? "—"
                                                                                      : value);
}

function replaceBody(section, node) {
  while (section.children.length > 1) section.lastChild.remove();
  section.append(node);
}

function drawLabs(section, items) {
  const grid = h("div", { class: "grid" });
  replaceBody(section, grid);
  for (const key of CHARTED_LABS) {
    const info = catalogue.labs.find((l) => l.key === key);
    const points = items.filter((l) => l.name === key)
      .map((l) => ({ t: seconds(l.time), v: l.canonical_value ?? l.value, time: l.time }))
      .sort((a, b) => a.t - b.t);
    const last = points[points.length - 1];
    const fig = trendChart(grid, {
      title: info ? info.title : key,
      unit: info ? info.canonical_unit : "",
      times: points.map((p) => p.t),
      values: points.map((p) => p.v),
      note: last ? `latest ${fmt(last.v)} ${info.canonical_unit} on ${last.time}` : "",
    });
    fig.dataset.lab = key;
  }
}

function drawScores(section, scores) {
  const grid = h("div", { class: "grid" });
  const unavailable = scores.current.scores.unavailable || {};
  replaceBody(section, grid);
  for (const [key, title, valueKey] of CHARTED_SCORES) {
    const points = scores.history.filter((e) => e.scores[key])
      .map((e) => ({ t: seconds(e.time), v: e.scores[key][valueKey] }));
    const current = scores.current.scores[key];
    const band = scores.bands[key];
    const categoryKey = key === "child_pugh" ? "class" : "grade";
    const note = current
      ? `now ${fmt(current[valueKey])}${current[categoryKey] !== undefined
          ? ` (${key === "albi" ? "grade" : "class"} ${current[categoryKey]})` : ""} — ${current.source}`
      : "";
    const fig = trendChart(grid, {
      title, unit: valueKey === "points" ? "points" : "",
      times: points.map((p) => p.t), values: points.map((p) => p.v), note,
      bands: band ? band.bands : null,
      empty: unavailable[key] ? `Not available: the record lacks ${unavailable[key].join(", ")}.`
                              : "No values.",
    });
    fig.dataset.score = key;
  }
}

// The timeline spans the patient's follow-up: the first lab or event to the last.
function drawEvents(section, items, labs) {
  if (!items.length) {
    replaceBody(section, h("p", { class: "empty", text: "No events recorded." }));
    return;
  }
  const times = items.map((e) => seconds(e.time));
  const span_times = times.concat(labs.map((l) => seconds(l.time)));
  const lo = Math.min(...span_times), hi = Math.max(...span_times);
  const span = hi - lo || 1;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 1000 70");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Events over time; the table below lists them");
  const axis = document.createElementNS(ns, "line");
  Object.entries({ x1: 20, x2: 980, y1: 40, y2: 40, stroke: "#7a8793" })
    .forEach(([k, v]) => axis.setAttribute(k, v));
  svg.append(axis);
  for (const [x, t, anchor] of [[20, lo, "start"], [980, hi, "end"]]) {
    const label = document.createElementNS(ns, "text");
    Object.entries({ x, y: 66, "font-size": 13, fill: "#4a5560", "text-anchor": anchor })
      .forEach(([k, v]) => label.setAttribute(k, v));
    label.textContent = new Date(t * 1000).toISOString().slice(0, 10);
    svg.append(label);
  }
  items.forEach((e, i) => {
    const dot = document.createElementNS(ns, "circle");
    const x = 20 + 960 * (times[i] - lo) / span;
    Object.entries({ cx: x, cy: 40, r: 7, fill: e.type === "death" ? "#1b1f24" : "#c2410c" })
      .forEach(([k, v]) => dot.setAttribute(k, v));
    const tip = document.createElementNS(ns, "title");
    tip.textContent = `${e.time} ${e.title}${e.grade ? ` grade ${e.grade}` : ""}`;
    dot.append(tip);
    svg.append(dot);
  });
  const table = h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Date" }),
      h("th", { scope: "col", text: "Event" }), h("th", { scope: "col", text: "Codes" }))),
    h("tbody", {}, items.map((e) => h("tr", {},
      h("td", { text: e.time }),
      h("td", { text: `${e.title}${e.grade ? ` (West Haven grade ${e.grade})` : ""}` }),
      h("td", { class: "muted", text: `ICD-10 ${e.icd10}${e.snomed ? `, SNOMED CT ${e.snomed}` : ""}` })))));
  replaceBody(section, h("div", { class: "timeline" }, svg, table));
}

// A form that posts to the API and shows its problem next to the field it names.
export function recordForm(titleText, fields, submit, status) {
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "panel", novalidate: true, "aria-label": titleText },
    h("h3", { text: titleText }), ...fields, h("p", {}, h("button", { type: "submit",
                                                                      text: "Record" })),
    message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    status.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    form.querySelectorAll(".field-error").forEach((el) => el.remove());
    try {
      status.textContent = await submit(form);
    } catch (err) {
      const path = err.body && err.body.path ? err.body.path.replace(/\[.*$/, "") : "";
      const field = path && form.querySelector(`[data-field="${path}"]`);
      if (field) {
        field.setAttribute("aria-invalid", "true");
        const note = h("p", { class: "field-error", id: `${field.id}-error`, text: err.message });
        field.setAttribute("aria-describedby", note.id);
        field.after(note);
        field.focus();
      }
      message.textContent = field ? "Not recorded: see the marked field." : err.message;
    }
  });
  return form;
}

export function field(id, label, control) {
  control.id = id;
  return [h("label", { for: id, text: label }), control];
}

function labForm(id, status, refresh) {
  const analyte = h("select", { "data-field": "code" },
    catalogue.labs.map((l) => h("option", { value: l.key, text: l.title })));
  const unit = h("select", { "data-field": "unit" });
  const fillUnits = () => {
    const info = catalogue.labs.find((l) => l.key === analyte.value);
    unit.replaceChildren(...info.units.map((u) => h("option", { value: u.unit, text: u.unit })));
  };
  analyte.addEventListener("change", fillUnits);
  fillUnits();
  // Text, not type=number: a browser's number field turns "1,8" into 18 or into nothing
  // without a word; here the value is read as typed and a comma is refused by name.
  const value = h("input", { type: "text", required: true, "data-field": "value",
                             inputmode: "decimal", autocomplete: "off" });
  const time = h("input", { type: "date", value: today(), required: true, "data-field": "time" });
  // Shown when the delta check asks (the result is far from the previous one).
  const confirmBox = h("input", { id: "lab-confirm", type: "checkbox", "data-field": "confirm" });
  const confirmRow = h("p", { hidden: true },
    h("label", { for: "lab-confirm", text: "Yes, the result is right: record it " }), confirmBox);
  return recordForm("Lab result", [
    ...field("lab-analyte", "Test", analyte), ...field("lab-value", "Value", value),
    ...field("lab-unit", "Unit", unit), ...field("lab-time", "Date", time), confirmRow],
  async () => {
    const info = catalogue.labs.find((l) => l.key === analyte.value);
    const chosen = info.units.find((u) => u.unit === unit.value);
    const code = chosen.loinc || info.units.map((u) => u.loinc).find((c) => c);
    const typed = value.value.trim();
    if (typed.includes(",")) {
      throw new Problem(400, { path: "value", detail:
        `“${typed}”: write decimals with a point (${typed.replace(",", ".")}); nothing was recorded` });
    }
    const number = typed === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(typed)
      ? typed : Number(typed);
    try {
      await api("POST", `/patients/${id}/labs`,
                { code, value: number, unit: unit.value, time: time.value,
                  confirm: confirmBox.checked });
    } catch (err) {
      if (err.body && err.body.path === "confirm") confirmRow.hidden = false;
      throw err;
    }
    await refresh();
    value.value = "";
    confirmBox.checked = false;
    confirmRow.hidden = true;
    return `Recorded ${info.title} ${fmt(number)} ${unit.value} on ${time.value}.`;
  }, status);
}

// Corrections, never deletions (issue #22): a record entered in error is voided, a lab's
// value corrected by a new version; both keep the record, with who, when and why.
function correctionForm(id, status, refresh, current, mayCorrectEvents) {
  const record = h("select", { "data-field": "id" });
  const fill = () => {
    const [labItems, eventItems] = current();
    const options = labItems.slice(-30).reverse().map((l) => h("option", {
      value: `labs/${l.id}`, text: `${l.time} ${l.name} ${fmt(l.value)} ${l.unit}` }));
    if (mayCorrectEvents) {
      options.push(...eventItems.map((e) => h("option", {
        value: `events/${e.id}`, text: `${e.time} ${e.title}` })));
    }
    record.replaceChildren(...options);
  };
  fill();
  const action = h("select", { "data-field": "status" },
    h("option", { value: "entered-in-error", text: "Entered in error (void it)" }),
    h("option", { value: "amend", text: "Correct the lab value" }));
  const value = h("input", { type: "text", inputmode: "decimal", "data-field": "value",
                             autocomplete: "off" });
  const reason = h("input", { type: "text", required: true, "data-field": "reason" });
  const form = recordForm("Correct a record", [
    ...field("fix-record", "Record", record), ...field("fix-action", "Correction", action),
    ...field("fix-value", "Corrected value (labs)", value), ...field("fix-reason", "Why", reason)],
  async () => {
    const [kind, rid] = record.value.split("/");
    const path = `/patients/${id}/${kind}/${rid}`;
    if (action.value === "entered-in-error") {
      await api("PATCH", path, { status: "entered-in-error", reason: reason.value });
    } else {
      if (kind !== "labs") {
        throw new Problem(400, { path: "status", detail: "only a lab's value is corrected here; void the event and record it anew" });
      }
      const old = current()[0].find((l) => l.id === rid);
      const typed = value.value.trim();
      if (typed.includes(",")) {
        throw new Problem(400, { path: "value", detail: `“${typed}”: write decimals with a point (${typed.replace(",", ".")})` });
      }
      await api("PATCH", path, { code: old.code, unit: old.unit, time: old.time,
                                 value: typed === "" ? null : Number(typed),
                                 reason: reason.value }, { "If-Match": `"${rid}"` });
    }
    await refresh();
    reason.value = "";
    value.value = "";
    return action.value === "entered-in-error" ? "Marked as entered in error." : "Corrected.";
  }, status);
  form.refill = fill;
  return form;
}

function eventForm(id, status, refresh) {
  const type = h("select", { "data-field": "type" },
    catalogue.event_types.map((t) => h("option", { value: t.key, text: t.title })));
  const grade = h("select", { "data-field": "grade" },
    h("option", { value: "", text: "not assessed" }),
    [1, 2, 3, 4].map((g) => h("option", { value: String(g), text: `grade ${g}` })));
  const gradeBox = h("div", {}, ...field("event-grade", "West Haven grade", grade));
  const sync = () => {
    gradeBox.hidden = !catalogue.event_types.find((t) => t.key === type.value).graded;
  };
  type.addEventListener("change", sync);
  sync();
  const time = h("input", { type: "date", value: today(), required: true, "data-field": "time" });
  return recordForm("Clinical event", [
    ...field("event-type", "Event", type), gradeBox, ...field("event-time", "Date", time)],
  async () => {
    const body = { type: type.value, time: time.value };
    if (!gradeBox.hidden && grade.value) body.grade = Number(grade.value);
    const saved = await api("POST", `/patients/${id}/events`, body);
    await refresh();
    return `Recorded ${saved.title} on ${saved.time}.`;
  }, status);
}

function visitForm(id, status, refresh) {
  const time = h("input", { type: "date", value: today(), required: true, "data-field": "time" });
  const levels = EQ5D_DIMENSIONS.map((name, i) => h("select", { "data-field": "eq5d5l" },
    [1, 2, 3, 4, 5].map((l) => h("option", { value: String(l),
      text: `${l} — ${["no", "slight", "moderate", "severe", "extreme"][l - 1]} problems` }))));
  return recordForm("Visit: quality of life (EQ-5D-5L)", [
    ...field("visit-time", "Visit date", time),
    ...levels.flatMap((s, i) => field(`visit-eq5d-${i}`, EQ5D_DIMENSIONS[i], s))],
  async () => {
    const saved = await api("POST", `/patients/${id}/qol`,
                            { time: time.value, eq5d5l: levels.map((s) => Number(s.value)) });
    await refresh();
    return `Recorded the visit of ${saved.time}: EQ-5D-5L profile ${saved.eq5d5l_profile}.`;
  }, status);
}

// --- cohort ----------------------------------------------------------------------------------

async function renderCohort(params, show) {
  const by = params.get("by") || "";
  const select = h("select", { id: "by" },
    [["", "whole cohort"], ["sex", "sex"], ["aetiology", "aetiology"]].map(([v, t]) =>
      h("option", { value: v, text: t, selected: v === by })));
  select.addEventListener("change", () => { location.hash = `#/cohort?by=${select.value}`; });
  const heading = h("h1", { text: "Cohort survival" });
  const controls = h("div", {}, h("label", { for: "by", text: "Curves by" }), select);
  show(heading, controls, h("p", { class: "muted", text: "Loading…" }));
  let km;
  try {
    km = await api("GET", `/cohort/survival?by=${by}`);
  } catch (err) {
    show(heading, controls, errorBox(err));
    return;
  }
  const chart = h("div");
  const ci = (s) => s.median === null ? "not reached"
    : `${fmt(s.median)} y (95% CI ${fmt(s.median_lower)}–${s.median_upper === null ? "not reached"
                                                                               : fmt(s.median_upper)} y)`;
  const table = h("table", { "aria-label": "Median survival by group" },
    h("thead", {}, h("tr", {}, ["Group", "Patients", "Deaths", "Median survival"].map((t) =>
      h("th", { scope: "col", text: t })))),
    h("tbody", {}, km.strata.map((s) => h("tr", {},
      h("td", { text: s.name }), h("td", { class: "num", text: String(s.n) }),
      h("td", { class: "num", text: String(s.n_event) }), h("td", { text: ci(s) })))));
  show(heading, controls, chart, table,
       h("p", { class: "source", text: `Endpoint: ${km.endpoint}. Origin: ${km.origin}. ` +
         `${km.method}. ${km.n_excluded} patients without a dated record are left out.` }));
  survivalChart(chart, { title: "Kaplan–Meier survival", strata: km.strata });
}

// --- outcomes ---------------------------------------------------------------------------------

// specs/outcomes.md: responders per endpoint and time point with their definitions, the clinic's
// proportions beside every published trial arm, transplant-free survival from the first
// administration, and the claims of advertising with what was found for them (issue #24).
async function renderOutcomes(params, show) {
  const by = params.get("by") === "stage" ? "stage" : "all";
  const select = h("select", { id: "outcomes-by" },
    [["all", "all treated patients"], ["stage", "compensated / decompensated at the first infusion"]]
      .map(([v, t]) => h("option", { value: v, text: t, selected: v === by })));
  select.addEventListener("change", () => { location.hash = `#/outcomes?by=${select.value}`; });
  const heading = h("h1", { text: "Outcomes of treated patients" });
  const controls = h("div", {}, h("label", { for: "outcomes-by", text: "Subgroups" }), select);
  show(heading, controls, h("p", { class: "muted", text: "Loading…" }));
  let doc;
  try {
    doc = await api("GET", `/outcomes?by=${by}`);
  } catch (err) {
    show(heading, controls, errorBox(err));
    return;
  }
  const definitions = new Map(doc.definitions.endpoints.map((d) => [d.id, d]));
  const pct = (p) => p.proportion === null ? `${p.x}/${p.n}`
    : `${p.x}/${p.n} = ${fmt(100 * p.proportion)}% (95% CI ${fmt(100 * p.ci95[0])}–${fmt(100 * p.ci95[1])}%)`;
  const responders = h("table", { class: "outcomes", "aria-label": "Responders per endpoint and time point" },
    h("thead", {}, h("tr", {}, ["Endpoint", "Day", "Subgroup", "Eligible", "Responders",
      "Non-responders", "Failed", "Missing", "Complete case", "Failures as non-response", "Worst case"]
      .map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, doc.endpoints.map((e) => h("tr", {},
      h("td", { title: definitions.get(e.id)?.text || "", text: e.id }),
      h("td", { class: "num", text: `${e.time_point_days} ± ${e.window_days}` }),
      h("td", { text: e.subgroup }),
      ...[e.eligible, e.responders, e.non_responders, e.failed, e.missing].map((n) =>
        h("td", { class: "num", text: String(n) })),
      h("td", { text: pct(e.complete_case) }), h("td", { text: pct(e.failures_as_non_response) }),
      h("td", { text: pct(e.worst_case) })))));
  const defs = h("dl", { class: "definitions" }, doc.definitions.endpoints.flatMap((d) => [
    h("dt", { text: d.id }), h("dd", {}, d.text, h("div", { class: "source", text: `Source: ${d.source}` }))]));
  const notEligible = doc.not_eligible.length ? h("ul", {}, doc.not_eligible.map((n) =>
    h("li", { text: `${n.id}: ${n.patients} treated patients not classed — ${n.reason}` }))) : null;
  const text = (v) => v === null || v === undefined ? "" : String(v);
  const evidence = h("table", { class: "evidence", "aria-label": "Published trial arms" },
    h("thead", {}, h("tr", {}, ["Trial", "Design", "n", "Endpoint", "Effect", "95% CI", "Source"]
      .map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, doc.evidence.map((a) => h("tr", {},
      h("td", { text: text(a.trial) }), h("td", { text: text(a.design) }),
      h("td", { class: "num", text: text(a.n) }), h("td", { text: text(a.endpoint) }),
      h("td", { text: text(a.effect) || "not found" }),
      h("td", { text: a.ci95[0] === null ? "" : `${a.ci95[0]} to ${a.ci95[1]}` }),
      h("td", { class: "source", text: text(a.source) })))));
  const claims = h("ul", { class: "claims" }, doc.claims.map((c) =>
    h("li", {}, `“${c.text}” — `, h("strong", { text: c.status }))));
  const chart = h("div");
  const forest = h("img", { src: `/api/v1/outcomes/forest.svg?by=${by}`, class: "forest",
    alt: "The clinic's proportion of responders with 95% intervals for each endpoint and time point, beside the published trial arms" });
  show(heading,
       h("p", { class: "treatment-status", role: "note", text: `Treatment: ${doc.treatment_status}` }),
       controls,
       h("p", { text: `${doc.treated} treated patients (${doc.untreated} untreated not counted). ` +
         `Definitions ${doc.definitions.id} ${doc.definitions.version}. A response means exactly ` +
         "the definition beside it; these are this clinic's observations, without a control group." }),
       h("h2", { text: "Beside the published evidence" }), forest,
       h("h2", { text: "Responders per time point" }), responders, notEligible,
       h("h2", { text: "Definitions" }), defs,
       h("h2", { text: "Transplant-free survival from the first administration" }), chart,
       h("h2", { text: "Published trial arms" }), evidence,
       h("h2", { text: "Figures quoted in advertising" }), claims,
       h("p", {}, h("button", { type: "button", id: "print-outcomes", text: "Print report",
         onclick: () => window.print() })));
  if (doc.survival.km.strata.length) {
    survivalChart(chart, { title: "Transplant-free survival", strata: doc.survival.km.strata,
                           unit: "days", xLabel: "days since the first administration" });
  } else {
    chart.append(h("p", { class: "muted", text: "No treated patients yet." }));
  }
}

// --- routing ---------------------------------------------------------------------------------

async function route() {
  const [path, query] = (location.hash.slice(1) || "/patients").split("?");
  const params = new URLSearchParams(query || "");
  const current = user();
  const show = showFor(++navigation);
  if (!current || path === "/login") {
    renderLogin(show);
    return;
  }
  document.getElementById("nav").hidden = false;
  document.getElementById("who").textContent = `${current.username} (${current.role})`;
  document.getElementById("bedside-link").hidden = !mayAdminister();
  document.getElementById("cohort-link").hidden = !MAY_READ_CLINICAL.includes(current.role);
  document.getElementById("outcomes-link").hidden = !MAY_READ_CLINICAL.includes(current.role);
  const patient = path.match(/^\/patients\/(\d+|S-[0-9a-f]{16})$/);  // S-…: a pseudonym
  if (patient) return renderPatient(patient[1], show);
  const product = path.match(/^\/products\/(\d+)$/);
  if (product) return renderProduct(product[1], show);
  const plan = path.match(/^\/plans\/(\d+)$/);
  if (plan) return renderPlan(plan[1], show);
  if (path === "/bedside") return renderBedside(show);
  if (path === "/cohort") return renderCohort(params, show);
  if (path === "/outcomes") return renderOutcomes(params, show);
  return renderPatients(params, show);
}

document.getElementById("logout").addEventListener("click", async () => {
  try { await api("DELETE", "/session"); } catch (err) { /* already ended */ }
  sessionStorage.removeItem("livercell.user");
  location.hash = "#/login";
});
window.addEventListener("hashchange", route);
route();
