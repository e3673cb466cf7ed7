// `livercell din make|check`: ISBT 128 donation identification numbers (issue #8 part 3).
// `check` takes DINs as scanned or typed, several at once or one per line from standard input
// ("-"), so a coordinator can verify a whole list; exit 2 when any is not valid.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "livercell/cli/app.h"
#include "livercell/domain/product/din.h"
#include "livercell/formats/din_label.h"

#include <fstream>

namespace livercell::cli {
namespace {

using nlohmann::json;

json DinJson(const domain::Din& din) {
  return {{"din", din.text()},
          {"check", std::string(1, din.check())},
          {"valid", true},
          {"facility", din.facility()},
          {"year", din.year()},
          {"sequence", din.sequence()},
          {"flags", din.flags()},
          {"barcode", din.BarcodeData()}};
}

struct MakeArgs {
  std::string facility;
  int year = 0;
  int sequence = 0;
  std::string format;
};

int RunMake(const MakeArgs& a) {
  const Format format = ParseFormat(a.format);
  const base::Result<domain::Din> din = domain::Din::Make(a.facility, a.year, a.sequence);
  if (!din.ok()) return Fail(din.status(), format);
  if (format == Format::kJson) {
    fmt::print("{}\n", DinJson(*din).dump());
  } else {
    fmt::print("{} {}\n", din->text(), din->check());
  }
  return 0;
}

struct CheckArgs {
  std::vector<std::string> dins;
  std::string format;
};

int RunCheck(const CheckArgs& a) {
  const Format format = ParseFormat(a.format);
  std::vector<std::string> inputs;
  for (const std::string& d : a.dins) {
    if (d != "-") {
      inputs.push_back(d);
      continue;
    }
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty()) inputs.push_back(line);
    }
  }
  // specs/cli.md: on status 2 nothing goes to standard output, so the answers are held until
  // every DIN has been read.
  std::string out;
  std::vector<base::Status> errors;
  for (const std::string& text : inputs) {
    const base::Result<domain::Din> din = domain::Din::Parse(text);
    if (!din.ok()) {
      base::Status error = din.status();
      errors.push_back(std::move(error.PrefixPath(fmt::format("\"{}\"", text))));
    } else if (format == Format::kJson) {
      out += DinJson(*din).dump() + "\n";
    } else {
      out += fmt::format("{}  {} {}  valid\n", text, din->Spaced(), din->check());
    }
  }
  if (!errors.empty()) return Fail(errors, format);
  fmt::print("{}", out);
  return 0;
}

struct LabelArgs {
  std::string din, out;
  formats::LabelText text;
};

int RunLabel(const LabelArgs& a) {
  const base::Result<domain::Din> din = domain::Din::Parse(a.din);
  if (!din.ok()) {
    base::Status status = din.status();
    return Fail(status.PrefixPath("din"), Format::kTable);
  }
  const base::Result<std::string> svg = formats::DinLabelSvg(*din, a.text);
  if (!svg.ok()) return Fail(svg.status(), Format::kTable);
  return WriteOutput(*svg, a.out);
}

}  // namespace

int WriteOutput(const std::string& text, const std::string& out) {
  if (out.empty() || out == "-") {
    fmt::print("{}", text);
    return 0;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    base::Status status = base::InvalidArgumentError("cannot write the file");
    return Fail(status.SetPath(out), Format::kTable);
  }
  return 0;
}

void RegisterDinCommands(CLI::App& app, Action* selected) {
  CLI::App* din = app.add_subcommand(
      "din", "ISBT 128 donation identification numbers: make one, check scanned or typed ones");
  din->require_subcommand(1);

  auto make_args = std::make_shared<MakeArgs>();
  CLI::App* make = din->add_subcommand(
      "make", "Print a new DIN and its ISO/IEC 7064 MOD 37-2 check character");
  make->add_option("--facility", make_args->facility,
                   "Facility identification number issued by ICCBBA (e.g. G1234)")
      ->required();
  make->add_option("--year", make_args->year, "Year of collection (2000-2099)")->required();
  make->add_option("--sequence", make_args->sequence, "Sequence number within the year "
                                                      "(1-999999)")
      ->required();
  AddFormatOption(*make, &make_args->format, {"table", "json"});
  make->footer("Example:\n  livercell din make --facility G1234 --year 2026 --sequence 123456\n"
               "  → G123426123456 H");
  make->callback([selected, make_args] {
    *selected = [make_args] { return RunMake(*make_args); };
  });

  auto check_args = std::make_shared<CheckArgs>();
  CLI::App* check = din->add_subcommand(
      "check",
      "Check DINs as scanned (=G12342612345600) or typed (G1234 26 123456 H); exit 0 when all "
      "are valid, 2 naming what is wrong with each that is not");
  check->add_option("DIN", check_args->dins, "DINs (quote those with spaces), or - to read one "
                                             "per line from standard input")
      ->required();
  AddFormatOption(*check, &check_args->format, {"table", "json"});
  check->footer("Examples:\n  livercell din check \"G1234 26 123456 H\"\n"
                "  livercell din check --format json =G12342612345677\n"
                "  livercell din check - < scanned.txt");
  check->callback([selected, check_args] {
    *selected = [check_args] { return RunCheck(*check_args); };
  });

  auto label_args = std::make_shared<LabelArgs>();
  CLI::App* label = din->add_subcommand(
      "label", "Draw a product label as SVG: the DIN with its boxed check character and the "
               "ISBT 128 bar code (Code 128 of =DIN and its check flags)");
  label->add_option("DIN", label_args->din, "The DIN, as scanned or typed")->required();
  label->add_option("--code", label_args->text.product_code, "Product code, as the clinic assigns it");
  label->add_option("--type", label_args->text.product_type, "Product type (e.g. bm_mnc)");
  label->add_option("--expires", label_args->text.expires, "Expiry, ISO 8601");
  label->add_option("--facility-name", label_args->text.facility_name, "The facility's name");
  label->add_option("--out", label_args->out, "Write the SVG to FILE (default: standard output)");
  label->footer("Example:\n  livercell din label G123426123456 --code S1234 --out label.svg");
  label->callback([selected, label_args] {
    *selected = [label_args] { return RunLabel(*label_args); };
  });
}

}  // namespace livercell::cli
