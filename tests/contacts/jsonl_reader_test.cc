// JSON Lines: the same fields and checks as CSV, one object per line.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/contacts/contacts_test_util.h"

namespace herald::contacts {
namespace {

using testing::OnlyRecord;
using testing::OnlyRejectReason;
using testing::ReadAll;
using testing::ReadOutput;

using Attributes = std::vector<std::pair<std::string, std::string>>;

TEST(JsonLinesReader, ReadsEveryKnownKey) {
  const ContactRecord record =
      OnlyRecord(R"({"phone":"+49 151 1234","name":"Anna","tags":["vip","new"],"country":"de",)"
                 R"("language":"pt-BR","timezone":"Europe/Berlin","consent_marketing":true,)"
                 R"("consent_marketing_at":"2024-05-01","consent_marketing_source":"web",)"
                 R"("consent_utility":"opt-out"})");
  EXPECT_EQ(record.line, 1);
  EXPECT_EQ(record.phone, "+49 151 1234");
  EXPECT_EQ(record.name, "Anna");
  EXPECT_EQ(record.tags, (std::vector<std::string>{"vip", "new"}));
  EXPECT_EQ(record.country, "DE");
  EXPECT_EQ(record.language, "pt_BR");
  EXPECT_EQ(record.timezone, "Europe/Berlin");
  ASSERT_TRUE(record.marketing.has_value());
  EXPECT_TRUE(record.marketing->granted);
  EXPECT_EQ(record.marketing->at,
            SysTime(std::chrono::sys_days(std::chrono::year(2024) / std::chrono::May / 1)));
  EXPECT_EQ(record.marketing->source, "web");
  ASSERT_TRUE(record.utility.has_value());
  EXPECT_FALSE(record.utility->granted);
}

TEST(JsonLinesReader, ReadsTagsFromASemicolonSeparatedString) {
  EXPECT_EQ(OnlyRecord(R"({"phone":"+1","tags":"vip; new;;VIP"})").tags,
            (std::vector<std::string>{"vip", "new"}));
}

TEST(JsonLinesReader, KeepsAttributeNumbersAndBoolsAsJsonText) {
  const ContactRecord record =
      OnlyRecord(R"({"phone":"+1","attributes":{"plan":"gold","orders":3,"score":-1.5,"vip":true,)"
                 R"("big":18446744073709551615,"gone":null,"empty":""},"City":"Berlin"})");
  EXPECT_EQ(record.attributes, (Attributes{{"plan", "gold"},
                                           {"orders", "3"},
                                           {"score", "-1.5"},
                                           {"vip", "true"},
                                           {"big", "18446744073709551615"},
                                           {"city", "Berlin"}}));
}

TEST(JsonLinesReader, TreatsNullAndEmptyStringsAsSayingNothing) {
  const ContactRecord record =
      OnlyRecord(R"({"phone":"+1","name":null,"country":"","consent_marketing":null,"tags":null})");
  EXPECT_FALSE(record.name.has_value());
  EXPECT_FALSE(record.country.has_value());
  EXPECT_FALSE(record.marketing.has_value());
  EXPECT_TRUE(record.tags.empty());
}

TEST(JsonLinesReader, MatchesKeysIgnoringCase) {
  const ContactRecord record = OnlyRecord(R"({"Phone":"+1","NAME":"Anna"})");
  EXPECT_EQ(record.phone, "+1");
  EXPECT_EQ(record.name, "Anna");
}

TEST(JsonLinesReader, SkipsBlankLinesAndCountsThem) {
  const ReadOutput output =
      ReadAll("\xEF\xBB\xBF{\"phone\":\"+1\"}\r\n\r\n  \n{\"phone\":\"+2\"}\n\n", Format::kAuto);
  ASSERT_EQ(output.records.size(), 2u);
  EXPECT_EQ(output.records[0].line, 1);
  EXPECT_EQ(output.records[1].line, 4);
  EXPECT_TRUE(output.rejects.empty());
  EXPECT_EQ(output.columns, (std::vector<std::string>{"json"}));
}

TEST(JsonLinesReader, IsChosenWhenTheFirstCharacterIsABrace) {
  const ReadOutput output = ReadAll("\n  {\"phone\":\"+1\"}\n", Format::kAuto);
  ASSERT_EQ(output.records.size(), 1u);
  EXPECT_EQ(output.records[0].line, 2);
}

struct JsonRejectCase {
  std::string description;
  std::string line;
  std::string reason;  // for a reject on line 2
};

void PrintTo(const JsonRejectCase& c, std::ostream* out) { *out << c.description; }

class JsonLinesReject : public ::testing::TestWithParam<JsonRejectCase> {};

TEST_P(JsonLinesReject, RejectsTheLineAndGoesOn) {
  const JsonRejectCase& c = GetParam();
  const ReadOutput output =
      ReadAll("{\"phone\":\"+1\"}\n" + c.line + "\n{\"phone\":\"+2\"}\n", Format::kJsonLines);
  ASSERT_EQ(output.rejects.size(), 1u) << c.description;
  EXPECT_EQ(output.rejects[0].line, 2);
  EXPECT_EQ(output.rejects[0].reason, c.reason) << c.description;
  EXPECT_EQ(output.rejects[0].fields, std::vector<std::string>{c.line});
  EXPECT_EQ(output.records.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(
    EachKind, JsonLinesReject,
    ::testing::Values(
        JsonRejectCase{"not JSON", "phone,name",
                       "line 2: not valid JSON at column 1: syntax error"},
        JsonRejectCase{"truncated", R"({"phone":"+1")",
                       "line 2: not valid JSON at column 14: incomplete JSON"},
        JsonRejectCase{"two values", R"({"phone":"+1"} {})",
                       "line 2: not valid JSON at column 16: extra data"},
        JsonRejectCase{"an array", R"(["+1"])", "line 2: expected a JSON object, found an array"},
        JsonRejectCase{"no phone", R"({"name":"Anna"})",
                       "line 2: no \"phone\"; every row needs a phone number"},
        JsonRejectCase{"empty phone", R"({"phone":" "})",
                       "line 2: no \"phone\"; every row needs a phone number"},
        JsonRejectCase{"phone as a number", R"({"phone":4915112345678})",
                       "line 2: key \"phone\": expected a string, found a number"},
        JsonRejectCase{"bad country", R"({"phone":"+1","country":"Germany"})",
                       "line 2: key \"country\": \"Germany\" is not an ISO 3166 alpha-2 code"},
        JsonRejectCase{"bad consent", R"({"phone":"+1","consent_utility":"maybe"})",
                       "line 2: key \"consent_utility\": \"maybe\" is not a consent value "
                       "(yes/no, true/false, 1/0, granted/revoked, opt-in/opt-out)"},
        JsonRejectCase{"consent as a number", R"({"phone":"+1","consent_utility":1})",
                       "line 2: key \"consent_utility\": expected a boolean or a string, found a "
                       "number"},
        JsonRejectCase{"bad tag", R"({"phone":"+1","tags":["ok","not ok"]})",
                       "line 2: key \"tags\": \"not ok\" is not a valid tag (1-64 letters, "
                       "digits, '_', '-', '.')"},
        JsonRejectCase{"tag not a string", R"({"phone":"+1","tags":["ok",1]})",
                       "line 2: key \"tags\": expected an array of strings, found a number in it"},
        JsonRejectCase{"tags an object", R"({"phone":"+1","tags":{}})",
                       "line 2: key \"tags\": expected an array of strings or a string, found an "
                       "object"},
        JsonRejectCase{"bad attribute key", R"({"phone":"+1","Plan Name":"gold"})",
                       "line 2: key \"Plan Name\": not a valid attribute name (1-64 characters "
                       "of a-z, 0-9 and _)"},
        JsonRejectCase{"nested attribute value", R"({"phone":"+1","attributes":{"a":[1]}})",
                       "line 2: attribute \"a\": expected a string, number or boolean, found an "
                       "array"},
        JsonRejectCase{"attributes not an object", R"({"phone":"+1","attributes":"x"})",
                       "line 2: key \"attributes\": expected an object, found a string"},
        JsonRejectCase{"attribute twice", R"({"phone":"+1","plan":"a","attributes":{"Plan":"b"}})",
                       "line 2: attribute \"plan\": given twice"},
        JsonRejectCase{"field twice", R"({"phone":"+1","Phone":"+2"})",
                       "line 2: key \"Phone\": given twice"}),
    [](const auto& info) { return testing::ParamName(info.param.description); });

// Not UTF-8 is a file in another encoding: reading stops there with one error naming the line.
// (The line was a reject of its own before, "not valid JSON at column 24", and reading went on.)
TEST(JsonLinesReader, StopsAtTheFirstLineThatIsNotUtf8) {
  const ReadOutput output =
      ReadAll("{\"phone\":\"+1\"}\n{\"phone\":\"+1\",\"name\":\"J\xFCrgen\"}\n{\"phone\":\"+2\"}\n",
              Format::kJsonLines);
  ASSERT_EQ(output.rows.size(), 1u);
  EXPECT_EQ(output.status.error().field, "encoding");
  EXPECT_EQ(output.status.error().message,
            "not UTF-8 at line 2, byte 0xFC: the file looks like Windows-1252 (Excel's default); "
            "convert it with iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv, or import with "
            "--encoding windows-1252 (encoding=windows-1252 in the API)");
}

TEST(JsonLinesReader, RejectsALineLongerThanTheLimitAndReadsTheNext) {
  ReaderOptions options;
  options.max_row_bytes = 64;
  options.chunk_bytes = 16;
  const std::string long_line = R"({"phone":"+1","name":")" + std::string(200, 'x') + "\"}";
  const ReadOutput output =
      ReadAll(long_line + "\n{\"phone\":\"+2\"}\n" + long_line, Format::kJsonLines, options);
  ASSERT_EQ(output.rows.size(), 3u);
  ASSERT_EQ(output.rejects.size(), 2u);
  EXPECT_EQ(output.rejects[0].reason, "line 1: the line is longer than 64 bytes");
  EXPECT_EQ(output.rejects[1].line, 3);
  ASSERT_EQ(output.records.size(), 1u);
  EXPECT_EQ(output.records[0].line, 2);
}

TEST(JsonLinesReader, KeepsTheTextOfTheLastLineForLaterRejects) {
  std::istringstream in("{\"phone\":\"+1\"}\r\n\n{\"phone\":\"+2\"}");
  auto reader = ContactReader::Open(in, Format::kAuto);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Next().has_value());
  EXPECT_EQ((*reader)->LastRowFields(), std::vector<std::string>{R"({"phone":"+1"})"});
  ASSERT_TRUE((*reader)->Next().has_value());
  EXPECT_EQ((*reader)->LastRowFields(), std::vector<std::string>{R"({"phone":"+2"})"});
  EXPECT_FALSE((*reader)->Next().has_value());
  EXPECT_TRUE((*reader)->LastRowFields().empty());
}

TEST(JsonLinesReader, AgreesWithTheCsvReaderOnTheSameContact) {
  const ContactRecord from_csv = OnlyRecord(
      "phone,name,tags,country,consent_marketing,consent_marketing_at,plan\n"
      "+1,Anna,vip;new,at,yes,2024-05-01T10:00:00Z,gold\n");
  const ContactRecord from_json = OnlyRecord(
      R"({"phone":"+1","name":"Anna","tags":"vip;new","country":"at","consent_marketing":"yes",)"
      R"("consent_marketing_at":"2024-05-01T10:00:00Z","plan":"gold"})");
  ContactRecord expected = from_csv;
  expected.line = 1;
  EXPECT_EQ(from_json, expected);
}

}  // namespace
}  // namespace herald::contacts
