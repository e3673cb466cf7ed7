// Charts of the web UI, drawn with uPlot (vendored from npm, embedded in the binary).
// Every chart is a <figure> whose caption names the measure and its unit; the figure's
// data-points attribute counts the points drawn (the browser tests read it).

const PALETTE = ["#0b5cad", "#c2410c", "#1b6e3a", "#7c3aed", "#a4161a", "#0e7490"];
// Band fills, lightest for the best category (Child-Pugh A, ALBI grade 1).
const BAND_FILLS = ["rgba(27,110,58,0.10)", "rgba(240,165,0,0.14)", "rgba(164,22,26,0.12)"];

function figure(parent, title, unit, note) {
  const fig = document.createElement("figure");
  const cap = document.createElement("figcaption");
  cap.textContent = unit ? `${title} (${unit})` : title;
  if (note) {
    const latest = document.createElement("span");
    latest.className = "latest";
    latest.textContent = note;
    cap.append(latest);
  }
  fig.append(cap);
  parent.append(fig);
  return fig;
}

function width(fig) {
  return Math.max(280, Math.floor(fig.getBoundingClientRect().width) - 16);
}

// A time series: points (seconds since 1970, value); `bands` shades category bands
// [{category, max}] (max null = unbounded) behind the line.
export function trendChart(parent, { title, unit, times, values, note, bands, empty }) {
  const fig = figure(parent, title, unit, note);
  fig.dataset.points = String(values.length);
  if (values.length === 0) {
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = empty || "No values recorded.";
    fig.append(p);
    return fig;
  }
  const hooks = {};
  if (bands && bands.length) {
    hooks.drawClear = [(u) => {
      const ctx = u.ctx;
      const { left, top, width: w, height: h } = u.bbox;
      let lower = -Infinity;
      bands.forEach((band, i) => {
        const upper = band.max === null ? Infinity : band.max;
        const yTop = Math.max(top, u.valToPos(Math.min(upper, u.scales.y.max), "y", true));
        const yBottom = Math.min(top + h, u.valToPos(Math.max(lower, u.scales.y.min), "y", true));
        if (yBottom > yTop) {
          ctx.fillStyle = BAND_FILLS[i % BAND_FILLS.length];
          ctx.fillRect(left, yTop, w, yBottom - yTop);
        }
        lower = upper;
      });
    }];
  }
  const opts = {
    width: width(fig),
    height: 200,
    scales: { x: { time: true } },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    axes: [{}, { label: unit || "" }],
    series: [
      { label: "date" },
      { label: title, stroke: PALETTE[0], width: 2, points: { show: true, size: 6 } },
    ],
    legend: { show: false },
    hooks,
  };
  new uPlot(opts, [times, values], fig);
  if (bands && bands.length) {
    const key = document.createElement("p");
    key.className = "source";
    let lower = null;
    key.textContent = "Shaded: " + bands.map((b) => {
      const text = lower === null ? `${b.category} ≤ ${b.max}` :
        b.max === null ? `${b.category} > ${lower}` : `${b.category} ≤ ${b.max}`;
      lower = b.max;
      return text;
    }).join(", ");
    fig.append(key);
  }
  return fig;
}

// Kaplan–Meier curves: strata [{name, time, surv, lower, upper}] as step functions from
// (0, 1), with dashed 95% limits.
export function survivalChart(parent, { title, strata, unit = "years",
                                        xLabel = "years since first record" }) {
  const fig = figure(parent, title, "probability of survival", "");
  const xs = [...new Set([0, ...strata.flatMap((s) => s.time)])].sort((a, b) => a - b);
  const data = [xs];
  const series = [{ label: unit }];
  strata.forEach((s, k) => {
    const at = new Map(s.time.map((t, i) => [t, i]));
    const last = s.time.length ? s.time[s.time.length - 1] : 0;
    for (const [field, dash] of [["surv", null], ["lower", [4, 4]], ["upper", [4, 4]]]) {
      let current = 1;
      data.push(xs.map((x) => {
        if (x > last) return null;
        if (at.has(x)) {
          const v = s[field][at.get(x)];
          current = v === null ? current : v;
        }
        return current;
      }));
      series.push({
        label: field === "surv" ? s.name : `${field} 95%`,
        stroke: PALETTE[k % PALETTE.length],
        width: field === "surv" ? 2 : 1,
        dash: dash || undefined,
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false },
      });
    }
  });
  fig.dataset.points = String(xs.length);
  new uPlot({
    width: width(fig),
    height: 320,
    scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [{ label: xLabel }, { label: "survival" }],
    series,
  }, data, fig);
  return fig;
}
