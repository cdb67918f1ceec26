#include "core/text.hpp"

#include <gtest/gtest.h>

namespace dossier {

TEST(FoldText, LowercasesAndRemovesDiacritics) {
  EXPECT_EQ(fold_text("CAFÉ één Ëlla ß Œ"), "cafe een ella ss oe");
  EXPECT_EQ(fold_text("Łódź Škoda"), "lodz skoda");
  EXPECT_EQ(fold_text("ABC-xyz 123"), "abc-xyz 123");
}

TEST(FindDates, EveryAcceptedForm) {
  const std::string text = fold_text(
      "2 oktober 2026; 02-10-2026, 2-10-26 en 2026-10-02; 02/10/2026, 2.10.2026, 2 okt. 2026, October 2, 2026");
  std::vector<std::string> isos;
  for (const auto& d : find_dates(text)) isos.push_back(d.iso);
  EXPECT_EQ(isos, std::vector<std::string>(8, "2026-10-02"));
}

TEST(FindDates, TwoDigitYearsAndNonDates) {
  EXPECT_EQ(find_first_date("op 5-3-99"), "1999-03-05");
  EXPECT_EQ(find_first_date("op 31-12-69"), "2069-12-31");
  EXPECT_FALSE(find_first_date("versie 1-2-3-4"));
  EXPECT_FALSE(find_first_date("31-02-26"));
  EXPECT_FALSE(find_first_date("12-13-26"));
  EXPECT_FALSE(find_first_date("1-2-345"));
}

TEST(IsoDays, CountsFromTheEpoch) {
  EXPECT_EQ(iso_days("1970-01-01"), 0);
  EXPECT_EQ(iso_days("2026-12-01"), 20788);
  EXPECT_EQ(*iso_days("2024-03-01") - *iso_days("2024-02-28"), 2);  // leap year
  EXPECT_FALSE(iso_days("2026-02-30"));
  EXPECT_FALSE(iso_days("2026-1-01"));
}

TEST(FindFirstDate, DutchAndIsoForms) {
  EXPECT_EQ(find_first_date("Datum: 12 maart 2024"), "2024-03-12");
  EXPECT_EQ(find_first_date("op 1 mei 2023 gezien"), "2023-05-01");
  EXPECT_EQ(find_first_date("12-03-2024"), "2024-03-12");
  EXPECT_EQ(find_first_date("12/03/2024"), "2024-03-12");
  EXPECT_EQ(find_first_date("5.7.2021"), "2021-07-05");
  EXPECT_EQ(find_first_date("ref 2024-03-12."), "2024-03-12");
  EXPECT_EQ(find_first_date("3 mrt. 2024"), "2024-03-03");
  EXPECT_EQ(find_first_date("15 OKTOBER 2022"), "2022-10-15");
}

TEST(FindFirstDate, EnglishForms) {
  EXPECT_EQ(find_first_date("Date: 1 March 2024"), "2024-03-01");
  EXPECT_EQ(find_first_date("March 12, 2024"), "2024-03-12");
  EXPECT_EQ(find_first_date("Sept 9 2020"), "2020-09-09");
}

TEST(FindFirstDate, TakesFirstValidDateInOrder) {
  EXPECT_EQ(find_first_date("31-02-2024 is geen datum, 29-02-2024 wel"), "2024-02-29");
  EXPECT_EQ(find_first_date("eerst 2023-01-05 dan 12 maart 2024"), "2023-01-05");
}

TEST(FindFirstDate, RejectsNonDates) {
  EXPECT_FALSE(find_first_date("29-02-2023"));        // not a leap year
  EXPECT_FALSE(find_first_date("12-13-2024"));        // month 13
  EXPECT_FALSE(find_first_date("112-03-2024"));       // part of a longer number
  EXPECT_FALSE(find_first_date("12-03-20245"));
  EXPECT_FALSE(find_first_date("12-03/2024"));        // mixed separators
  EXPECT_FALSE(find_first_date("12 maartje 2024"));
  EXPECT_FALSE(find_first_date("01-01-1800"));        // implausible year
  EXPECT_FALSE(find_first_date("telefoon 06-12345678"));
  EXPECT_FALSE(find_first_date(""));
}

TEST(ValidDate, LeapYears) {
  EXPECT_TRUE(valid_date(2000, 2, 29));
  EXPECT_FALSE(valid_date(1900, 2, 29));
  EXPECT_TRUE(valid_date(2024, 2, 29));
  EXPECT_FALSE(valid_date(2024, 4, 31));
  EXPECT_FALSE(valid_date(2024, 0, 1));
}

}  // namespace dossier
