#include "livercell/stats/formula.h"

#include <fmt/format.h>

#include <cctype>

namespace livercell::stats {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  base::Result<Formula> Parse() {
    Formula f;
    f.text = std::string(text_);
    LC_RETURN_IF_ERROR(Expect("Surv"));
    LC_RETURN_IF_ERROR(Expect("("));
    std::vector<std::string> times;
    LC_ASSIGN_OR_RETURN(std::string first, Identifier("a time column"));
    times.push_back(first);
    LC_RETURN_IF_ERROR(Expect(","));
    LC_ASSIGN_OR_RETURN(std::string second, Identifier("a column"));
    Skip();
    if (Peek(",")) {
      LC_RETURN_IF_ERROR(Expect(","));
      f.start = first;
      f.stop = second;
      LC_ASSIGN_OR_RETURN(f.event.column, Identifier("the event column"));
    } else {
      f.stop = first;
      f.event.column = second;
    }
    LC_RETURN_IF_ERROR(EventOperator(&f.event));
    LC_RETURN_IF_ERROR(Expect(")"));
    LC_RETURN_IF_ERROR(Expect("~"));
    Skip();
    if (Peek("1")) {
      ++pos_;
      Skip();
      if (pos_ != text_.size()) return Error("nothing after \"~ 1\"");
      return f;
    }
    for (;;) {
      LC_ASSIGN_OR_RETURN(Term term, ParseTerm());
      f.terms.push_back(std::move(term));
      Skip();
      if (pos_ == text_.size()) break;
      LC_RETURN_IF_ERROR(Expect("+"));
    }
    return f;
  }

 private:
  void Skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Peek(std::string_view token) {
    Skip();
    return text_.substr(pos_, token.size()) == token;
  }
  base::Status Expect(std::string_view token) {
    if (!Peek(token)) return Error(fmt::format("expected \"{}\"", token));
    pos_ += token.size();
    return base::OkStatus();
  }
  base::Status Error(std::string what) const {
    base::Status status = base::InvalidArgumentError(fmt::format(
        "{} at position {}:\n  {}\n  {}^", what, pos_ + 1, text_, std::string(pos_, ' ')));
    status.SetPath("--formula").SetValue(std::string(text_));
    return status;
  }
  static bool IdentChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
  }
  base::Result<std::string> Identifier(std::string_view what) {
    Skip();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && IdentChar(text_[pos_])) ++pos_;
    if (pos_ == start) return Error(fmt::format("expected {}", what));
    return std::string(text_.substr(start, pos_ - start));
  }
  base::Result<std::string> Literal() {
    Skip();
    if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
      const char quote = text_[pos_++];
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != quote) ++pos_;
      if (pos_ == text_.size()) return Error("unterminated string");
      return std::string(text_.substr(start, pos_++ - start));
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (IdentChar(text_[pos_]) || text_[pos_] == '-')) ++pos_;
    if (pos_ == start) return Error("expected a number or a quoted string");
    return std::string(text_.substr(start, pos_ - start));
  }
  base::Status EventOperator(EventSpec* event) {
    Skip();
    if (Peek("==")) {
      pos_ += 2;
      event->op = EventSpec::Op::kEquals;
      LC_ASSIGN_OR_RETURN(std::string value, Literal());
      event->values.push_back(value);
    } else if (Peek(">")) {
      pos_ += 1;
      event->op = EventSpec::Op::kGreater;
      LC_ASSIGN_OR_RETURN(std::string value, Literal());
      event->values.push_back(value);
    } else if (Peek("%in%")) {
      pos_ += 4;
      event->op = EventSpec::Op::kIn;
      LC_RETURN_IF_ERROR(Expect("c"));
      LC_RETURN_IF_ERROR(Expect("("));
      for (;;) {
        LC_ASSIGN_OR_RETURN(std::string value, Literal());
        event->values.push_back(value);
        if (Peek(")")) break;
        LC_RETURN_IF_ERROR(Expect(","));
      }
      LC_RETURN_IF_ERROR(Expect(")"));
    }
    return base::OkStatus();
  }
  base::Result<Term> ParseTerm() {
    LC_ASSIGN_OR_RETURN(std::string name, Identifier("a column or log(), factor(), strata()"));
    Term term;
    Skip();
    if (!Peek("(")) {
      term.columns = {name};
      term.label = name;
      return term;
    }
    if (name == "log") {
      term.kind = Term::Kind::kLog;
    } else if (name == "factor") {
      term.kind = Term::Kind::kFactor;
    } else if (name == "strata") {
      term.kind = Term::Kind::kStrata;
    } else {
      return Error(fmt::format("unknown function \"{}\" (use log, factor or strata)", name));
    }
    LC_RETURN_IF_ERROR(Expect("("));
    for (;;) {
      LC_ASSIGN_OR_RETURN(std::string column, Identifier("a column"));
      term.columns.push_back(column);
      if (Peek(")") || term.kind != Term::Kind::kStrata) break;
      LC_RETURN_IF_ERROR(Expect(","));
    }
    LC_RETURN_IF_ERROR(Expect(")"));
    term.label = fmt::format("{}({})", name, fmt::join(term.columns, ", "));
    return term;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

base::Result<Formula> ParseFormula(std::string_view text) { return Parser(text).Parse(); }

std::vector<std::string> FormulaColumns(const Formula& formula) {
  std::vector<std::string> columns = {formula.stop, formula.event.column};
  if (!formula.start.empty()) columns.push_back(formula.start);
  for (const Term& term : formula.terms) {
    columns.insert(columns.end(), term.columns.begin(), term.columns.end());
  }
  return columns;
}

}  // namespace livercell::stats
