#include "campaign/price_csv.h"

#include <gtest/gtest.h>

namespace herald::campaign {
namespace {

std::string FirstError(std::string_view csv) {
  const PriceCsvResult result = ParsePriceCsv(csv, "p.csv");
  return result.errors.empty() ? "" : result.errors.front().ToString();
}

TEST(PriceCsv, ReadsTheStarterFormatWithCommentsAndRateUsd) {
  const PriceCsvResult result = ParsePriceCsv(
      "# a comment, with a comma and a \"quote\"\n"
      "market,category,rate_usd,effective_from,source\n"
      "US,marketing,0.0250,2025-07-01,public rate-card summary (North America)\n"
      "\n"
      "bd,Authentication-International,0.0960,2026-10-01,converted\n",
      "prices.csv");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  ASSERT_EQ(result.rows->size(), 2u);
  const PriceRow& us = (*result.rows)[0];
  EXPECT_EQ(us.market, "US");
  EXPECT_EQ(us.category, PriceCategory::kMarketing);
  EXPECT_EQ(us.rate_micros, 25000);
  EXPECT_EQ(us.currency, "USD");
  EXPECT_EQ(FormatDay(us.effective_from), "2025-07-01");
  const PriceRow& bd = (*result.rows)[1];
  EXPECT_EQ(bd.market, "BD");
  EXPECT_EQ(bd.category, PriceCategory::kAuthenticationInternational);
}

TEST(PriceCsv, ReadsGroupsWithTheirMembers) {
  const PriceCsvResult result = ParsePriceCsv(
      "market,members,category,rate,currency,effective_from\n"
      "Rest of Western Europe,\"AT be; DK|FI\",marketing,0.07,EUR,2025-07-01\n",
      "p.csv");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  const PriceRow& row = result.rows->front();
  EXPECT_EQ(row.market, "Rest of Western Europe");
  EXPECT_EQ(row.members, (std::vector<std::string>{"AT", "BE", "DK", "FI"}));
  EXPECT_EQ(row.currency, "EUR");
}

TEST(PriceCsv, WritesWhatItReadsBack) {
  const PriceCsvResult first = ParsePriceCsv(
      "market,members,category,rate,currency,effective_from,source\n"
      "Rest of Western Europe,AT BE,marketing,0.07,EUR,2025-07-01,\"card, 2025\"\n"
      "OTHER,,service,0.000001,EUR,2026-10-01,\n"
      "DE,,utility,12.5,EUR,2026-10-01, spaced \n",
      "p.csv");
  ASSERT_TRUE(first.ok()) << first.ErrorsToString();
  const std::string written = WritePriceCsv(*first.rows);
  const PriceCsvResult second = ParsePriceCsv(written, "written.csv");
  ASSERT_TRUE(second.ok()) << second.ErrorsToString() << "\n" << written;
  ASSERT_EQ(second.rows->size(), first.rows->size());
  for (std::size_t i = 0; i < first.rows->size(); ++i) {
    const PriceRow& a = (*first.rows)[i];
    const PriceRow& b = (*second.rows)[i];
    EXPECT_EQ(a.market, b.market);
    EXPECT_EQ(a.members, b.members);
    EXPECT_EQ(a.category, b.category);
    EXPECT_EQ(a.rate_micros, b.rate_micros);
    EXPECT_EQ(a.currency, b.currency);
    EXPECT_EQ(a.effective_from, b.effective_from);
    EXPECT_EQ(a.source, b.source);
  }
}

struct BadCase {
  const char* csv;
  const char* error;
};

class PriceCsvErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(PriceCsvErrors, NameTheLineTheColumnAndWhatIsWrong) {
  EXPECT_EQ(FirstError(GetParam().csv), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PriceCsvErrors,
    ::testing::Values(
        BadCase{"",
                "p.csv: empty file: expected a header line such as "
                "market,category,rate_usd,effective_from,source"},
        BadCase{"market,categroy,rate,effective_from\n",
                "p.csv:1: categroy: unknown column \"categroy\"; expected market, category, rate "
                "(or rate_usd, …), currency, effective_from, members, source; did you mean "
                "\"category\"?"},
        BadCase{"market,category,effective_from\nDE,marketing,2025-07-01\n",
                "p.csv:1: rate: missing column \"rate\"; the header must name market, category, "
                "rate and effective_from"},
        BadCase{"market,category,rate,effective_from\nDE,marketting,0.1,2025-07-01\n",
                "p.csv:2: category: unknown category \"marketting\"; expected marketing, utility, "
                "authentication, authentication_international or service; did you mean "
                "\"marketing\"?"},
        BadCase{"market,category,rate,effective_from\nDE,marketing,0,10,2025-07-01\n",
                "p.csv:2: 5 fields, but the header names 4 columns; quote a source or members "
                "field that contains a comma"},
        BadCase{"market,category,rate,effective_from\nDE,marketing,€0.10,2025-07-01\n",
                "p.csv:2: rate: rate \"€0.10\" is not an amount such as 0.0250 (digits, a point, "
                "at most six decimals, no sign or currency symbol)"},
        BadCase{"market,category,rate,effective_from\nDE,marketing,0.1,2025-02-30\n",
                "p.csv:2: effective_from: \"2025-02-30\" is not a date such as 2026-10-01 "
                "(YYYY-MM-DD)"},
        BadCase{"market,category,rate,effective_from\nGermany,marketing,0.1,2025-07-01\n",
                "p.csv:2: market: \"Germany\" is not a two-letter country code or OTHER; a "
                "regional group needs its countries in the members column"},
        BadCase{"market,category,rate,effective_from,members\nDE,marketing,0.1,2025-07-01,AT\n",
                "p.csv:2: members: members are for a regional group; \"DE\" is a country"},
        BadCase{"market,category,rate,effective_from,members\nG,marketing,0.1,2025-07-01,AUT\n",
                "p.csv:2: members: member \"AUT\" is not a two-letter country code (ISO 3166-1)"},
        BadCase{"market,category,rate,effective_from\nDE,marketing,0.1,2025-07-01\n"
                "de,MARKETING,0.2,2025-07-01\n",
                "p.csv:3: duplicate: DE marketing from 2025-07-01 is already on line 2"},
        BadCase{"market,category,rate,currency,effective_from\nDE,marketing,0.1,USD,2025-07-01\n"
                "FR,marketing,0.1,EUR,2025-07-01\n",
                "p.csv:3: currency: currency EUR differs from USD on line 2; a price table has "
                "one currency"},
        BadCase{"market,category,rate,currency,effective_from\nDE,marketing,0.1,dollars,"
                "2025-07-01\n",
                "p.csv:2: currency: currency \"DOLLARS\" is not a three-letter ISO 4217 code"},
        BadCase{"market,category,rate_usd,currency,effective_from\n",
                "p.csv:1: currency: both a currency column and rate_usd; keep one of them"},
        BadCase{"market,category,rate,effective_from\nDE,\"marketing,0.1,2025-07-01\n",
                "p.csv:2: a quoted field is not closed before the end of the file"}));

TEST(PriceCsv, ReportsEveryBadRowNotOnlyTheFirst) {
  const PriceCsvResult result = ParsePriceCsv(
      "market,category,rate,effective_from\nDE,x,0.1,2025-07-01\nFR,marketing,"
      "0.1,2025-07-01\nIT,marketing,-1,2025-07-01\n",
      "p.csv");
  ASSERT_EQ(result.errors.size(), 2u);
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_EQ(result.errors[1].line, 4);
  EXPECT_FALSE(result.rows);
}

}  // namespace
}  // namespace herald::campaign
