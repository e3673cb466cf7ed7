#include "livercell/base/csv.h"

#include <gtest/gtest.h>

namespace livercell::base {
namespace {

std::vector<std::vector<std::string>> ReadAll(std::string text) {
  auto csv = CsvReader::FromString(std::move(text));
  std::vector<std::vector<std::string>> rows;
  while (csv->Next().value()) rows.emplace_back(csv->fields().begin(), csv->fields().end());
  return rows;
}

TEST(CsvReader, ReadsQuotedFieldsEscapedQuotesAndNewlines) {
  const auto rows = ReadAll("\"id\",\"note\"\r\n1,\"a, \"\"b\"\"\nc\"\n2,\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "note"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "a, \"b\"\nc"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2", ""}));
}

TEST(CsvReader, LastLineWithoutNewlineAndLineNumbers) {
  auto csv = CsvReader::FromString("a\n\"x\ny\"\nlast");
  ASSERT_TRUE(csv->Next().value());
  EXPECT_EQ(csv->line(), 1);
  ASSERT_TRUE(csv->Next().value());
  EXPECT_EQ(csv->line(), 2);
  ASSERT_TRUE(csv->Next().value());
  EXPECT_EQ(csv->line(), 4) << "the quoted newline counts";
  EXPECT_EQ(csv->fields()[0], "last");
  EXPECT_FALSE(csv->Next().value());
}

TEST(CsvReader, ErrorsNameTheLine) {
  auto csv = CsvReader::FromString("a\n\"open\n");
  ASSERT_TRUE(csv->Next().value());
  const auto bad = csv->Next();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().path(), "line 2");
  auto junk = CsvReader::FromString("\"a\"b,c\n");
  EXPECT_FALSE(junk->Next().ok());
  EXPECT_EQ(CsvReader::Open("/nonexistent.csv").status().code(), StatusCode::kNotFound);
}

TEST(CsvWriter, QuotesOnlyWhenNeededAndRoundTrips) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  std::string line;
  AppendCsvLine({"x", "a,b", "q\"", "multi\nline", ""}, &line);
  const auto rows = ReadAll(line);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"x", "a,b", "q\"", "multi\nline", ""}));
}

}  // namespace
}  // namespace livercell::base
