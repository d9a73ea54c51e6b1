// CSV output of contacts: rejects files that read back as what was rejected, and exports guarded
// against spreadsheet formulas that import back unchanged. (Quoting itself:
// tests/common/csv_test.cc.)
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/contacts/contacts_test_util.h"

namespace herald::contacts {
namespace {

using testing::ReadAll;
using testing::ReadOutput;

// The rejects of `output` as a CSV.
std::string WriteRejects(const ReadOutput& output) {
  std::ostringstream out;
  RejectsCsvWriter writer(out, output.columns, output.delimiter);
  for (const Reject& reject : output.rejects) writer.Write(reject);
  return out.str();
}

// Writes the rejects of `output` as a CSV and reads that back.
ReadOutput RoundTrip(const ReadOutput& output, std::string* text = nullptr) {
  const std::string written = WriteRejects(output);
  if (text != nullptr) *text = written;
  return ReadAll(written, Format::kCsv);
}

TEST(RejectsCsv, ReadsBackWithTheSameFieldsAndReasons) {
  const ReadOutput first = ReadAll(
      "phone,name,country,consent_marketing\r\n"
      "+1,\"Doe, \"\"JD\"\" Jane\",Germany,yes\r\n"
      "+2,ok,DE,yes\r\n"
      "+3,\"two\nlines\",AT,perhaps\r\n");
  ASSERT_EQ(first.rejects.size(), 2u);
  const ReadOutput second = RoundTrip(first);
  EXPECT_EQ(second.columns, (std::vector<std::string>{"line", "reason", "phone", "name", "country",
                                                      "consent_marketing"}));
  ASSERT_EQ(second.rejects.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const Reject& original = first.rejects[i];
    std::vector<std::string> fields = {std::to_string(original.line),
                                       std::string(original.ReasonWithoutLine())};
    fields.insert(fields.end(), original.fields.begin(), original.fields.end());
    EXPECT_EQ(second.rejects[i].fields, fields);
    // Same problem, found on the rejects file's own line.
    const std::string problem = original.reason.substr(original.reason.find(": "));
    EXPECT_EQ(second.rejects[i].reason.substr(second.rejects[i].reason.find(": ")), problem);
  }
  EXPECT_EQ(second.rejects[1].line, 3);
}

TEST(RejectsCsv, PadsShortRowsAndKeepsTheSourceDelimiter) {
  const ReadOutput first = ReadAll("phone;name;tags\n+1\n+2;a;b|c;extra\n");
  ASSERT_EQ(first.rejects.size(), 2u);
  std::string text;
  const ReadOutput second = RoundTrip(first, &text);
  EXPECT_EQ(text,
            "line;reason;phone;name;tags\r\n"
            "2;expected 3 fields, found 1;+1;;\r\n"
            "3;expected 3 fields, found 4;+2;a;b|c;extra\r\n");
  ASSERT_EQ(second.rows.size(), 2u);
  ASSERT_EQ(second.records.size(), 1u);  // the padded row is now well formed
  EXPECT_EQ(second.records[0].phone, "+1");
}

TEST(RejectsCsv, RenamesItsColumnsWhenTheSourceHasThem) {
  const ReadOutput first = ReadAll("phone,Line,reason\n,1,2\n");
  const std::string text = WriteRejects(first);
  EXPECT_TRUE(text.starts_with("reject_line,reject_reason,phone,Line,reason\r\n")) << text;
}

TEST(RejectsCsv, HoldsJsonLinesInOneColumn) {
  const ReadOutput first = ReadAll("{\"phone\":\"+1\",\"country\":\"Germany\"}\n[1,2]\n");
  ASSERT_EQ(first.rejects.size(), 2u);
  EXPECT_EQ(WriteRejects(first),
            "line,reason,json\r\n"
            "1,\"key \"\"country\"\": \"\"Germany\"\" is not an ISO 3166 alpha-2 code\","
            "\"{\"\"phone\"\":\"\"+1\"\",\"\"country\"\":\"\"Germany\"\"}\"\r\n"
            "2,\"expected a JSON object, found an array\",\"[1,2]\"\r\n");
}

TEST(RejectsCsv, ReasonDoesNotRepeatTheLineOfItsLineColumn) {
  const ReadOutput first = ReadAll("phone,country\n+1,Germany\n");
  ASSERT_EQ(first.rejects.size(), 1u);
  EXPECT_EQ(first.rejects[0].reason,
            "line 2: column \"country\": \"Germany\" is not an ISO 3166 alpha-2 code")
      << "the reader's reason stands on its own";
  EXPECT_EQ(WriteRejects(first),
            "line,reason,phone,country\r\n"
            "2,\"column \"\"country\"\": \"\"Germany\"\" is not an ISO 3166 alpha-2 "
            "code\",+1,Germany\r\n");
}

TEST(RejectsCsv, ReadsBackLineAndReasonForPeopleWithEitherDelimiter) {
  for (const std::string file :
       {"phone,name\n+1,\"a\"b\"\n+2,x,y\n+3,ok\n", "phone;name\n+1;\"a\"b\"\n+2;x;y\n+3;ok\n"}) {
    const ReadOutput first = ReadAll(file);
    ASSERT_EQ(first.rejects.size(), 2u);
    auto summaries = ReadRejectsCsv(WriteRejects(first), 10);
    ASSERT_TRUE(summaries.ok()) << summaries.error().ToString();
    ASSERT_EQ(summaries->size(), 2u);
    EXPECT_EQ((*summaries)[0].line, 2);
    EXPECT_EQ((*summaries)[0].reason, "column \"name\": text after the closing quote");
    EXPECT_EQ((*summaries)[1].line, 3);
    EXPECT_EQ((*summaries)[1].reason, "expected 2 fields, found 3");
    EXPECT_EQ(ReadRejectsCsv(WriteRejects(first), 1)->size(), 1u);
  }
  const ReadOutput renamed = ReadAll("phone,line\n,1\n");
  auto summaries = ReadRejectsCsv(WriteRejects(renamed), 10);
  ASSERT_TRUE(summaries.ok()) << summaries.error().ToString();
  EXPECT_EQ(summaries->at(0).line, 2) << "reject_line when the source has a line column";
  EXPECT_FALSE(ReadRejectsCsv("phone,name\r\n+1,a\r\n", 10).ok());
  EXPECT_FALSE(ReadRejectsCsv("line,reason\r\nthree,x\r\n", 10).ok());
}

TEST(RejectsCsv, KeepsAReasonThatDoesNotStartWithItsLine) {
  std::ostringstream out;
  RejectsCsvWriter writer(out, {"phone"}, ',');
  writer.Write(Reject{12, "line 3: said elsewhere", {"+1"}});
  EXPECT_EQ(out.str(), "line,reason,phone\r\n12,line 3: said elsewhere,+1\r\n");
}

// A segment export (daemon/segments_api.cc writes rows like these with ContactCsvOptions) imports
// back to the same contacts: phone numbers and plain numbers are not guarded, and the guard the
// formulas got is stripped on import.
TEST(ContactCsvExport, GuardsFormulasAndImportsBackUnchanged) {
  const std::vector<std::vector<std::string>> rows = {
      {"phone", "name", "tags", "language", "balance", "note"},
      {"+4915112345678", "=HYPERLINK(\"http://evil\",\"x\")", "vip;new", "de_AT", "-12.50",
       "@SUM(1+1)"},
      {"+14155550123", "'=already quoted", "", "pt_BR", "+3", "-2+3+cmd|' /C calc'!A0"},
      {"+447700900123", "Plain, Name", "", "", "42", "'"},
  };
  std::string text;
  for (const auto& row : rows) AppendCsvRow(text, row, ContactCsvOptions());
  EXPECT_NE(text.find("\r\n+4915112345678,\"'=HYPERLINK("), std::string::npos) << text;
  EXPECT_NE(text.find(",-12.50,'@SUM(1+1)\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find(",''=already quoted,"), std::string::npos) << text;

  const ReadOutput output = ReadAll(text, Format::kCsv);
  ASSERT_EQ(output.records.size(), 3u) << (output.rejects.empty() ? "" : output.rejects[0].reason);
  EXPECT_EQ(output.records[0].phone, "+4915112345678");
  EXPECT_EQ(output.records[0].name, "=HYPERLINK(\"http://evil\",\"x\")");
  EXPECT_EQ(output.records[0].language, "de_AT");
  EXPECT_EQ(output.records[0].attributes, (std::vector<std::pair<std::string, std::string>>{
                                              {"balance", "-12.50"}, {"note", "@SUM(1+1)"}}));
  EXPECT_EQ(output.records[1].phone, "+14155550123");
  EXPECT_EQ(output.records[1].name, "'=already quoted");
  EXPECT_EQ(output.records[1].attributes,
            (std::vector<std::pair<std::string, std::string>>{{"balance", "+3"},
                                                              {"note", "-2+3+cmd|' /C calc'!A0"}}));
  EXPECT_EQ(output.records[2].name, "Plain, Name");
  EXPECT_EQ(output.records[2].attributes,
            (std::vector<std::pair<std::string, std::string>>{{"balance", "42"}, {"note", "'"}}));
}

TEST(RejectsCsv, GuardsFormulasButNotPhoneNumbers) {
  const ReadOutput first = ReadAll("phone,name,country\n+4915112345678,=cmd,Germany\n");
  ASSERT_EQ(first.rejects.size(), 1u);
  const std::string text = WriteRejects(first);
  EXPECT_NE(text.find(",+4915112345678,'=cmd,Germany\r\n"), std::string::npos) << text;
  const ReadOutput second = ReadAll(text, Format::kCsv);
  ASSERT_EQ(second.rejects.size(), 1u);
  // The guard is stripped from a reject's fields too, so that a rejects file written again from
  // them is guarded once, not once more each round.
  EXPECT_EQ(second.rejects[0].fields[3], "=cmd");
}

}  // namespace
}  // namespace herald::contacts
