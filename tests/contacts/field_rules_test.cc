// Field checks: every value kind is accepted and normalised, or rejected with a reason that names
// line, column and value.
#include "contacts/detail/field_rules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/contacts/contacts_test_util.h"

namespace herald::contacts {
namespace {

using namespace std::chrono_literals;
using testing::OnlyRecord;
using testing::OnlyRejectReason;

// One row with `column` set to `value`.
std::string Row(const std::string& column, const std::string& value) {
  std::string quoted;
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return "phone," + column + "\n+4915112345678,\"" + quoted + "\"\n";
}

struct ValueCase {
  std::string column;
  std::string value;
  std::string expected;  // the normalised value, or the reason when it starts with "line "
};

void PrintTo(const ValueCase& c, std::ostream* out) {
  *out << c.column << "=" << ::testing::PrintToString(c.value);
}

class CsvValue : public ::testing::TestWithParam<ValueCase> {};

std::string ValueOf(const ContactRecord& record, const std::string& column) {
  if (column == "country") return record.country.value_or("<none>");
  if (column == "language") return record.language.value_or("<none>");
  if (column == "timezone") return record.timezone.value_or("<none>");
  if (column == "name") return record.name.value_or("<none>");
  return "<unknown column>";
}

TEST_P(CsvValue, IsNormalisedOrRejectedWithItsReason) {
  const ValueCase& c = GetParam();
  if (c.expected.starts_with("line ")) {
    EXPECT_EQ(OnlyRejectReason(Row(c.column, c.value)), c.expected);
  } else {
    EXPECT_EQ(ValueOf(OnlyRecord(Row(c.column, c.value)), c.column), c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EachColumn, CsvValue,
    ::testing::Values(
        ValueCase{"country", "DE", "DE"}, ValueCase{"country", "at", "AT"},
        ValueCase{"country", " fr ", "FR"}, ValueCase{"country", "", "<none>"},
        ValueCase{"country", "Germany",
                  "line 2: column \"country\": \"Germany\" is not an ISO 3166 alpha-2 code"},
        ValueCase{"country", "D1",
                  "line 2: column \"country\": \"D1\" is not an ISO 3166 alpha-2 code"},
        ValueCase{"country", "\xC3\x9C\x44",
                  "line 2: column \"country\": \"\xC3\x9C\x44\" is not an ISO 3166 alpha-2 code"},
        ValueCase{"language", "de", "de"}, ValueCase{"language", "de_AT", "de_AT"},
        ValueCase{"language", "pt-BR", "pt_BR"}, ValueCase{"language", "PT-br", "pt_BR"},
        ValueCase{"language", "fil", "fil"}, ValueCase{"language", "zh-hant-tw", "zh_Hant_TW"},
        ValueCase{"language", "es-419", "es_419"},
        ValueCase{"language", "german",
                  "line 2: column \"language\": \"german\" is not a language code like de, de_AT "
                  "or pt-BR"},
        ValueCase{"language", "de-",
                  "line 2: column \"language\": \"de-\" is not a language code like de, de_AT or "
                  "pt-BR"},
        ValueCase{"language", "de_AT_x",
                  "line 2: column \"language\": \"de_AT_x\" is not a language code like de, "
                  "de_AT or pt-BR"},
        ValueCase{"timezone", "Europe/Berlin", "Europe/Berlin"},
        ValueCase{"timezone", "America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"},
        ValueCase{"timezone", "UTC", "UTC"},
        ValueCase{"timezone", "Berlin",
                  "line 2: column \"timezone\": \"Berlin\" is not an IANA time zone name like "
                  "Europe/Berlin"},
        ValueCase{"timezone", "europe/berlin",
                  "line 2: column \"timezone\": \"europe/berlin\" is not an IANA time zone name "
                  "like Europe/Berlin"},
        ValueCase{"timezone", "Europe/Berlin/../../etc/passwd",
                  "line 2: column \"timezone\": \"Europe/Berlin/../../etc/passwd\" is not an "
                  "IANA time zone name like Europe/Berlin"},
        ValueCase{"name", "Anna \"A\" Smith", "Anna \"A\" Smith"}),
    [](const auto& info) {
      return testing::ParamName(info.param.column + " " + info.param.value, info.index);
    });

struct ConsentCase {
  std::string value;
  std::optional<bool> granted;  // nullopt: rejected
};

void PrintTo(const ConsentCase& c, std::ostream* out) { *out << c.value; }

class ConsentValue : public ::testing::TestWithParam<ConsentCase> {};

TEST_P(ConsentValue, IsReadForBothPurposes) {
  const ConsentCase& c = GetParam();
  for (const std::string column : {"consent_marketing", "consent_utility"}) {
    const std::string text = Row(column, c.value);
    if (!c.granted) {
      EXPECT_EQ(OnlyRejectReason(text),
                "line 2: column \"" + column + "\": \"" + c.value +
                    "\" is not a consent value (yes/no, true/false, 1/0, granted/revoked, "
                    "opt-in/opt-out)");
      continue;
    }
    const ContactRecord record = OnlyRecord(text);
    const auto& consent = column == "consent_marketing" ? record.marketing : record.utility;
    ASSERT_TRUE(consent.has_value()) << c.value;
    EXPECT_EQ(consent->granted, *c.granted) << c.value;
    EXPECT_FALSE(consent->at.has_value());
    EXPECT_EQ(consent->source, "");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Words, ConsentValue,
    ::testing::Values(ConsentCase{"yes", true}, ConsentCase{"YES", true}, ConsentCase{"true", true},
                      ConsentCase{"1", true}, ConsentCase{"granted", true},
                      ConsentCase{"Opt-In", true}, ConsentCase{"no", false},
                      ConsentCase{"False", false}, ConsentCase{"0", false},
                      ConsentCase{"revoked", false}, ConsentCase{"opt-out", false},
                      ConsentCase{"maybe", std::nullopt}, ConsentCase{"y", true},
                      ConsentCase{"2", std::nullopt}, ConsentCase{"optin", std::nullopt}),
    [](const auto& info) { return testing::ParamName(info.param.value, info.index); });

// The spellings of other languages and exports, any case (non-ASCII letters too).
INSTANTIATE_TEST_SUITE_P(
    MoreSpellings, ConsentValue,
    ::testing::Values(ConsentCase{"Y", true}, ConsentCase{"n", false}, ConsentCase{"N", false},
                      ConsentCase{"ja", true}, ConsentCase{"JA", true}, ConsentCase{"j", true},
                      ConsentCase{"Nein", false}, ConsentCase{"oui", true},
                      ConsentCase{"NON", false}, ConsentCase{"s\xC3\xAD", true},
                      ConsentCase{"S\xC3\x8D", true}, ConsentCase{"si", true},
                      ConsentCase{"Sim", true}, ConsentCase{"n\xC3\xA3o", false},
                      ConsentCase{"N\xC3\x83O", false}, ConsentCase{"nao", false},
                      ConsentCase{"\xD0\xB4\xD0\xB0", true}, ConsentCase{"\xD0\x94\xD0\x90", true},
                      ConsentCase{"\xD0\xBD\xD0\xB5\xD1\x82", false},
                      ConsentCase{"\xD0\x9D\xD0\x95\xD0\xA2", false}, ConsentCase{"opted_in", true},
                      ConsentCase{"Opted-Out", false}, ConsentCase{"jein", std::nullopt},
                      ConsentCase{"s\xC3\xA1", std::nullopt}, ConsentCase{"yess", std::nullopt}),
    [](const auto& info) { return testing::ParamName(info.param.value, info.index); });

TEST(ConsentColumns, EmptyValueChangesNothing) {
  const ContactRecord record = OnlyRecord(
      "phone,consent_marketing,consent_marketing_at,consent_marketing_source\n+1,,2024-05-01,"
      "web\n");
  EXPECT_FALSE(record.marketing.has_value());
  EXPECT_FALSE(record.utility.has_value());
}

TEST(ConsentColumns, CarryTimeAndSourceWithTheValue) {
  const ContactRecord record = OnlyRecord(
      "phone,consent_utility_source,consent_utility_at,consent_utility,consent_marketing\n"
      "+1, shop counter ,2024-05-01T10:00:00+02:00,yes,no\n");
  ASSERT_TRUE(record.utility.has_value());
  EXPECT_TRUE(record.utility->granted);
  EXPECT_EQ(record.utility->at,
            SysTime(std::chrono::sys_days(std::chrono::year(2024) / std::chrono::May / 1) + 8h));
  EXPECT_EQ(record.utility->source, "shop counter");
  ASSERT_TRUE(record.marketing.has_value());
  EXPECT_FALSE(record.marketing->granted);
  EXPECT_FALSE(record.marketing->at.has_value());
}

TEST(ConsentColumns, RejectABadTimestampEvenWithoutAValue) {
  EXPECT_EQ(OnlyRejectReason(Row("consent_marketing_at", "yesterday")),
            "line 2: column \"consent_marketing_at\": \"yesterday\" is not an ISO 8601 date, or "
            "date and time with Z or an offset");
}

struct TimestampCase {
  std::string text;
  std::optional<SysTime> at;
};

void PrintTo(const TimestampCase& c, std::ostream* out) { *out << c.text; }

class ConsentTimestamp : public ::testing::TestWithParam<TimestampCase> {};

TEST_P(ConsentTimestamp, IsParsedAsIso8601WithAnOffset) {
  EXPECT_EQ(detail::ParseTimestamp(GetParam().text), GetParam().at) << GetParam().text;
}

SysTime May1(std::chrono::milliseconds time_of_day) {
  return SysTime(std::chrono::sys_days(std::chrono::year(2024) / std::chrono::May / 1)) +
         time_of_day;
}

INSTANTIATE_TEST_SUITE_P(
    Texts, ConsentTimestamp,
    ::testing::Values(
        TimestampCase{"2024-05-01", May1(0ms)}, TimestampCase{"2024-05-01T10:00:00Z", May1(10h)},
        TimestampCase{"2024-05-01t10:00z", May1(10h)},
        TimestampCase{"2024-05-01 10:00:30Z", May1(10h + 30s)},
        TimestampCase{"2024-05-01T10:00:00.250Z", May1(10h + 250ms)},
        TimestampCase{"2024-05-01T10:00:00.5Z", May1(10h + 500ms)},
        TimestampCase{"2024-05-01T10:00:00.123456789Z", May1(10h + 123ms)},
        TimestampCase{"2024-05-01T10:00:00+02:00", May1(8h)},
        TimestampCase{"2024-05-01T10:00:00-0530", May1(15h + 30min)},
        TimestampCase{"2024-05-01T01:00:00+02", May1(-1h)},
        TimestampCase{"2024-02-29",
                      SysTime(std::chrono::sys_days(std::chrono::year(2024) / 2 / 29))},
        TimestampCase{"2023-02-29", std::nullopt}, TimestampCase{"2024-13-01", std::nullopt},
        TimestampCase{"2024-05-01T10:00:00", std::nullopt},  // no offset
        TimestampCase{"2024-05-01T24:00Z", std::nullopt},
        TimestampCase{"2024-05-01T10:60Z", std::nullopt},
        TimestampCase{"2024-05-01T10:00:00.Z", std::nullopt},
        TimestampCase{"2024-05-01T10:00:00Z ", std::nullopt},
        TimestampCase{"2024-05-01T10:00:00+2:00", std::nullopt},
        TimestampCase{"2024-5-1", std::nullopt}, TimestampCase{"01.05.2024", std::nullopt},
        TimestampCase{"", std::nullopt}),
    [](const auto& info) { return testing::ParamName(info.param.text, info.index); });

TEST(TagsColumn, SplitsTrimsDropsEmptiesAndDuplicatesIgnoringCase) {
  const ContactRecord record = OnlyRecord(Row("tags", " vip ; new;;VIP; churn-risk;a.b;New "));
  EXPECT_EQ(record.tags, (std::vector<std::string>{"vip", "new", "churn-risk", "a.b"}));
}

TEST(TagsColumn, UsesThePipeWhenTheDelimiterIsASemicolon) {
  const ContactRecord record = OnlyRecord("phone;tags\n+1;vip|new | b2b\n");
  EXPECT_EQ(record.tags, (std::vector<std::string>{"vip", "new", "b2b"}));
}

// Every separator in every delimiter mode, quoted and (where the delimiter allows) unquoted, and
// in JSON Lines: `"vip;new"` in a ';'-delimited file was a rejected row.
struct TagSeparatorCase {
  std::string description;
  std::string text;
};

void PrintTo(const TagSeparatorCase& c, std::ostream* out) { *out << c.description; }

class TagSeparator : public ::testing::TestWithParam<TagSeparatorCase> {};

TEST_P(TagSeparator, SplitsTheTagsValueIntoTwoTags) {
  EXPECT_EQ(OnlyRecord(GetParam().text).tags, (std::vector<std::string>{"vip", "new"}));
}

INSTANTIATE_TEST_SUITE_P(
    EachDelimiterAndSeparator, TagSeparator,
    ::testing::Values(
        TagSeparatorCase{"semicolon file quoted semicolon", "phone;tags\n+1;\"vip;new\"\n"},
        TagSeparatorCase{"semicolon file quoted comma", "phone;tags\n+1;\"vip,new\"\n"},
        TagSeparatorCase{"semicolon file unquoted comma", "phone;tags\n+1;vip,new\n"},
        TagSeparatorCase{"semicolon file quoted pipe", "phone;tags\n+1;\"vip|new\"\n"},
        TagSeparatorCase{"comma file quoted comma", "phone,tags\n+1,\"vip,new\"\n"},
        TagSeparatorCase{"comma file quoted semicolon", "phone,tags\n+1,\"vip;new\"\n"},
        TagSeparatorCase{"comma file unquoted pipe", "phone,tags\n+1,vip|new\n"},
        TagSeparatorCase{"comma file mixed", "phone,tags\n+1,\"vip, new|VIP;\"\n"},
        TagSeparatorCase{"json lines comma", R"({"phone":"+1","tags":"vip,new"})"},
        TagSeparatorCase{"json lines pipe", R"({"phone":"+1","tags":"vip|new"})"}),
    [](const auto& info) { return testing::ParamName(info.param.description); });

TEST(TagsColumn, AcceptsSixtyFourCharactersButNotMore) {
  EXPECT_EQ(OnlyRecord(Row("tags", std::string(64, 't'))).tags.size(), 1u);
  EXPECT_EQ(OnlyRejectReason(Row("tags", std::string(65, 't'))),
            "line 2: column \"tags\": \"" + std::string(64, 't') +
                "...\" is not a valid tag (1-64 letters, digits, '_', '-', '.')");
}

TEST(TagsColumn, RejectsATagWithOtherCharacters) {
  for (const std::string tag : {"vip customer", "tag:x", "gr\xC3\xBCn", "a/b"}) {
    EXPECT_EQ(OnlyRejectReason(Row("tags", "ok;" + tag)),
              "line 2: column \"tags\": \"" + tag +
                  "\" is not a valid tag (1-64 letters, digits, '_', '-', '.')");
  }
}

TEST(AttributeColumns, ComeFromEveryOtherColumnInOrderWithLowerCaseKeys) {
  const ContactRecord record = OnlyRecord("Plan,phone,City,orders_2024\n gold ,+1,,3\n");
  EXPECT_EQ(record.attributes, (std::vector<std::pair<std::string, std::string>>{
                                   {"plan", "gold"}, {"orders_2024", "3"}}));
}

TEST(ReasonText, QuotesValuesEscapedAndShortened) {
  EXPECT_EQ(detail::Quoted("a\"b\nc\x01"), "\"a\\\"b\\nc?\"");
  EXPECT_EQ(detail::Quoted(std::string(63, 'x') + "\xC3\xBC" + "tail"),
            "\"" + std::string(63, 'x') + "...\"");
}

}  // namespace
}  // namespace herald::contacts
