#include "compliance/gate.h"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

// Counts heap allocations on this thread while `g_count_allocations` is set, to show that an
// allowed message costs the gate no allocation.
namespace {
thread_local bool g_count_allocations = false;
thread_local std::size_t g_allocations = 0;
}  // namespace

// GCC pairs the inlined malloc with free and warns; the pair is right for a replaced new/delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  if (g_count_allocations) ++g_allocations;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace herald::compliance {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::HasSubstr;

SysTime Utc(int year, unsigned month, unsigned day, int hour, int minute) {
  return SysTime(date::sys_days(date::year(year) / month / day)) + hours(hour) + minutes(minute);
}

constexpr std::string_view kZoneTable =
    "DE\t+5230+01322\tEurope/Berlin\n"
    "US\t+404251-0740023\tAmerica/New_York\n"
    "US\t+340308-1181434\tAmerica/Los_Angeles\n"
    "US\t+211825-1575130\tPacific/Honolulu\n";

const SenderId kSender{1};
const SysTime kNow = Utc(2024, 7, 1, 10, 0);  // 12:00 in Berlin

MessageTemplate Template(std::string name, std::string language, TemplateCategory category,
                         std::string body, TemplateStatus status = TemplateStatus::kApproved) {
  MessageTemplate result;
  result.name = std::move(name);
  result.language = std::move(language);
  result.category = category;
  result.status = status;
  result.components.body = std::move(body);
  return result;
}

std::shared_ptr<const GatePolicy> BuildPolicy() {
  GatePolicyConfig config;
  config.frequency_cap = FrequencyCapPolicy{2, hours(24 * 7)};
  config.free_text_max_chars = 20;
  Result<CountryZoneTable> zones = ParseCountryZoneTable(kZoneTable, "fixture");
  EXPECT_TRUE(zones.ok());
  Result<std::shared_ptr<const GatePolicy>> policy = GatePolicy::Build(config, *zones);
  EXPECT_TRUE(policy.ok()) << policy.error().ToString();
  return *policy;
}

TemplateCatalog BuildCatalog() {
  std::vector<MessageTemplate> templates = {
      Template("promo", "de", TemplateCategory::kMarketing, "Hallo {{1}}, neu: {{2}}"),
      Template("promo", "en", TemplateCategory::kMarketing, "Hi {{1}}, new: {{2}}"),
      Template("order", "en", TemplateCategory::kUtility, "Order {{1}} ships"),
      Template("code", "en", TemplateCategory::kAuthentication, "{{1}} is your code"),
      Template("long", "en", TemplateCategory::kMarketing, "{{1}}"),
      Template("pending", "en", TemplateCategory::kMarketing, "x", TemplateStatus::kPending),
      Template("paused", "en", TemplateCategory::kMarketing, "x", TemplateStatus::kPaused),
      Template("disabled", "en", TemplateCategory::kMarketing, "x", TemplateStatus::kDisabled),
      Template("rejected", "en", TemplateCategory::kMarketing, "x", TemplateStatus::kRejected),
      Template("in_appeal", "en", TemplateCategory::kMarketing, "x", TemplateStatus::kInAppeal),
      Template("limited", "en", TemplateCategory::kMarketing, "x", TemplateStatus::kLimitExceeded),
      Template("only_fr", "fr", TemplateCategory::kMarketing, "Salut"),
  };
  templates[1].components.header_format = HeaderFormat::kText;
  templates[1].components.header_text = "News";
  templates[1].components.footer = "Reply STOP to opt out";
  Result<TemplateCatalog> catalog = TemplateCatalog::Build(std::move(templates));
  EXPECT_TRUE(catalog.ok()) << catalog.error().ToString();
  return *catalog;
}

std::shared_ptr<const WordFilter> BuildFilter() {
  std::vector<WordList> lists = {
      {"en",
       "en",
       3,
       {{"free", MatchKind::kWord, Severity::kBlock, ""},
        {"act now", MatchKind::kPhrase, Severity::kReview, ""}}},
      {"de", "de", 5, {{"kostenlos", MatchKind::kWord, Severity::kBlock, ""}}},
  };
  Result<std::shared_ptr<const WordFilter>> filter = WordFilter::Build(std::move(lists));
  EXPECT_TRUE(filter.ok()) << filter.error().ToString();
  return *filter;
}

// A message, a recipient and an instant that pass every check; each case changes one thing.
struct Scenario {
  std::vector<TemplateParameter> body = {{"", "Ann"}, {"", "shoes"}};
  std::vector<ServiceWindow> windows = {{kSender, kNow - hours(1), std::nullopt}};
  std::vector<SysTime> sends;
  std::string long_text;
  OutboundMessage message{kSender, ContactId{9}, Purpose::kService,
                          TemplateMessage{"promo", "", {}}};
  RecipientState recipient;
  SysTime now = kNow;

  Scenario() {
    recipient.consent = ConsentState{false, true, true};
    recipient.country = "DE";
    recipient.time_zone = "Europe/Berlin";
    recipient.language = "en";
  }
  TemplateMessage& Template() { return std::get<TemplateMessage>(message.content); }
  void UseTemplate(std::string_view name) { Template().name = name; }
  void UseText(std::string_view text) { message.content = FreeText{text}; }
  // Spans point into this object: bind them just before the check.
  Decision Check(const Gate& gate) {
    if (auto* t = std::get_if<TemplateMessage>(&message.content)) t->arguments.body = body;
    recipient.service_windows = windows;
    recipient.recent_marketing_sends = sends;
    return gate.Check(message, recipient, now);
  }
};

struct GateCase {
  const char* name;
  std::function<void(Scenario&)> change;
  const char* reason;       // RefusalReason(); "" for allowed
  const char* detail = "";  // a substring of the detail
};

const std::vector<GateCase>& Cases() {
  static const std::vector<GateCase> cases = {
      {"a marketing template with consent, in the day", [](Scenario&) {}, ""},
      {"a utility template with utility consent only",
       [](Scenario& s) {
         s.UseTemplate("order");
         s.body = {{"", "A-17"}};
         s.recipient.consent.marketing = false;
       },
       ""},
      {"an authentication template needs no consent",
       [](Scenario& s) {
         s.UseTemplate("code");
         s.body = {{"", "123456"}};
         s.recipient.consent = ConsentState{};
       },
       ""},
      {"free text inside the window needs no consent",
       [](Scenario& s) {
         s.UseText("Your parcel is here");
         s.recipient.consent = ConsentState{};
       },
       ""},
      {"a service reply at night is not held by quiet hours",
       [](Scenario& s) {
         s.UseText("Sure, done");
         s.now = Utc(2024, 7, 1, 21, 0);
         s.windows = {{kSender, s.now - hours(1), std::nullopt}};
       },
       ""},
      {"a utility template at night is not held by quiet hours",
       [](Scenario& s) {
         s.UseTemplate("order");
         s.body = {{"", "A-17"}};
         s.now = Utc(2024, 7, 1, 22, 0);
       },
       ""},
      {"opt-out beats everything",
       [](Scenario& s) {
         s.UseTemplate("no_such_template");
         s.recipient.consent.opted_out = true;
         s.recipient.country = "";
         s.recipient.time_zone = "";
       },
       "opted_out", "opted out"},
      {"opt-out stops authentication codes too",
       [](Scenario& s) {
         s.UseTemplate("code");
         s.body = {{"", "123456"}};
         s.recipient.consent.opted_out = true;
       },
       "opted_out"},
      {"marketing without marketing consent",
       [](Scenario& s) { s.recipient.consent.marketing = false; }, "no_consent:marketing",
       "no marketing consent"},
      {"utility without utility consent",
       [](Scenario& s) {
         s.UseTemplate("order");
         s.body = {{"", "A-17"}};
         s.recipient.consent.utility = false;
       },
       "no_consent:utility"},
      {"a declared marketing purpose makes a utility template need marketing consent",
       [](Scenario& s) {
         s.UseTemplate("order");
         s.body = {{"", "A-17"}};
         s.message.purpose = Purpose::kMarketing;
         s.recipient.consent.marketing = false;
       },
       "no_consent:marketing"},
      {"marketing free text needs marketing consent",
       [](Scenario& s) {
         s.UseText("Sale!");
         s.message.purpose = Purpose::kMarketing;
         s.recipient.consent.marketing = false;
       },
       "no_consent:marketing"},
      {"an unknown template", [](Scenario& s) { s.UseTemplate("nope"); }, "template_missing",
       "no template \"nope\""},
      {"a template without the language, its parent or the default",
       [](Scenario& s) {
         s.UseTemplate("only_fr");
         s.body = {};
         s.recipient.language = "de_AT";
       },
       "template_missing", "in language \"de_AT\""},
      {"a PENDING template", [](Scenario& s) { s.UseTemplate("pending"); }, "template_not_approved",
       "is PENDING"},
      {"a PAUSED template", [](Scenario& s) { s.UseTemplate("paused"); }, "template_not_approved",
       "is PAUSED"},
      {"a DISABLED template", [](Scenario& s) { s.UseTemplate("disabled"); },
       "template_not_approved", "is DISABLED"},
      {"a REJECTED template", [](Scenario& s) { s.UseTemplate("rejected"); },
       "template_not_approved", "is REJECTED"},
      {"an IN_APPEAL template", [](Scenario& s) { s.UseTemplate("in_appeal"); },
       "template_not_approved", "is IN_APPEAL"},
      {"a LIMIT_EXCEEDED template", [](Scenario& s) { s.UseTemplate("limited"); },
       "template_not_approved", "is LIMIT_EXCEEDED"},
      {"a missing parameter",
       [](Scenario& s) {
         s.body = {{"", "Ann"}};
       },
       "template_params", "expects 2 parameter(s)"},
      {"a parameter with a newline",
       [](Scenario& s) {
         s.body = {{"", "Ann"}, {"", "a\nb"}};
       },
       "template_params", "contains a newline"},
      {"a body over 1024 characters",
       [](Scenario& s) {
         s.UseTemplate("long");
         s.long_text.assign(1025, 'x');
         s.body = {{"", s.long_text}};
       },
       "template_too_long", "1025 characters rendered, limit 1024"},
      {"free text without a window with this number",
       [](Scenario& s) {
         s.UseText("Hello");
         s.windows = {{SenderId{2}, kNow - hours(1), std::nullopt}};
       },
       "window_closed", "never wrote"},
      {"free text exactly 24 hours after the last inbound message",
       [](Scenario& s) {
         s.UseText("Hello");
         s.windows = {{kSender, kNow - hours(24), std::nullopt}};
       },
       "window_closed", "closed at 2024-07-01T09:50:00.000Z"},
      {"free text inside the safety margin",
       [](Scenario& s) {
         s.UseText("Hello");
         s.windows = {{kSender, kNow - hours(24) + minutes(10), std::nullopt}};
       },
       "window_closed"},
      {"free text one millisecond before the safety margin begins",
       [](Scenario& s) {
         s.UseText("Hello");
         s.windows = {{kSender, kNow - hours(24) + minutes(10) + std::chrono::milliseconds(1),
                       std::nullopt}};
       },
       ""},
      {"an empty free text", [](Scenario& s) { s.UseText(""); }, "invalid_message"},
      {"a free text over the limit", [](Scenario& s) { s.UseText("123456789012345678901"); },
       "text_too_long", "21 characters, limit 20"},
      {"a blocked word in a parameter",
       [](Scenario& s) {
         s.body = {{"", "Ann"}, {"", "free shoes"}};
       },
       "word:en:free", "blocked by term \"free\" of list \"en\" (version 3)"},
      {"a blocked word in free text", [](Scenario& s) { s.UseText("It's FREE"); }, "word:en:free"},
      {"the German list for a de_AT contact, through the fallback to de",
       [](Scenario& s) {
         s.recipient.language = "de_AT";
         s.body = {{"", "Ann"}, {"", "alles kostenlos"}};
       },
       "word:de:kostenlos"},
      {"a word block is reported before quiet hours",
       [](Scenario& s) {
         s.body = {{"", "Ann"}, {"", "free"}};
         s.now = Utc(2024, 7, 1, 22, 0);
       },
       "word:en:free"},
      {"marketing at 22:30 in Berlin", [](Scenario& s) { s.now = Utc(2024, 7, 1, 20, 30); },
       "quiet_hours", "22:30 local in Europe/Berlin is outside 08:00-21:00 (DE)"},
      {"marketing to the US at 08:30 in New York, 05:30 in Los Angeles",
       [](Scenario& s) {
         s.recipient.country = "US";
         s.recipient.time_zone = "";
         s.now = Utc(2024, 7, 1, 12, 30);
       },
       "quiet_hours", "America/Los_Angeles"},
      {"marketing to a contact with neither zone nor country",
       [](Scenario& s) {
         s.recipient.country = "";
         s.recipient.time_zone = "";
       },
       "quiet_hours_unknown_zone"},
      {"a third marketing message within the week",
       [](Scenario& s) {
         s.sends = {kNow - hours(24), kNow - hours(48)};
       },
       "frequency_cap", "2 marketing messages in the last 168 h; the cap is 2"},
      {"quiet hours are reported before the frequency cap",
       [](Scenario& s) {
         s.sends = {kNow - hours(24), kNow - hours(48)};
         s.now = Utc(2024, 7, 1, 20, 30);
       },
       "quiet_hours"},
      {"sends older than the period do not count",
       [](Scenario& s) {
         s.sends = {kNow - hours(24 * 7), kNow - hours(24 * 8)};
       },
       ""},
      {"the cap counts marketing only",
       [](Scenario& s) {
         s.UseTemplate("order");
         s.body = {{"", "A-17"}};
         s.sends = {kNow - hours(1), kNow - hours(2), kNow - hours(3)};
       },
       ""},
  };
  return cases;
}

class GateTest : public ::testing::Test {
 protected:
  Gate gate_{BuildPolicy(), BuildCatalog(), BuildFilter()};
};

TEST_F(GateTest, DecidesEveryReasonAndTheAllowPathAsTabulated) {
  for (const GateCase& test : Cases()) {
    Scenario scenario;
    test.change(scenario);
    const Decision decision = scenario.Check(gate_);
    EXPECT_EQ(decision.RefusalReason(), test.reason) << test.name << ": " << decision.detail;
    EXPECT_EQ(decision.allowed(), std::string_view(test.reason).empty()) << test.name;
    EXPECT_THAT(decision.detail, HasSubstr(test.detail)) << test.name;
    if (decision.allowed()) {
      EXPECT_EQ(decision.detail, "") << test.name;
    }
  }
}

TEST_F(GateTest, ReviewMatchesAllowTheMessageWithWarnings) {
  Scenario scenario;
  scenario.body = {{"", "Ann"}, {"", "act now"}};
  const Decision decision = scenario.Check(gate_);
  ASSERT_TRUE(decision.allowed()) << decision.detail;
  ASSERT_EQ(decision.warnings.size(), 1u);
  EXPECT_EQ(decision.warnings[0].term, "act now");
  EXPECT_EQ(decision.scanned_text, "News\nHi Ann, new: act now\nReply STOP to opt out");
  const WordMatch& warning = decision.warnings[0];
  EXPECT_EQ(decision.scanned_text.substr(warning.begin, warning.end - warning.begin), "act now");
}

TEST_F(GateTest, ScansTheRenderedHeaderBodyAndFooter) {
  Scenario scenario;
  scenario.body = {{"", "Ann"}, {"", "free"}};
  const Decision decision = scenario.Check(gate_);
  ASSERT_TRUE(decision.word.has_value());
  EXPECT_EQ(decision.scanned_text, "News\nHi Ann, new: free\nReply STOP to opt out");
  EXPECT_EQ(decision.scanned_text.substr(decision.word->begin, 4), "free");
}

TEST_F(GateTest, ReportsTheTemplateTheLanguageFallbackChose) {
  Scenario scenario;
  scenario.recipient.language = "de_AT";
  Decision decision = scenario.Check(gate_);
  ASSERT_TRUE(decision.allowed()) << decision.detail;
  ASSERT_NE(decision.resolved_template, nullptr);
  EXPECT_EQ(decision.resolved_template->source.language, "de");

  scenario.recipient.language = "it";  // no Italian: the policy's default, en
  decision = scenario.Check(gate_);
  ASSERT_NE(decision.resolved_template, nullptr);
  EXPECT_EQ(decision.resolved_template->source.language, "en");

  scenario.Template().language = "de";  // the message's own language wins over the contact's
  decision = scenario.Check(gate_);
  ASSERT_NE(decision.resolved_template, nullptr);
  EXPECT_EQ(decision.resolved_template->source.language, "de");
}

TEST_F(GateTest, AllowPathAllocatesNothingWithoutAWordFilter) {
  const Gate gate(BuildPolicy(), BuildCatalog(), nullptr);
  Scenario scenario;
  scenario.recipient.country = "US";
  scenario.recipient.time_zone = "";
  scenario.now = Utc(2024, 7, 1, 19, 0);
  ASSERT_TRUE(scenario.Check(gate).allowed());  // warms the per-thread render buffer
  g_allocations = 0;
  g_count_allocations = true;
  const bool allowed = scenario.Check(gate).allowed();
  g_count_allocations = false;
  EXPECT_TRUE(allowed);
  EXPECT_EQ(g_allocations, 0u);
}

TEST_F(GateTest, NextAllowedTimeFollowsQuietHoursForMarketingOnly) {
  Scenario scenario;
  scenario.recipient.service_windows = {};
  const SysTime late = Utc(2024, 10, 26, 20, 0);  // Saturday 22:00 CEST, DST ends that night
  Result<SysTime> next = gate_.NextAllowedTime(late, scenario.recipient);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, Utc(2024, 10, 27, 7, 0)) << "Sunday 08:00 CET";
  next = gate_.NextAllowedTime(late, scenario.recipient, Purpose::kUtility);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, late);
  scenario.recipient.country = "";
  scenario.recipient.time_zone = "";
  EXPECT_FALSE(gate_.NextAllowedTime(late, scenario.recipient).ok());
}

TEST_F(GateTest, MatchesStopKeywordsFromThePolicy) {
  ASSERT_TRUE(gate_.MatchStopKeyword("Stopp bitte").has_value());
  EXPECT_EQ(gate_.MatchStopKeyword("Stopp bitte")->language, "de");
  EXPECT_FALSE(gate_.MatchStopKeyword("When will it stop raining?").has_value());
}

TEST(GatePolicy, RejectsAMarginAsLongAsTheWindowAndAnEmptyDefaultLanguage) {
  GatePolicyConfig config;
  config.service_window.safety_margin = hours(24);
  Result<std::shared_ptr<const GatePolicy>> policy = GatePolicy::Build(config, {});
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().field, "service_window.safety_margin");
  config = GatePolicyConfig{};
  config.default_language = "";
  policy = GatePolicy::Build(config, {});
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().field, "default_language");
}

TEST(ReasonCode, NamesAreStable) {
  const std::pair<ReasonCode, const char*> names[] = {
      {ReasonCode::kNone, ""},
      {ReasonCode::kOptedOut, "opted_out"},
      {ReasonCode::kNoConsentMarketing, "no_consent:marketing"},
      {ReasonCode::kNoConsentUtility, "no_consent:utility"},
      {ReasonCode::kTemplateMissing, "template_missing"},
      {ReasonCode::kTemplateNotApproved, "template_not_approved"},
      {ReasonCode::kTemplateParams, "template_params"},
      {ReasonCode::kTemplateTooLong, "template_too_long"},
      {ReasonCode::kWindowClosed, "window_closed"},
      {ReasonCode::kInvalidMessage, "invalid_message"},
      {ReasonCode::kTextTooLong, "text_too_long"},
      {ReasonCode::kWord, "word"},
      {ReasonCode::kQuietHours, "quiet_hours"},
      {ReasonCode::kQuietHoursUnknownZone, "quiet_hours_unknown_zone"},
      {ReasonCode::kFrequencyCap, "frequency_cap"},
  };
  for (const auto& [code, name] : names) EXPECT_EQ(ReasonCodeName(code), name);
}

}  // namespace
}  // namespace herald::compliance
