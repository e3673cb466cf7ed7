#include "livercell/stats/table.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace livercell::stats {
namespace {

class TableTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path =
        (std::filesystem::temp_directory_path() / fmt::format("lc_table_{}_{}", ::getpid(), name))
            .string();
    std::ofstream(path, std::ios::binary) << text;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& p : paths_) std::filesystem::remove(p);
  }
  std::vector<std::string> paths_;
};

TEST_F(TableTest, TypesColumnsAndKeepsTextAsWritten) {
  const std::string path = Write("small.csv",
                                 "time,status,sex,stage,note\r\n"
                                 "1,TRUE,f,1.50,\"a, b\"\n"
                                 "\n"
                                 "2.5,FALSE,m,NA,\"say \"\"hi\"\"\"\n"
                                 "3,1,,IV,plain\n");
  const Table t = Table::ReadCsv(path).value();
  ASSERT_EQ(t.rows(), 3u);
  const Column& time = *t.Find("time").value();
  EXPECT_TRUE(time.numeric);
  EXPECT_EQ(std::vector<double>(time.numbers.begin(), time.numbers.end()),
            (std::vector<double>{1, 2.5, 3}));
  const Column& status = *t.Find("status").value();
  EXPECT_EQ(std::vector<double>(status.numbers.begin(), status.numbers.end()),
            (std::vector<double>{1, 0, 1}));
  const Column& sex = *t.Find("sex").value();
  EXPECT_FALSE(sex.numeric);
  EXPECT_EQ(sex.Text(0), "f");
  EXPECT_TRUE(sex.IsMissing(2));
  // A column that turns to text keeps its earlier numbers as written ("1.50", not "1.5").
  const Column& stage = *t.Find("stage").value();
  EXPECT_FALSE(stage.numeric);
  EXPECT_EQ(stage.Text(0), "1.50");
  EXPECT_TRUE(stage.IsMissing(1));
  EXPECT_EQ(stage.Text(2), "IV");
  EXPECT_EQ(t.Find("note").value()->Text(0), "a, b");
  EXPECT_EQ(t.Find("note").value()->Text(1), "say \"hi\"");
}

// Numbers read straight from the text (plain decimals) and those left to the full parser
// (a leading '+', exponents, long digit strings, infinity) are the doubles strtod gives — and
// R's read.csv — whatever ends the line; a cell that only starts like a number makes its
// column text, kept as written.
TEST_F(TableTest, NumbersOfEverySpellingAndLineEnd) {
  const std::vector<std::string> cells = {"12",
                                          "-0.25",
                                          ".5",
                                          "5.",
                                          "3.50",
                                          "+7",
                                          "+.25",
                                          "1e3",
                                          "-2E-2",
                                          "Inf",
                                          "1234567890123456789",
                                          "0.1000000000000000055511151231257827"};
  std::string text = "x,y\r\n";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    text += cells[i] + "," + cells[cells.size() - 1 - i] + (i % 2 == 0 ? "\r\n" : "\n");
  }
  text += "NA,\n";
  const Table t = Table::ReadCsv(Write("numbers.csv", text)).value();
  ASSERT_EQ(t.rows(), cells.size() + 1);
  const Column& x = *t.Find("x").value();
  const Column& y = *t.Find("y").value();
  ASSERT_TRUE(x.numeric);
  ASSERT_TRUE(y.numeric);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    EXPECT_EQ(x.numbers[i], std::strtod(cells[i].c_str(), nullptr)) << cells[i];
    EXPECT_EQ(y.numbers[i], std::strtod(cells[cells.size() - 1 - i].c_str(), nullptr));
  }
  EXPECT_TRUE(std::isnan(x.numbers[cells.size()]));
  EXPECT_TRUE(std::isnan(y.numbers[cells.size()]));
  const Table mixed =
      Table::ReadCsv(Write("mixed.csv", "a,b\n1,2\n12abc,1.2.3\n-,4\r\n+-1,5\n")).value();
  const Column& a = *mixed.Find("a").value();
  const Column& b = *mixed.Find("b").value();
  EXPECT_FALSE(a.numeric);
  EXPECT_EQ(a.Text(1), "12abc");
  EXPECT_EQ(a.Text(2), "-");
  EXPECT_EQ(a.Text(3), "+-1");
  EXPECT_FALSE(b.numeric);
  EXPECT_EQ(b.Text(1), "1.2.3");
  EXPECT_EQ(b.Text(2), "4");
}

// A file large enough to be parsed in parallel chunks gives exactly what the sequential
// reader gives for a small file with the same rows, including a column that turns to text in
// a later chunk only, blank lines in every chunk (the chunks' rows are closed up) and missing
// values, and names the right line when a row is bad.
TEST_F(TableTest, ChunkedReadEqualsSequentialRead) {
  std::string text = "id,x,label\n";
  const int rows = 700000;  // about 11 MB: more than one chunk
  for (int i = 0; i < rows; ++i) {
    if (i % 50000 == 1) text += "\n";
    const std::string x = i % 70001 == 3 ? "NA" : fmt::format("{}.25", i % 1000);
    text += fmt::format("{},{},{}\n", i, x, i == rows - 10 ? "late-text" : "7");
  }
  const Table t = Table::ReadCsv(Write("big.csv", text)).value();
  ASSERT_EQ(t.rows(), static_cast<std::size_t>(rows));
  const Column& id = *t.Find("id").value();
  const Column& x = *t.Find("x").value();
  for (int i = 0; i < rows; ++i) {
    const auto row = static_cast<std::size_t>(i);
    ASSERT_EQ(id.numbers[row], i);
    if (i % 70001 == 3) {
      ASSERT_TRUE(x.IsMissing(row)) << i;
    } else {
      ASSERT_EQ(x.numbers[row], i % 1000 + 0.25) << i;
    }
  }
  const Column& label = *t.Find("label").value();
  ASSERT_FALSE(label.numeric);
  EXPECT_EQ(label.Text(0), "7");
  EXPECT_EQ(label.Text(static_cast<std::size_t>(rows - 10)), "late-text");
  EXPECT_EQ(label.texts.size(), 2u);

  // Only the wanted columns are parsed.
  const Table only_x = Table::ReadCsv(paths_.back(), {"x"}).value();
  EXPECT_TRUE(only_x.Find("id").value()->numbers.empty());
  EXPECT_EQ(only_x.Find("x").value()->numbers.size(), static_cast<std::size_t>(rows));

  // A quoted field holding a newline anywhere makes the split unsafe: read in one piece.
  std::string quoted = text;
  quoted.replace(quoted.rfind("late-text"), 9, "\"late\ntext\"");
  const Table q = Table::ReadCsv(Write("quoted.csv", quoted)).value();
  ASSERT_EQ(q.rows(), static_cast<std::size_t>(rows));
  EXPECT_EQ(q.Find("label").value()->Text(static_cast<std::size_t>(rows - 10)), "late\ntext");
  EXPECT_EQ(q.Find("id").value()->numbers.back(), rows - 1);

  // A short row near the end (in the last chunk) is reported with its line number.
  text += "1,2\n";
  const auto bad = Table::ReadCsv(Write("bad.csv", text));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().path(),
            fmt::format("{} line {}", paths_.back(), rows + 2 + (rows - 2) / 50000 + 1));
  EXPECT_NE(bad.status().message().find("2 fields, the header has 3"), std::string_view::npos);
}

// Plain decimals are read by a shortcut; they, and the numbers it leaves to fast_float, come
// out as the nearest double, as a C++ literal does.
TEST_F(TableTest, NumbersAreTheNearestDouble) {
  const Table t = Table::ReadCsv(Write("numbers.csv",
                                       "v\n0.1\n-2.75\n123456789012.345\n0.1234567890123456\n"
                                       "1e-3\n-0\n.5\n7.\n4294967296\nnan\n"))
                      .value();
  const Column& v = *t.Find("v").value();
  ASSERT_TRUE(v.numeric);
  const std::vector<double> expected = {
      0.1, -2.75, 123456789012.345, 0.1234567890123456, 1e-3, -0.0, 0.5, 7.0, 4294967296.0};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(v.numbers[i], expected[i]) << i;
  EXPECT_TRUE(std::signbit(v.numbers[5]));
  EXPECT_TRUE(v.IsMissing(9));  // NaN counts as missing, as is.na(NaN) does in R
}

// Past the last wanted column the fields are only counted: a row with too many or too few
// is still refused with its line, and a quoted field there (which may hold a comma or a
// newline) is still read as one field.
TEST_F(TableTest, FieldsAfterTheWantedOnesAreCountedNotSkipped) {
  const std::string good = Write("tail.csv", "a,b,c,d\n1,2,x,y\n3,4,\"p, q\",\"r\ns\"\n5,6,,\n");
  const Table t = Table::ReadCsv(good, {"a", "b"}).value();
  ASSERT_EQ(t.rows(), 3u);
  const Column& b = *t.Find("b").value();
  EXPECT_EQ(b.numbers[1], 4);
  EXPECT_EQ(b.numbers[2], 6);
  for (const char* bad_row : {"7,8,z\n", "7,8,z,w,v\n"}) {
    const std::string path =
        Write("tail_bad.csv", std::string("a,b,c,d\n1,2,x,y\n") + bad_row + "5,6,,\n");
    const auto bad = Table::ReadCsv(path, {"a"});
    ASSERT_FALSE(bad.ok()) << bad_row;
    EXPECT_EQ(bad.status().path(), path + " line 3");
  }
}

TEST_F(TableTest, ErrorsNameTheFileAndLine) {
  const auto missing = Table::ReadCsv("/nonexistent/file.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().path(), "/nonexistent/file.csv");
  const auto empty = Table::ReadCsv(Write("empty.csv", ""));
  EXPECT_FALSE(empty.ok());
  const auto quote = Table::ReadCsv(Write("quote.csv", "a,b\n1,\"open\n"));
  ASSERT_FALSE(quote.ok());
  EXPECT_NE(quote.status().path().find("line 2"), std::string::npos);
  EXPECT_NE(quote.status().message().find("unterminated"), std::string_view::npos);
}

}  // namespace
}  // namespace livercell::stats
