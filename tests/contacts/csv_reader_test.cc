// CSV structure: quoting, line breaks, byte order mark, delimiters, blank lines, line numbers.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/contacts/contacts_test_util.h"

namespace herald::contacts {
namespace {

using testing::OnlyRecord;
using testing::OpenError;
using testing::ReadAll;
using testing::ReadOutput;

struct FieldCase {
  std::string description;
  std::string name_field;  // the text of the name field as written in the file
  std::optional<std::string> name;
};

void PrintTo(const FieldCase& c, std::ostream* out) { *out << c.description; }

class CsvFieldText : public ::testing::TestWithParam<FieldCase> {};

TEST_P(CsvFieldText, IsReadAsRfc4180Says) {
  const FieldCase& c = GetParam();
  const ContactRecord record = OnlyRecord("phone,name\n+4915112345678," + c.name_field + "\n");
  EXPECT_EQ(record.name, c.name) << c.description;
  EXPECT_EQ(record.phone, "+4915112345678");
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4180, CsvFieldText,
    ::testing::Values(FieldCase{"plain", "Anna", "Anna"}, FieldCase{"quoted", "\"Anna\"", "Anna"},
                      FieldCase{"doubled quotes", "\"Anna \"\"the boss\"\"\"", "Anna \"the boss\""},
                      FieldCase{"only a doubled quote", "\"\"\"\"", "\""},
                      FieldCase{"embedded comma", "\"Doe, Jane\"", "Doe, Jane"},
                      FieldCase{"embedded semicolon", "\"Doe; Jane\"", "Doe; Jane"},
                      FieldCase{"embedded LF", "\"Jane\nDoe\"", "Jane\nDoe"},
                      FieldCase{"embedded CRLF", "\"Jane\r\nDoe\"", "Jane\r\nDoe"},
                      FieldCase{"embedded CR", "\"Jane\rDoe\"", "Jane\rDoe"},
                      FieldCase{"empty quoted", "\"\"", std::nullopt},
                      FieldCase{"empty", "", std::nullopt},
                      FieldCase{"surrounding spaces trimmed", "  Anna \t", "Anna"},
                      FieldCase{"UTF-8", "J\xC3\xBCrgen \xE6\x9D\x8E",
                                "J\xC3\xBCrgen \xE6\x9D\x8E"}),
    [](const auto& info) { return testing::ParamName(info.param.description); });

TEST(CsvReader, NumbersRecordsByThePhysicalLineWhereTheyStart) {
  const ReadOutput output = ReadAll(
      "phone,name\n"
      "+1,\"two\nlines\"\n"
      "+2,b\n"
      "+3,\"three\r\nlines\r\nhere\"\n"
      "+4,d\n");
  ASSERT_EQ(output.records.size(), 4u);
  EXPECT_EQ(output.records[0].line, 2);
  EXPECT_EQ(output.records[1].line, 4);
  EXPECT_EQ(output.records[2].line, 5);
  EXPECT_EQ(output.records[3].line, 8);
}

TEST(CsvReader, ReadsLfCrlfAndCrLineEndingsAlike) {
  const std::vector<std::string> endings = {"\n", "\r\n", "\r"};
  for (const std::string& eol : endings) {
    const ReadOutput output = ReadAll("phone,name" + eol + "+1,a" + eol + eol + "+2,b" + eol);
    ASSERT_EQ(output.records.size(), 2u);
    EXPECT_EQ(output.records[0].name, "a");
    EXPECT_EQ(output.records[1].name, "b");
    EXPECT_EQ(output.records[1].line, 4);
    EXPECT_TRUE(output.rejects.empty());
  }
}

TEST(CsvReader, ReadsTheLastRowWithoutALineBreak) {
  const ReadOutput output = ReadAll("phone,name\n+1,a\n+2,b");
  ASSERT_EQ(output.records.size(), 2u);
  EXPECT_EQ(output.records[1].name, "b");
}

TEST(CsvReader, SkipsAByteOrderMark) {
  const ReadOutput output = ReadAll("\xEF\xBB\xBFphone,name\r\n+1,a\r\n");
  ASSERT_EQ(output.records.size(), 1u);
  EXPECT_EQ(output.columns, (std::vector<std::string>{"phone", "name"}));
}

TEST(CsvReader, SkipsBlankLinesAndTrailingEmptyLines) {
  const ReadOutput output = ReadAll("phone,name\n\n+1,a\n\r\n\n+2,b\n\n\n");
  ASSERT_EQ(output.rows.size(), 2u);
  EXPECT_EQ(output.records[0].line, 3);
  EXPECT_EQ(output.records[1].line, 6);
}

TEST(CsvReader, AcceptsBlankLinesBeforeTheHeader) {
  const ReadOutput output = ReadAll("\n\nphone\n+1\n");
  ASSERT_EQ(output.records.size(), 1u);
  EXPECT_EQ(output.records[0].line, 4);
}

TEST(CsvReader, DetectsTheSemicolonDelimiterFromTheHeader) {
  const ReadOutput output = ReadAll("phone;name;tags\n+1;\"Doe, Jane\";vip|new\n");
  EXPECT_EQ(output.delimiter, ';');
  ASSERT_EQ(output.records.size(), 1u);
  EXPECT_EQ(output.records[0].name, "Doe, Jane");
  EXPECT_EQ(output.records[0].tags, (std::vector<std::string>{"vip", "new"}));
}

// A header where both delimiters appear outside quotes always has a column name that holds the
// other one, which is not a valid attribute name: the error shows which delimiter was chosen.
TEST(CsvReader, CountsOnlyDelimitersOutsideQuotesWhenDetecting) {
  EXPECT_EQ(OpenError("phone,\"a;b;c\"\n"),
            "line 1: column \"a;b;c\" cannot be an attribute: attribute names are 1-64 "
            "characters of a-z, 0-9 and _");
}

TEST(CsvReader, PrefersCommaOnATie) {
  EXPECT_EQ(ReadAll("phone\n+1\n").delimiter, ',');
  EXPECT_EQ(OpenError("phone,a;b\n"),
            "line 1: column \"a;b\" cannot be an attribute: attribute names are 1-64 characters "
            "of a-z, 0-9 and _");
}

TEST(CsvReader, UsesTheDelimiterItIsGiven) {
  ReaderOptions options;
  options.delimiter = ';';
  const ReadOutput output = ReadAll("phone\n+49 151, 123\n", Format::kCsv, options);
  EXPECT_EQ(output.delimiter, ';');
  ASSERT_EQ(output.records.size(), 1u);
  EXPECT_EQ(output.records[0].phone, "+49 151, 123");
  EXPECT_EQ(ReadAll("phone\n+49 151, 123\n").rejects.size(), 1u);
}

TEST(CsvReader, MatchesHeaderNamesIgnoringCaseAndSurroundingSpaces) {
  const ContactRecord record = OnlyRecord(" Phone ,NAME, Country \n+1,Anna,de\n");
  EXPECT_EQ(record.phone, "+1");
  EXPECT_EQ(record.name, "Anna");
  EXPECT_EQ(record.country, "DE");
  EXPECT_TRUE(record.attributes.empty());
}

TEST(CsvReader, ReadsAVeryLongQuotedField) {
  const std::string long_name(300'000, 'x');
  const ContactRecord record =
      OnlyRecord("phone,name\n+1,\"" + long_name + "\n" + long_name + "\"\n");
  EXPECT_EQ(record.name, long_name + "\n" + long_name);
}

TEST(CsvReader, GivesTheSameRowsForEveryChunkSize) {
  const std::string text =
      "\xEF\xBB\xBFphone,name,tags\r\n+1,\"a\r\nb\",x;y\r\n\r\n+2,\"c\"\"d\",\r\n+3,e\"f,z\r"
      "\n+4,\"g\r\r\nh\"\r\n+5,\"unterminated\r\n";
  const ReadOutput expected = ReadAll(text);
  ASSERT_EQ(expected.rows.size(), 5u);
  for (std::size_t chunk = 1; chunk <= 9; ++chunk) {
    ReaderOptions options;
    options.chunk_bytes = chunk;
    const ReadOutput output = ReadAll(text, Format::kAuto, options);
    EXPECT_EQ(output.rows, expected.rows) << "chunk of " << chunk << " bytes";
  }
}

TEST(CsvReader, GivesNoRowsForAHeaderAlone) {
  const ReadOutput output = ReadAll("phone,name\r\n");
  EXPECT_TRUE(output.rows.empty());
  EXPECT_TRUE(output.status.ok());
}

TEST(CsvReader, KeepsTheFieldsOfTheLastRowForLaterRejects) {
  std::istringstream in("phone,name\n\"+1\",\"Doe, Jane\"\n");
  auto reader = ContactReader::Open(in, Format::kAuto);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->LastRowFields().empty());
  ASSERT_TRUE((*reader)->Next().has_value());
  EXPECT_EQ((*reader)->LastRowFields(), (std::vector<std::string>{"+1", "Doe, Jane"}));
  EXPECT_FALSE((*reader)->Next().has_value());
  EXPECT_TRUE((*reader)->LastRowFields().empty());
}

TEST(CsvReader, ReportsTheColumnsAsWritten) {
  EXPECT_EQ(ReadAll(" Phone ,Plan\n").columns, (std::vector<std::string>{" Phone ", "Plan"}));
}

}  // namespace
}  // namespace herald::contacts
