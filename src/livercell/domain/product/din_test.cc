#include "livercell/domain/product/din.h"

#include <gtest/gtest.h>

namespace livercell::domain {
namespace {

// UK Red Book, Annex 2 (JPAC): G123 498 654 321 → checksum 17 → H, bar code flags 77.
TEST(Din, PublishedWorkedExample) {
  EXPECT_EQ(Mod37_2CheckCharacter("G123498654321").value(), 'H');
  const Din din = Din::Parse("G123 498 654 321").value();
  EXPECT_EQ(din.check(), 'H');
  EXPECT_EQ(din.BarcodeData(), "=G12349865432177");
}

TEST(Din, MakeBuildsTheThirteenCharacters) {
  const Din din = Din::Make("G1234", 2026, 123456).value();
  EXPECT_EQ(din.text(), "G123426123456");
  EXPECT_EQ(din.Spaced(), "G1234 26 123456");
  EXPECT_EQ(din.check(), Mod37_2CheckCharacter("G123426123456").value());
  EXPECT_EQ(Din::Make("G1234", 2026, 7).value().sequence(), "000007");
  EXPECT_EQ(Din::Make("O1234", 2026, 1).status().path(), "facility");  // O is not a FIN letter
  EXPECT_EQ(Din::Make("G12X4", 2026, 1).status().path(), "facility");
  EXPECT_EQ(Din::Make("G1234", 1999, 1).status().path(), "year");
  EXPECT_EQ(Din::Make("G1234", 2026, 0).status().path(), "sequence");
  EXPECT_EQ(Din::Make("G1234", 2026, 1000000).status().path(), "sequence");
}

TEST(Din, ParsesEveryFormItArrivesIn) {
  const Din made = Din::Make("G1234", 2026, 123456).value();
  const std::string check(1, made.check());
  const std::string flags = made.BarcodeData().substr(14);
  for (const std::string& form :
       {std::string("G123426123456"), std::string("g1234 26 123456"),
        "G1234 26 123456 " + check, "G1234 26 123456 00 " + check, "G123426123456" + flags,
        "=G123426123456" + flags, std::string("=G12342612345600"), "G1234-26-123456 " + check}) {
    const base::Result<Din> parsed = Din::Parse(form);
    ASSERT_TRUE(parsed.ok()) << form << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed.value(), made) << form;
  }
}

TEST(Din, RefusesWhatIsWrongAndSaysWhy) {
  const Din made = Din::Make("G1234", 2026, 123456).value();
  const char wrong = made.check() == 'A' ? 'B' : 'A';
  const base::Status bad_check = Din::Parse("G123426123456" + std::string(1, wrong)).status();
  EXPECT_EQ(bad_check.path(), "check");
  EXPECT_NE(std::string(bad_check.message()).find("mistyped"), std::string::npos);
  // One digit mistyped, the right check character kept: caught.
  EXPECT_EQ(Din::Parse("G123426123457" + std::string(1, made.check())).status().path(), "check");
  // Check flags that disagree (a misread bar code).
  EXPECT_EQ(Din::Parse("=G12342612345661").status().path(), "flags");
  EXPECT_EQ(Din::Parse("G12342612345").status().path(), "din");     // too short
  EXPECT_EQ(Din::Parse("=G123426123456").status().path(), "din");   // bar code without flags
  EXPECT_EQ(Din::Parse("G123426123456XY").status().path(), "flags");
  EXPECT_EQ(Din::Parse("7123426123456").status().path(), "facility");
  EXPECT_EQ(Din::Parse("G1234261234X6").status().path(), "din");
  EXPECT_FALSE(Mod37_2CheckCharacter("G1-3").ok());
}

}  // namespace
}  // namespace livercell::domain
