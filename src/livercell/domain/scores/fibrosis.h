// Non-invasive fibrosis indices: APRI and FIB-4. Both unrounded; inputs > 0. Pure, thread-safe.
#ifndef LIVERCELL_DOMAIN_SCORES_FIBROSIS_H_
#define LIVERCELL_DOMAIN_SCORES_FIBROSIS_H_

namespace livercell::domain {

// APRI = (AST / AST_ULN) × 100 / platelets; AST and ULN in U/L, platelets in 10⁹/L.
// Source: Wai CT et al., Hepatology 2003;38(2):518–526 (doi:10.1053/jhep.2003.50346).
double ComputeApri(double ast_u_l, double ast_uln_u_l, double platelets_e9_l);

// FIB-4 = age × AST / (platelets × √ALT); age in years (fractional kept), AST/ALT U/L,
// platelets 10⁹/L. Not validated below 35 years of age (the caller may say so).
// Source: Sterling RK et al., Hepatology 2006;43(6):1317–1325 (doi:10.1002/hep.21178).
double ComputeFib4(double age_years, double ast_u_l, double alt_u_l, double platelets_e9_l);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_SCORES_FIBROSIS_H_
