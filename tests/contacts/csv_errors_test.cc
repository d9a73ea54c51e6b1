// CSV problems: each kind is reported with its line, the reader goes on after a bad row, and a
// header that cannot be used fails Open.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/contacts/contacts_test_util.h"

namespace herald::contacts {
namespace {

using testing::OpenError;
using testing::ReadAll;
using testing::ReadOutput;

struct RowErrorCase {
  std::string description;
  std::string bad_row;  // placed on line 3, between two good rows
  std::string reason;
};

void PrintTo(const RowErrorCase& c, std::ostream* out) { *out << c.description; }

class CsvRowError : public ::testing::TestWithParam<RowErrorCase> {};

TEST_P(CsvRowError, RejectsTheRowWithItsLineAndGoesOn) {
  const RowErrorCase& c = GetParam();
  const ReadOutput output = ReadAll("phone,name,country\n+1,a,DE\n" + c.bad_row + "\n+2,b,AT\n");
  ASSERT_EQ(output.rejects.size(), 1u) << c.description;
  EXPECT_EQ(output.rejects[0].line, 3);
  EXPECT_EQ(output.rejects[0].reason, c.reason) << c.description;
  ASSERT_EQ(output.records.size(), 2u) << c.description;
  EXPECT_EQ(output.records[1].phone, "+2");
  EXPECT_EQ(output.records[1].line, 4);
}

INSTANTIATE_TEST_SUITE_P(
    EachKind, CsvRowError,
    ::testing::Values(
        RowErrorCase{"too many fields", "+9,x,DE,extra", "line 3: expected 3 fields, found 4"},
        RowErrorCase{"too few fields", "+9,x", "line 3: expected 3 fields, found 2"},
        RowErrorCase{"quote inside an unquoted field", "+9,Anna \"A\",DE",
                     "line 3: column \"name\": quote inside an unquoted field (quote the field "
                     "and double the quote)"},
        RowErrorCase{"text after the closing quote", "+9,\"Anna\" A,DE",
                     "line 3: column \"name\": text after the closing quote"},
        RowErrorCase{"invalid UTF-8", "+9,J\xFCrgen,DE",
                     "line 3: column \"name\": not valid UTF-8"},
        RowErrorCase{"overlong UTF-8", "+9,\xC0\xAF,DE",
                     "line 3: column \"name\": not valid UTF-8"},
        RowErrorCase{"UTF-16 surrogate", "+9,\xED\xA0\x80,DE",
                     "line 3: column \"name\": not valid UTF-8"},
        RowErrorCase{"empty phone", " ,x,DE",
                     "line 3: column \"phone\": empty; every row needs a phone number"},
        RowErrorCase{"only delimiters", ",,",
                     "line 3: column \"phone\": empty; every row needs a phone number"},
        RowErrorCase{"bad field value", "+9,x,Germany",
                     "line 3: column \"country\": \"Germany\" is not an ISO 3166 alpha-2 code"}),
    [](const auto& info) { return testing::ParamName(info.param.description); });

TEST(CsvErrors, NamesTheLineOfAFieldCountMismatch) {
  const ReadOutput output = ReadAll(
      "phone,name,country,language,plan\n"
      "+1,a,DE,de,gold\n+2,b,DE,de,gold\n+3,c,DE,de,gold\n+4,d,DE,de,gold\n+5,e,DE,de,gold\n"
      "+6,f,DE,de,gold,extra\n");
  ASSERT_EQ(output.rejects.size(), 1u);
  EXPECT_EQ(output.rejects[0].reason, "line 7: expected 5 fields, found 6");
  EXPECT_EQ(output.rejects[0].fields,
            (std::vector<std::string>{"+6", "f", "DE", "de", "gold", "extra"}));
  EXPECT_EQ(output.records.size(), 5u);
}

TEST(CsvErrors, EndsTheFileAtAnUnterminatedQuoteNamingWhereItOpened) {
  const ReadOutput output = ReadAll("phone,name\n+1,a\n+2,\"b\n+3,c\n+4,d\n");
  ASSERT_EQ(output.rows.size(), 2u);
  ASSERT_EQ(output.rejects.size(), 1u);
  EXPECT_EQ(output.rejects[0].line, 3);
  EXPECT_EQ(output.rejects[0].reason,
            "line 3: column \"name\": the quoted field opened on line 3 is never closed");
  EXPECT_TRUE(output.status.ok());
}

TEST(CsvErrors, ReportsEveryBadRowNotOnlyTheFirst) {
  const ReadOutput output =
      ReadAll("phone,country\n+1,XX1\n+2,DE\n+3,D\n+4,\"a\"b\n+5,AT,1\n+6,FR\n");
  ASSERT_EQ(output.rejects.size(), 4u);
  EXPECT_EQ(output.rejects[0].line, 2);
  EXPECT_EQ(output.rejects[1].line, 4);
  EXPECT_EQ(output.rejects[2].line, 5);
  EXPECT_EQ(output.rejects[3].line, 6);
  ASSERT_EQ(output.records.size(), 2u);
  EXPECT_EQ(output.records[1].country, "FR");
}

TEST(CsvErrors, RejectsARowLongerThanTheLimitAndReadsTheNext) {
  ReaderOptions options;
  options.max_row_bytes = 100;
  const ReadOutput output =
      ReadAll("phone,name\n+1,\"" + std::string(500, 'x') + "\n,\"\n+2,b\n", Format::kCsv, options);
  ASSERT_EQ(output.rejects.size(), 1u);
  EXPECT_EQ(output.rejects[0].reason, "line 2: the row is longer than 100 bytes");
  ASSERT_EQ(output.records.size(), 1u);
  EXPECT_EQ(output.records[0].line, 4);
}

TEST(CsvErrors, ReportsAnUnterminatedQuoteThatRunsPastTheRowLimit) {
  ReaderOptions options;
  options.max_row_bytes = 100;
  const ReadOutput output =
      ReadAll("phone,name\n+1,a\n+2,\"" + std::string(500, 'x') + "\n", Format::kCsv, options);
  ASSERT_EQ(output.rejects.size(), 1u);
  EXPECT_EQ(output.rejects[0].reason, "line 3: the quoted field opened on line 3 is never closed");
}

TEST(CsvErrors, CountsDelimitersTowardsTheRowLimit) {
  ReaderOptions options;
  options.max_row_bytes = 100;
  const ReadOutput output =
      ReadAll("phone,name\n" + std::string(5000, ',') + "\n+2,b\n", Format::kCsv, options);
  ASSERT_EQ(output.rejects.size(), 1u);
  EXPECT_EQ(output.rejects[0].reason, "line 2: the row is longer than 100 bytes");
  EXPECT_TRUE(output.rejects[0].fields.empty());
  EXPECT_EQ(output.records.size(), 1u);
}

TEST(CsvErrors, KeepsTheRejectedRowsFieldsAsRead) {
  const ReadOutput output = ReadAll("phone,name,country\n\"+1\",\"Doe, Jane\",Germany\n");
  ASSERT_EQ(output.rejects.size(), 1u);
  EXPECT_EQ(output.rejects[0].fields, (std::vector<std::string>{"+1", "Doe, Jane", "Germany"}));
}

struct HeaderErrorCase {
  std::string description;
  std::string text;
  std::string message;
};

void PrintTo(const HeaderErrorCase& c, std::ostream* out) { *out << c.description; }

class CsvHeaderError : public ::testing::TestWithParam<HeaderErrorCase> {};

TEST_P(CsvHeaderError, FailsOpenNamingTheProblem) {
  const HeaderErrorCase& c = GetParam();
  EXPECT_EQ(OpenError(c.text, Format::kCsv), c.message) << c.description;
}

INSTANTIATE_TEST_SUITE_P(
    EachKind, CsvHeaderError,
    ::testing::Values(
        HeaderErrorCase{"empty input", "", "the input is empty: a header line is needed"},
        HeaderErrorCase{"only blank lines", "\r\n\n",
                        "the input is empty: a header line is needed"},
        HeaderErrorCase{"no phone column", "name,country\n+1,DE\n", "line 1: no \"phone\" column"},
        HeaderErrorCase{"empty column name", "phone,,country\n", "line 1: column 2 has no name"},
        HeaderErrorCase{"blank column name", "phone,  \n", "line 1: column 2 has no name"},
        HeaderErrorCase{"duplicate column", "phone,name,Phone\n",
                        "line 1: duplicate column \"Phone\" (columns 1 and 3)"},
        HeaderErrorCase{"bad attribute name", "phone,Plan Name\n",
                        "line 1: column \"Plan Name\" cannot be an attribute: attribute names "
                        "are 1-64 characters of a-z, 0-9 and _"},
        HeaderErrorCase{"attribute name too long", "phone," + std::string(65, 'a') + "\n",
                        "line 1: column \"" + std::string(64, 'a') +
                            "...\" cannot be an attribute: attribute names are 1-64 characters "
                            "of a-z, 0-9 and _"},
        HeaderErrorCase{"invalid UTF-8", "phone,na\xFFme\n",
                        "line 1: the header is not valid UTF-8"},
        HeaderErrorCase{"unterminated quote", "phone,\"name\n",
                        "line 1: header: field 2: the quoted field opened on line 1 is never "
                        "closed"}),
    [](const auto& info) { return testing::ParamName(info.param.description); });

TEST(CsvErrors, RefusesADelimiterOtherThanCommaOrSemicolon) {
  ReaderOptions options;
  options.delimiter = '\t';
  EXPECT_EQ(OpenError("phone\n", Format::kCsv, options), "the CSV delimiter must be ',' or ';'");
}

}  // namespace
}  // namespace herald::contacts
