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
        RowErrorCase{"empty phone", " ,x,DE",
                     "line 3: column \"phone\": empty; every row needs a phone number"},
        RowErrorCase{"only delimiters", ",,",
                     "line 3: column \"phone\": empty; every row needs a phone number"},
        RowErrorCase{"bad field value", "+9,x,Germany",
                     "line 3: column \"country\": \"Germany\" is not an ISO 3166 alpha-2 code"}),
    [](const auto& info) { return testing::ParamName(info.param.description); });

// Text that is not UTF-8 is a file in another encoding, not one bad row: reading stops at the
// first such row with one error naming its line, column and byte, the likely encoding and how to
// convert. (These rows were rejects of their own before, and the rows after them were read.)
struct NotUtf8Case {
  std::string description;
  std::string bad_row;  // placed on line 3, between two good rows
  std::string message;
};

void PrintTo(const NotUtf8Case& c, std::ostream* out) { *out << c.description; }

class CsvNotUtf8 : public ::testing::TestWithParam<NotUtf8Case> {};

constexpr char kConvertWindows1252[] =
    ": the file looks like Windows-1252 (Excel's default); convert it with iconv -f WINDOWS-1252 "
    "-t UTF-8 in.csv > out.csv, or import with --encoding windows-1252 (encoding=windows-1252 in "
    "the API)";

TEST_P(CsvNotUtf8, StopsTheFileAtTheFirstBadRowNamingWhereAndHowToConvert) {
  const NotUtf8Case& c = GetParam();
  const ReadOutput output = ReadAll("phone,name,country\n+1,a,DE\n" + c.bad_row + "\n+2,b,AT\n");
  ASSERT_EQ(output.rows.size(), 1u) << "neither the bad row nor the rows after it";
  EXPECT_EQ(output.records.at(0).phone, "+1");
  EXPECT_EQ(output.status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(output.status.error().field, "encoding");
  EXPECT_EQ(output.status.error().message, c.message) << c.description;
}

INSTANTIATE_TEST_SUITE_P(
    EachKind, CsvNotUtf8,
    ::testing::Values(NotUtf8Case{"invalid UTF-8", "+9,J\xFCrgen,DE",
                                  std::string("not UTF-8 at line 3, column \"name\", byte 0xFC") +
                                      kConvertWindows1252},
                      NotUtf8Case{"overlong UTF-8", "+9,\xC0\xAF,DE",
                                  std::string("not UTF-8 at line 3, column \"name\", byte 0xC0") +
                                      kConvertWindows1252},
                      NotUtf8Case{"UTF-16 surrogate", "+9,\xED\xA0\x80,DE",
                                  std::string("not UTF-8 at line 3, column \"name\", byte 0xED") +
                                      kConvertWindows1252},
                      NotUtf8Case{"Windows-1252 in a quoted field on its second line",
                                  "+9,\"two\r\nlin\xE9s\",DE",
                                  std::string("not UTF-8 at line 4, column \"name\", byte 0xE9") +
                                      kConvertWindows1252},
                      NotUtf8Case{"a sequence cut by the delimiter", "+9,\xC3,\xBC",
                                  std::string("not UTF-8 at line 3, column \"name\", byte 0xC3") +
                                      kConvertWindows1252},
                      NotUtf8Case{"bad field count too", "+9,\xE9",
                                  std::string("not UTF-8 at line 3, column \"name\", byte 0xE9") +
                                      kConvertWindows1252}),
    [](const auto& info) { return testing::ParamName(info.param.description); });

TEST(CsvErrors, NamesUtf16WhenTheFileStartsWithItsByteOrderMark) {
  const std::string utf16 = std::string("\xFF\xFEp\0h\0o\0n\0e\0\n\0", 14);
  EXPECT_EQ(OpenError(utf16, Format::kCsv),
            "not UTF-8 at line 1, header field 1, byte 0xFF: the file looks like UTF-16 (Excel's "
            "\"Unicode Text\"); convert it with iconv -f UTF-16 -t UTF-8 in.csv > out.csv, or "
            "save it from Excel as \"CSV UTF-8\"");
}

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
        HeaderErrorCase{
            "invalid UTF-8", "phone,na\xFFme\n",
            std::string("not UTF-8 at line 1, header field 2, byte 0xFF") + kConvertWindows1252},
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
// Issue 15, item 3: a 100,000-column file (1.3 MB, 3 rows) took 47 s and 949 MB. The header is
// refused at once, naming the count; a row with that many fields under a usable header is one
// rejected row.
TEST(CsvLimits, AHeaderWithTooManyColumnsIsRefusedNamingTheCount) {
  std::string header = "phone";
  for (int i = 1; i < 100'000; ++i) header += ",c" + std::to_string(i);
  std::string row = "+4915112345678";
  for (int i = 1; i < 100'000; ++i) row += ",1";
  const std::string error = OpenError(header + "\n" + row + "\n" + row + "\n");
  EXPECT_NE(error.find("the header has 100000 columns; at most 1000 are allowed"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("line 1"), std::string::npos) << error;

  std::string at_limit = "phone";
  for (std::size_t i = 1; i < kMaxImportColumns; ++i) at_limit += ",c" + std::to_string(i);
  EXPECT_EQ(OpenError(at_limit + "\n"), "") << "1000 columns are fine";
}

TEST(CsvLimits, ARowWithTooManyFieldsIsOneRejectedRow) {
  std::string row = "+4915112345678,x";
  for (int i = 0; i < 100'000; ++i) row += ",1";
  const ReadOutput output = ReadAll("phone,name\n" + row + "\n+4915112345679,y\n");
  ASSERT_EQ(output.rejects.size(), 1u);
  EXPECT_EQ(output.rejects[0].reason, "line 2: expected 2 fields, found 100002");
  ASSERT_EQ(output.records.size(), 1u);
}

TEST(JsonLinesLimits, AnObjectWithTooManyKeysIsARejectedRow) {
  std::string object = "{\"phone\":\"+4915112345678\"";
  for (int i = 0; i < 5000; ++i) object += ",\"k" + std::to_string(i) + "\":1";
  object += "}";
  std::string attributes = "{\"phone\":\"+4915112345679\",\"attributes\":{";
  for (int i = 0; i < 5000; ++i) attributes += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  attributes += "}}";
  const ReadOutput output = ReadAll(
      object + "\n" + attributes + "\n{\"phone\":\"+4915112345670\"}\n", Format::kJsonLines);
  ASSERT_EQ(output.rejects.size(), 2u);
  EXPECT_NE(output.rejects[0].reason.find("the object has 5001 keys; at most 1000"),
            std::string::npos)
      << output.rejects[0].reason;
  EXPECT_NE(output.rejects[1].reason.find("5000 attributes; at most 1000"), std::string::npos)
      << output.rejects[1].reason;
  EXPECT_EQ(output.records.size(), 1u);
}

}  // namespace herald::contacts
