#include "livercell/base/csv.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

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

// Plain records are read as views of the buffer, others byte by byte: a file mixing the two,
// with CRLF and LF line ends, a stray CR and records across the reader's 64 KiB chunks, reads
// the same fields and line numbers either way.
TEST(CsvReader, PlainAndQuotedRecordsAcrossChunksReadTheSame) {
  std::string text;
  std::vector<std::vector<std::string>> expected;
  std::vector<std::int64_t> lines;
  std::int64_t line = 1;
  for (int i = 0; i < 15000; ++i) {
    const std::string id = "P" + std::to_string(i);
    lines.push_back(line);
    switch (i % 4) {
      case 0:  // plain, LF
        text += id + ",1." + std::to_string(i) + ",mg/dL\n";
        expected.push_back({id, "1." + std::to_string(i), "mg/dL"});
        break;
      case 1:  // plain, CRLF, an empty field
        text += id + ",,g/L\r\n";
        expected.push_back({id, "", "g/L"});
        break;
      case 2:  // quoted, with a comma, an escaped quote and a newline
        text += id + ",\"a, \"\"b\"\"\nc\",x\n";
        expected.push_back({id, "a, \"b\"\nc", "x"});
        ++line;
        break;
      default:  // a CR inside a field, which the reader drops
        text += id + ",u\rv,w\n";
        expected.push_back({id, "uv", "w"});
        break;
    }
    ++line;
  }
  ASSERT_GT(text.size(), 3u << 16) << "the file must span several chunks";
  const std::string path = ::testing::TempDir() + "csv_chunks.csv";
  {
    std::FILE* out = std::fopen(path.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    std::fwrite(text.data(), 1, text.size(), out);
    std::fclose(out);
  }
  for (const bool from_file : {true, false}) {
    auto csv = from_file ? std::move(CsvReader::Open(path).value()) : CsvReader::FromString(text);
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_TRUE(csv->Next().value()) << i;
      ASSERT_EQ(std::vector<std::string>(csv->fields().begin(), csv->fields().end()),
                expected[i])
          << "record " << i << (from_file ? " from the file" : " from the string");
      ASSERT_EQ(csv->line(), lines[i]) << i;
    }
    EXPECT_FALSE(csv->Next().value());
  }
  std::remove(path.c_str());
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
