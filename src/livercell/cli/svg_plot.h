// Publication-style SVG plots of survival and cumulative-incidence curves (specs/stats.md
// "Plots"): step curves per stratum, a shaded confidence band, censoring ticks, the number at
// risk under the x axis, labelled axes and a legend. Deterministic: the same input gives the
// same bytes (fixed number formatting, no timestamps, no random ids).
#ifndef LIVERCELL_CLI_SVG_PLOT_H_
#define LIVERCELL_CLI_SVG_PLOT_H_

#include <string>

#include "livercell/stats/cif.h"
#include "livercell/stats/kaplan_meier.h"

namespace livercell::cli {

struct PlotLabels {
  std::string title;
  std::string time_label = "Time (days)";
};

std::string KaplanMeierSvg(const stats::KmResult& fit, const PlotLabels& labels);
// One curve per stratum and event state (cumulative incidence = occupancy of that state).
std::string CifSvg(const stats::CifResult& fit, const PlotLabels& labels);

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_SVG_PLOT_H_
