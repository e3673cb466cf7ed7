#include "livercell/cli/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace livercell::cli {
namespace {

// Okabe & Ito (2008) colour-blind-safe palette.
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#F0E442", "#000000"};
constexpr const char* kDashes[] = {"", "6,3", "2,3", "8,3,2,3"};
constexpr double kWidth = 760, kPlotLeft = 80, kPlotRight = 560, kPlotTop = 40, kPlotBottom = 380;

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string F(double v) { return fmt::format("{:.2f}", v); }

// A "nice" tick step (1, 2 or 5 × 10^k) giving about six ticks over [0, max].
double NiceStep(double max) {
  if (!(max > 0)) return 1;
  const double raw = max / 6;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * magnitude) return m * magnitude;
  }
  return 10 * magnitude;
}

struct Series {
  std::string label;
  std::string colour;
  std::string dash;
  std::vector<double> time;
  std::vector<double> value;
  std::vector<std::optional<double>> lower, upper;
  std::vector<double> censor_times;  // ticks on the curve
};

struct RiskRow {
  std::string label;
  std::string colour;
  std::vector<double> time;
  std::vector<int> n_risk;
};

class Canvas {
 public:
  Canvas(double max_time, std::size_t risk_rows, const PlotLabels& labels, const char* y_label)
      : max_time_(max_time > 0 ? max_time : 1), step_(NiceStep(max_time_)) {
    x_max_ = std::ceil(max_time_ / step_) * step_;
    height_ = kPlotBottom + 70 + 18.0 * static_cast<double>(risk_rows);
    svg_ = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} "
        "{}\" "
        "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        F(kWidth), F(height_), F(kWidth), F(height_));
    if (!labels.title.empty()) {
      svg_ +=
          fmt::format("<text x=\"{}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
                      F(kPlotLeft), Escape(labels.title));
    }
    Axes(labels.time_label, y_label);
  }

  double X(double t) const { return kPlotLeft + (kPlotRight - kPlotLeft) * t / x_max_; }
  static double Y(double p) { return kPlotBottom - (kPlotBottom - kPlotTop) * p; }

  void Band(const Series& s) {
    std::string upper, lower;
    double last_t = 0;
    std::optional<double> last_u = 1.0, last_l = 1.0;
    if (s.value.empty() || s.value.front() < 0.5) last_u = last_l = 0.0;  // incidence starts at 0
    std::vector<std::pair<double, double>> top, bottom;
    for (std::size_t i = 0; i < s.time.size(); ++i) {
      if (!s.upper[i] || !s.lower[i]) continue;
      if (last_u) {
        top.emplace_back(X(s.time[i]), Y(*last_u));
        bottom.emplace_back(X(s.time[i]), Y(*last_l));
      }
      top.emplace_back(X(s.time[i]), Y(*s.upper[i]));
      bottom.emplace_back(X(s.time[i]), Y(*s.lower[i]));
      last_u = s.upper[i];
      last_l = s.lower[i];
      last_t = s.time[i];
    }
    if (top.empty()) return;
    top.emplace_back(X(std::max(last_t, s.time.back())), Y(*last_u));
    bottom.emplace_back(X(std::max(last_t, s.time.back())), Y(*last_l));
    std::string points;
    for (const auto& [x, y] : top) points += F(x) + "," + F(y) + " ";
    for (auto it = bottom.rbegin(); it != bottom.rend(); ++it)
      points += F(it->first) + "," + F(it->second) + " ";
    points.pop_back();
    svg_ +=
        fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"none\"/>\n",
                    points, s.colour);
  }

  void Curve(const Series& s, double start_value) {
    std::string d = fmt::format("M{},{}", F(X(0)), F(Y(start_value)));
    double current = start_value;
    for (std::size_t i = 0; i < s.time.size(); ++i) {
      d += fmt::format(" H{}", F(X(s.time[i])));
      if (s.value[i] != current) {
        d += fmt::format(" V{}", F(Y(s.value[i])));
        current = s.value[i];
      }
    }
    svg_ += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", d,
                        s.colour, s.dash.empty() ? "" : " stroke-dasharray=\"" + s.dash + "\"");
    for (double t : s.censor_times) {
      const auto it = std::upper_bound(s.time.begin(), s.time.end(), t);
      const double v = it == s.time.begin()
                           ? start_value
                           : s.value[static_cast<std::size_t>(it - s.time.begin() - 1)];
      svg_ += fmt::format(
          "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"1\"/>\n",
          F(X(t)), F(Y(v) - 4), F(Y(v) + 4), s.colour);
    }
  }

  void Legend(const std::vector<Series>& series) {
    double y = kPlotTop + 10;
    for (const Series& s : series) {
      svg_ += fmt::format(
          "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n"
          "<text x=\"{}\" y=\"{}\">{}</text>\n",
          F(kPlotRight + 20), F(kPlotRight + 45), F(y), F(y), s.colour,
          s.dash.empty() ? "" : " stroke-dasharray=\"" + s.dash + "\"", F(kPlotRight + 52),
          F(y + 4), Escape(s.label));
      y += 18;
    }
  }

  void RiskTable(const std::vector<RiskRow>& rows) {
    double y = kPlotBottom + 62;
    svg_ += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">Number at risk</text>\n",
                        F(8), F(y - 16));
    for (const RiskRow& row : rows) {
      svg_ += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>\n", F(8), F(y), row.colour,
                          Escape(row.label.substr(0, 12)));
      for (double t = 0; t <= x_max_ + step_ / 2; t += step_) {
        // At risk at tick t: those whose time is ≥ t.
        const auto it = std::lower_bound(row.time.begin(), row.time.end(), t);
        const int n =
            it == row.time.end() ? 0 : row.n_risk[static_cast<std::size_t>(it - row.time.begin())];
        svg_ += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", F(X(t)),
                            F(y), n);
      }
      y += 18;
    }
  }

  std::string Finish() { return svg_ + "</svg>\n"; }

 private:
  void Axes(const std::string& time_label, const char* y_label) {
    svg_ += fmt::format(
        "<g stroke=\"black\" stroke-width=\"1\">\n"
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>\n"
        "<line x1=\"{0}\" x2=\"{0}\" y1=\"{3}\" y2=\"{2}\"/>\n</g>\n",
        F(kPlotLeft), F(kPlotRight), F(kPlotBottom), F(kPlotTop));
    for (double t = 0; t <= x_max_ + step_ / 2; t += step_) {
      svg_ += fmt::format(
          "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"black\"/>\n"
          "<text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
          F(X(t)), F(kPlotBottom), F(kPlotBottom + 5), F(kPlotBottom + 18), fmt::format("{:g}", t));
    }
    for (int i = 0; i <= 4; ++i) {
      const double p = i / 4.0;
      svg_ += fmt::format(
          "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"black\"/>\n"
          "<text x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>\n",
          F(kPlotLeft - 5), F(kPlotLeft), F(Y(p)), F(kPlotLeft - 8), F(Y(p) + 4),
          fmt::format("{:.2f}", p));
    }
    svg_ += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n"
        "<text transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
        F((kPlotLeft + kPlotRight) / 2), F(kPlotBottom + 36), Escape(time_label), F(24),
        F((kPlotTop + kPlotBottom) / 2), Escape(y_label));
  }

  double max_time_, step_, x_max_ = 1, height_ = 0;
  std::string svg_;
};

}  // namespace

std::string KaplanMeierSvg(const stats::KmResult& fit, const PlotLabels& labels) {
  double max_time = 0;
  for (const auto& c : fit.strata) {
    if (!c.time.empty()) max_time = std::max(max_time, c.time.back());
  }
  Canvas canvas(max_time, fit.strata.size(), labels, "Survival probability");
  std::vector<Series> series;
  std::vector<RiskRow> risk;
  for (std::size_t g = 0; g < fit.strata.size(); ++g) {
    const auto& c = fit.strata[g];
    Series s{c.name, kColours[g % std::size(kColours)], "", c.time, c.surv, c.lower, c.upper, {}};
    for (std::size_t i = 0; i < c.time.size(); ++i) {
      if (c.n_censor[i] > 0) s.censor_times.push_back(c.time[i]);
    }
    series.push_back(std::move(s));
    risk.push_back({c.name, kColours[g % std::size(kColours)], c.time, c.n_risk});
  }
  for (const Series& s : series) canvas.Band(s);
  for (const Series& s : series) canvas.Curve(s, 1.0);
  canvas.Legend(series);
  canvas.RiskTable(risk);
  return canvas.Finish();
}

std::string CifSvg(const stats::CifResult& fit, const PlotLabels& labels) {
  double max_time = 0;
  for (const auto& c : fit.strata) {
    if (!c.time.empty()) max_time = std::max(max_time, c.time.back());
  }
  Canvas canvas(max_time, fit.strata.size(), labels, "Cumulative incidence");
  std::vector<Series> series;
  std::vector<RiskRow> risk;
  const double z = 1.959963984540054;  // 95% normal quantile for the band
  for (std::size_t g = 0; g < fit.strata.size(); ++g) {
    const auto& c = fit.strata[g];
    for (std::size_t k = 1; k < fit.states.size(); ++k) {
      Series s;
      s.label = c.name + ": " + fit.states[k];
      s.colour = kColours[g % std::size(kColours)];
      s.dash = kDashes[(k - 1) % std::size(kDashes)];
      s.time = c.time;
      for (std::size_t i = 0; i < c.time.size(); ++i) {
        const double p = c.pstate[i][k];
        const double se = c.std_err[i][k];
        s.value.push_back(p);
        s.lower.push_back(std::max(0.0, p - z * se));
        s.upper.push_back(std::min(1.0, p + z * se));
      }
      series.push_back(std::move(s));
    }
    risk.push_back({c.name, kColours[g % std::size(kColours)], c.time, c.n_risk});
  }
  for (const Series& s : series) canvas.Band(s);
  for (const Series& s : series) canvas.Curve(s, 0.0);
  canvas.Legend(series);
  canvas.RiskTable(risk);
  return canvas.Finish();
}

}  // namespace livercell::cli
