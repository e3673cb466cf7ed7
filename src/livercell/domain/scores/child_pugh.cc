#include "livercell/domain/scores/child_pugh.h"

namespace livercell::domain {
namespace {

// Source: Pugh 1973, Br J Surg 60:646-649 (bilirubin 1-2 / 2-3 / >3 mg/100 ml, albumin >3.5 /
// 2.8-3.5 / <2.8 g/100 ml); INR bands <1.7 / 1.7-2.3 / >2.3 from MDCalc "Child-Pugh Score";
// boundary values belong to the middle band (specs/scores.md §0 and §2).
constexpr double kBilirubinLowMgDl = 2.0;
constexpr double kBilirubinHighMgDl = 3.0;
constexpr double kAlbuminHighGDl = 3.5;
constexpr double kAlbuminLowGDl = 2.8;
constexpr double kInrLow = 1.7;
constexpr double kInrHigh = 2.3;

// Source: Pugh 1973 (1, 2 or 3 points per item).
// 1, 2 or 3 points for a value that worsens as it rises, middle band [low, high] inclusive.
int RisingBand(double value, double low, double high) {
  if (value < low) return 1;
  return value <= high ? 2 : 3;
}

// Source: Pugh 1973 (1, 2 or 3 points per item).
// 1, 2 or 3 points for a value that worsens as it falls, middle band [low, high] inclusive.
int FallingBand(double value, double low, double high) {
  if (value > high) return 1;
  return value >= low ? 2 : 3;
}

}  // namespace

ChildPugh ComputeChildPugh(double bilirubin_mg_dl, double albumin_g_dl, double inr, Ascites ascites,
                           Encephalopathy encephalopathy) {
  // Each enum is ordered none < middle < worst, worth 1, 2 and 3 points.
  const int points = RisingBand(bilirubin_mg_dl, kBilirubinLowMgDl, kBilirubinHighMgDl) +
                     FallingBand(albumin_g_dl, kAlbuminLowGDl, kAlbuminHighGDl) +
                     RisingBand(inr, kInrLow, kInrHigh) + (static_cast<int>(ascites) + 1) +
                     (static_cast<int>(encephalopathy) + 1);
  char child_class = 'C';
  if (points <= kChildPughClassAMaxPoints) {
    child_class = 'A';
  } else if (points <= kChildPughClassBMaxPoints) {
    child_class = 'B';
  }
  return ChildPugh{points, child_class};
}

}  // namespace livercell::domain
