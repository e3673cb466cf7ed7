#include "livercell/formats/outcomes_svg.h"

#include <fmt/format.h>

#include "livercell/formats/xml_text.h"

namespace livercell::formats {
namespace {

std::string Text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return fmt::format("{:g}", v.get<double>());
  return "";
}

std::string Percent(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f} %", *v * 100) : "–";
}

}  // namespace

std::string OutcomesSvg(const domain::outcomes::Definitions& definitions,
                        const domain::outcomes::Report& report,
                        const std::string& treatment_status, const nlohmann::json& evidence,
                        const nlohmann::json& claims) {
  constexpr int kWidth = 1100, kRow = 22, kLeft = 330, kAxis = 360, kTop = 70;
  std::vector<const domain::outcomes::EndpointResult*> rows;
  for (const auto& r : report.endpoints) {
    if (r.subgroup == "all") rows.push_back(&r);
  }
  const int plot_bottom = kTop + static_cast<int>(rows.size()) * kRow;
  const int evidence_top = plot_bottom + 70;
  const int claims_top = evidence_top + static_cast<int>(evidence.size() + 1) * kRow + 40;
  const int height = claims_top + static_cast<int>(claims.size() + 1) * kRow + 30;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n",
      kWidth, height);
  svg += fmt::format(
      "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Outcomes of {} treated "
      "patients (definitions {} {}) beside the published evidence</text>\n",
      report.treated, XmlEscape(definitions.id), XmlEscape(definitions.version));
  // The protocol's words can be long: the first sentence here, the whole in the title element.
  const std::string first = treatment_status.substr(0, treatment_status.find(". ") + 1);
  svg += fmt::format(
      "<text x=\"10\" y=\"40\"><title>{}</title>Treatment: {} Responders among patients with a "
      "follow-up value (complete case), Wilson 95 % interval.</text>\n",
      XmlEscape(treatment_status), XmlEscape(first));
  // Axis 0–100 %.
  auto x_of = [&](double p) { return kLeft + p * kAxis; };
  for (int tick = 0; tick <= 100; tick += 25) {
    const double x = x_of(tick / 100.0);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4} %</text>\n",
        x, kTop - 12, plot_bottom, plot_bottom + 16, tick);
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">endpoint, day ± window</text>",
                     10, kTop - 16);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">responders / n, proportion "
                     "(95 % CI)</text>\n",
                     kLeft + kAxis + 20, kTop - 16);
  int y = kTop;
  for (const auto* r : rows) {
    const auto& cc = r->complete_case;
    svg += fmt::format("<text x=\"10\" y=\"{}\">{}, day {} ± {}</text>", y + 4, XmlEscape(r->endpoint),
                       r->time_point_days, r->window_days);
    if (cc.proportion) {
      svg += fmt::format(
          "<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#1f5fa8\" "
          "stroke-width=\"2\"/><rect x=\"{:.1f}\" y=\"{}\" width=\"8\" height=\"8\" "
          "fill=\"#1f5fa8\"/>",
          x_of(*cc.lower), y, x_of(*cc.upper), y, x_of(*cc.proportion) - 4, y - 4);
    }
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\">{} / {}, {} ({} – {}); eligible {}, failed {}, missing "
        "{}</text>\n",
        kLeft + kAxis + 20, y + 4, cc.x, cc.n, Percent(cc.proportion), Percent(cc.lower),
        Percent(cc.upper), r->eligible, r->failed, r->missing);
    y += kRow;
  }
  svg += fmt::format(
      "<text x=\"10\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">Published trial arms "
      "(data/evidence/trials.csv; effects on their own scales)</text>\n",
      evidence_top - 10);
  y = evidence_top + 8;
  svg += fmt::format(
      "<text x=\"10\" y=\"{0}\" font-weight=\"bold\">trial</text><text x=\"330\" y=\"{0}\" "
      "font-weight=\"bold\">n</text><text x=\"370\" y=\"{0}\" font-weight=\"bold\">endpoint"
      "</text><text x=\"720\" y=\"{0}\" font-weight=\"bold\">effect (95 % CI)</text>\n",
      y);
  for (const auto& arm : evidence) {
    y += kRow;
    std::string effect = Text(arm.value("effect", nlohmann::json()));
    const auto& ci = arm.value("ci95", nlohmann::json::array());
    if (ci.size() == 2 && !ci[0].is_null()) {
      effect += fmt::format(" ({} to {})", Text(ci[0]), Text(ci[1]));
    }
    svg += fmt::format(
        "<text x=\"10\" y=\"{0}\">{1}</text><text x=\"330\" y=\"{0}\">{2}</text><text "
        "x=\"370\" y=\"{0}\">{3}</text><text x=\"720\" y=\"{0}\">{4}</text>\n",
        y, XmlEscape(Text(arm.value("trial", nlohmann::json())).substr(0, 48)),
        XmlEscape(Text(arm.value("n", nlohmann::json()))),
        XmlEscape(Text(arm.value("endpoint", nlohmann::json())).substr(0, 55)),
        XmlEscape(effect.substr(0, 60)));
  }
  svg += fmt::format(
      "<text x=\"10\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">Figures quoted in "
      "advertising (data/evidence/claims.toml)</text>\n",
      claims_top - 10);
  y = claims_top + 8;
  for (const auto& claim : claims) {
    svg += fmt::format("<text x=\"10\" y=\"{}\">“{}” — {}</text>\n", y,
                       XmlEscape(Text(claim.value("text", nlohmann::json()))),
                       XmlEscape(Text(claim.value("status", nlohmann::json()))));
    y += kRow;
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace livercell::formats
