// The shared CSV tokenizer and writer (common/csv.h): quoting, line counting, chunk boundaries,
// delimiter sniffing and the spreadsheet formula guard.
#include "common/csv.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace herald {
namespace {

struct Row {
  std::int64_t line = 0;
  std::vector<std::string> fields;
  CsvRowError error = CsvRowError::kNone;
  bool operator==(const Row&) const = default;
};

void PrintTo(const Row& row, std::ostream* out) {
  *out << "line " << row.line << " error " << static_cast<int>(row.error) << " "
       << ::testing::PrintToString(row.fields);
}

// Every row of `text`, read `chunk_bytes` at a time (0: from memory, in place).
std::vector<Row> Tokenize(const std::string& text, std::size_t chunk_bytes = 0,
                          char delimiter = ',', std::size_t max_row_bytes = 1 << 20) {
  std::istringstream in(text);
  ChunkedInput input = chunk_bytes == 0 ? ChunkedInput(text) : ChunkedInput(in, chunk_bytes);
  CsvTokenizer tokenizer(input, max_row_bytes);
  tokenizer.set_delimiter(delimiter);
  std::vector<Row> rows;
  CsvRow row;
  while (tokenizer.Next(row)) rows.push_back(Row{row.line, row.Fields(), row.error});
  return rows;
}

TEST(CsvTokenizer, ReadsQuotedFieldsWithDelimitersQuotesAndLineBreaks) {
  const std::string text = "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",x,\n\nlast";
  const std::vector<Row> expected = {
      {1, {"a", "b,c", "say \"hi\""}},
      {2, {"two\r\nlines", "x", ""}},
      {4, {""}},  // the empty line: one empty field (IsBlank)
      {5, {"last"}},
  };
  EXPECT_EQ(Tokenize(text), expected);
}

TEST(CsvTokenizer, GivesTheSameRowsForEveryChunkSize) {
  const std::string text = "h1;h2\r\n\"x;\r\ny\";\"\"\"\"\rplain;\"a\"b\n\"open;\r\n never closed";
  const std::vector<Row> whole = Tokenize(text, 0, ';');
  ASSERT_EQ(whole.size(), 4u);
  EXPECT_EQ(whole[2].error, CsvRowError::kTextAfterClosingQuote);
  EXPECT_EQ(whole[3].error, CsvRowError::kUnterminatedQuote);
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk) {
    EXPECT_EQ(Tokenize(text, chunk, ';'), whole) << "chunk " << chunk;
  }
}

TEST(CsvTokenizer, CountsLinesOfEveryKindOfLineBreak) {
  const std::vector<Row> rows = Tokenize("a\rb\nc\r\n\"d\re\"\nf");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[3].line, 4);
  EXPECT_EQ(rows[4].line, 6);
}

TEST(CsvTokenizer, ReportsStructuralProblemsAndGoesOn) {
  CsvRow row;
  ChunkedInput input(std::string_view("ok,5\" screen\n\"a\"b,c\nnext\n\"x,\ny"));
  CsvTokenizer tokenizer(input, 1 << 20);
  ASSERT_TRUE(tokenizer.Next(row));
  EXPECT_EQ(row.error, CsvRowError::kQuoteInUnquotedField);
  EXPECT_EQ(row.error_field, 1u);
  ASSERT_TRUE(tokenizer.Next(row));
  EXPECT_EQ(row.error, CsvRowError::kTextAfterClosingQuote);
  EXPECT_EQ(row.error_field, 0u);
  ASSERT_TRUE(tokenizer.Next(row));
  EXPECT_EQ(row.Fields(), std::vector<std::string>{"next"});
  ASSERT_TRUE(tokenizer.Next(row));
  EXPECT_EQ(row.error, CsvRowError::kUnterminatedQuote);
  EXPECT_EQ(row.error_line, 4);
  EXPECT_FALSE(tokenizer.Next(row));
}

TEST(CsvTokenizer, DropsRowsLongerThanTheLimit) {
  const std::vector<Row> rows =
      Tokenize("short\n" + std::string(100, 'x') + "\nafter\n", 7, ',', 32);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].error, CsvRowError::kRowTooLong);
  EXPECT_TRUE(rows[1].fields.empty());
  EXPECT_EQ(rows[2], (Row{3, {"after"}}));
}

TEST(CsvTokenizer, SkipsEmptyLinesAndPeeksAtTheHeader) {
  ChunkedInput input(std::string_view("\xEF\xBB\xBF\r\n\nphone;\"a;b\"\nrest"));
  input.SkipByteOrderMark();
  CsvTokenizer tokenizer(input, 1 << 20);
  tokenizer.SkipEmptyLines();
  EXPECT_EQ(tokenizer.PeekRow(), "phone;\"a;b\"");
  CsvRow row;
  ASSERT_TRUE(tokenizer.Next(row));
  EXPECT_EQ(row.line, 3);
}

TEST(SniffCsvDelimiter, PicksTheDelimiterThatSplitsMoreColumnsOutsideQuotes) {
  EXPECT_EQ(SniffCsvDelimiter("phone,name,tags"), ',');
  EXPECT_EQ(SniffCsvDelimiter("phone;name;tags"), ';');
  EXPECT_EQ(SniffCsvDelimiter("phone;\"a,b,c\""), ';');
  EXPECT_EQ(SniffCsvDelimiter("phone"), ',');
  EXPECT_EQ(SniffCsvDelimiter("a,b;c"), ',');  // a tie
}

// Quoting ----------------------------------------------------------------------------------------

struct QuotingCase {
  std::string field;
  std::string written;
};

void PrintTo(const QuotingCase& c, std::ostream* out) { *out << ::testing::PrintToString(c.field); }

class CsvQuoting : public ::testing::TestWithParam<QuotingCase> {};

TEST_P(CsvQuoting, QuotesOnlyWhatNeedsIt) {
  std::string out;
  const std::vector<std::string> fields = {"a", GetParam().field};
  AppendCsvRow(out, fields);
  EXPECT_EQ(out, "a," + GetParam().written + "\r\n");
}

INSTANTIATE_TEST_SUITE_P(Fields, CsvQuoting,
                         ::testing::Values(QuotingCase{"plain", "plain"}, QuotingCase{"", ""},
                                           QuotingCase{"Doe, Jane", "\"Doe, Jane\""},
                                           QuotingCase{"say \"hi\"", "\"say \"\"hi\"\"\""},
                                           QuotingCase{"two\nlines", "\"two\nlines\""},
                                           QuotingCase{"cr\rhere", "\"cr\rhere\""},
                                           QuotingCase{" padded", "\" padded\""},
                                           QuotingCase{"semi;colon", "semi;colon"},
                                           QuotingCase{"J\xC3\xBCrgen", "J\xC3\xBCrgen"}));

TEST(CsvWriter, QuotesTheOtherDelimiterWhenAskedTo) {
  std::string out;
  const std::vector<std::string_view> fields = {"a,b", "c;d"};
  CsvWriteOptions options;
  options.delimiter = ';';
  AppendCsvRow(out, fields, options);
  EXPECT_EQ(out, "a,b;\"c;d\"\r\n");
}

TEST(CsvWriter, WritesALoneEmptyFieldSoThatTheRowIsNotBlank) {
  std::ostringstream out;
  WriteCsvRow(out, std::vector<std::string>{""});
  EXPECT_EQ(out.str(), "\"\"\r\n");
}

TEST(CsvWriter, LeavesBlanksUnquotedAndEndsLinesAsAsked) {
  std::string out;
  CsvWriteOptions options;
  options.line_end = "\n";
  options.quote_surrounding_blanks = false;
  AppendCsvRow(out, std::vector<std::string>{" spaced ", "=1+1"}, options);
  EXPECT_EQ(out, " spaced ,=1+1\n");
}

TEST(CsvWriter, ReadsBackWhatItWrote) {
  const std::vector<std::string> fields = {"",  "a,b", "\"",      "two\r\nlines", " x ",
                                           "'", "=1",  "'=HYPER", "cr\r",         "\t"};
  std::string out;
  CsvWriteOptions options;
  AppendCsvRow(out, fields, options);
  const std::vector<Row> rows = Tokenize(out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, fields);
}

// The formula guard -----------------------------------------------------------------------------

struct GuardCase {
  std::string field;
  std::string written;  // by a guarding writer, before quoting
};

void PrintTo(const GuardCase& c, std::ostream* out) { *out << ::testing::PrintToString(c.field); }

class CsvFormulaGuard : public ::testing::TestWithParam<GuardCase> {};

TEST_P(CsvFormulaGuard, GuardsWhatASpreadsheetWouldRunAndReadsBackUnchanged) {
  const GuardCase& c = GetParam();
  EXPECT_EQ(NeedsFormulaGuard(c.field), c.written != c.field);
  std::string out;
  CsvWriteOptions options;
  options.guard_formulas = true;
  options.quote_surrounding_blanks = false;
  AppendCsvField(out, c.field, options);
  const std::vector<Row> rows = Tokenize(out + "\n");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].fields.size(), 1u);
  EXPECT_EQ(rows[0].fields[0], c.written);
  EXPECT_EQ(StripFormulaGuard(rows[0].fields[0]), c.field);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, CsvFormulaGuard,
    ::testing::Values(GuardCase{"=HYPERLINK(\"http://x\",\"y\")",
                                "'=HYPERLINK(\"http://x\",\"y\")"},
                      GuardCase{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
                      GuardCase{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
                      GuardCase{"@SUM(1+1)", "'@SUM(1+1)"}, GuardCase{"\tx", "'\tx"},
                      GuardCase{"\r=1", "'\r=1"}, GuardCase{"-", "'-"}, GuardCase{"+", "'+"},
                      GuardCase{"'=1", "''=1"},  // already quoted: guarded again, reversibly
                      GuardCase{"''@x", "'''@x"},
                      // Plain numbers and E.164 phone numbers are not formulas.
                      GuardCase{"+4915112345678", "+4915112345678"}, GuardCase{"+1", "+1"},
                      GuardCase{"-12.50", "-12.50"}, GuardCase{"42", "42"},
                      GuardCase{"+49 151", "'+49 151"}, GuardCase{"-1e5", "'-1e5"},
                      GuardCase{"1+1", "1+1"}, GuardCase{"plain", "plain"}, GuardCase{"", ""},
                      GuardCase{"'", "'"}, GuardCase{"'quoted'", "'quoted'"},
                      GuardCase{"a=b", "a=b"}));

TEST(CsvFormulaGuard, IsOffUnlessAskedFor) {
  std::string out;
  AppendCsvField(out, "=1+1");
  EXPECT_EQ(out, "=1+1");
  EXPECT_EQ(StripFormulaGuard("plain"), "plain");
  EXPECT_EQ(StripFormulaGuard("'plain"), "'plain");
  EXPECT_EQ(StripFormulaGuard("'+4915112345678"), "'+4915112345678");
}

}  // namespace
}  // namespace herald
