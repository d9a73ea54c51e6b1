#include "compliance/templates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::compliance {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- placeholders --------------------------------------------------------------------------

TEST(ParsePlaceholders, ReadsPositionalAndNamedStyles) {
  struct Case {
    const char* text;
    PlaceholderStyle style;
    std::vector<std::string> names;
  } cases[] = {
      {"no placeholders", PlaceholderStyle::kNone, {}},
      {"Hi {{1}}, your order {{2}} ships", PlaceholderStyle::kPositional, {"1", "2"}},
      {"{{2}} before {{1}}, {{1}} twice", PlaceholderStyle::kPositional, {"1", "2"}},
      {"Hi {{first_name}}, code {{code_2}} {{first_name}}",
       PlaceholderStyle::kNamed,
       {"first_name", "code_2"}},
      {"single { braces } are text", PlaceholderStyle::kNone, {}},
  };
  for (const Case& test : cases) {
    Result<Placeholders> parsed = ParsePlaceholders(test.text);
    ASSERT_TRUE(parsed.ok()) << test.text << ": " << parsed.error().message;
    EXPECT_EQ(parsed->style, test.style) << test.text;
    EXPECT_EQ(parsed->names, test.names) << test.text;
  }
}

TEST(ParsePlaceholders, RejectsMalformedMixedAndGappedPlaceholders) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"Hi {{1}} and {{name}}", "mixes positional and named"},
      {"Hi {{1}} and {{3}}", "{{2}} is missing"},
      {"Hi {{2}}", "{{1}} is missing"},
      {"Hi {{0}}", "invalid placeholder"},
      {"Hi {{ 1 }}", "invalid placeholder"},
      {"Hi {{First}}", "invalid placeholder"},
      {"Hi {{}}", "invalid placeholder"},
      {"Hi {{1}", "unclosed placeholder"},
  };
  for (const Case& test : cases) {
    Result<Placeholders> parsed = ParsePlaceholders(test.text);
    ASSERT_FALSE(parsed.ok()) << test.text;
    EXPECT_THAT(parsed.error().message, HasSubstr(test.message)) << test.text;
  }
}

// ---- components JSON -----------------------------------------------------------------------

TEST(ParseTemplateComponents, ReadsThePlatformsComponentsArray) {
  Result<TemplateComponents> parsed = ParseTemplateComponents(R"([
    {"type":"HEADER","format":"TEXT","text":"Hello {{1}}","example":{"header_text":["Ann"]}},
    {"type":"BODY","text":"Your order {{1}} ships {{2}}."},
    {"type":"FOOTER","text":"Reply STOP to opt out"},
    {"type":"BUTTONS","buttons":[{"type":"URL","text":"Track","url":"https://x.example/{{1}}"},
                                 {"type":"PHONE_NUMBER","text":"Call","phone_number":"+4930"},
                                 {"type":"QUICK_REPLY","text":"Stop"}]}
  ])");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->header_format, HeaderFormat::kText);
  EXPECT_EQ(parsed->header_text, "Hello {{1}}");
  EXPECT_EQ(parsed->body, "Your order {{1}} ships {{2}}.");
  EXPECT_EQ(parsed->footer, "Reply STOP to opt out");
  EXPECT_THAT(parsed->buttons,
              ElementsAre(TemplateButton{"URL", "Track", "https://x.example/{{1}}", ""},
                          TemplateButton{"PHONE_NUMBER", "Call", "", "+4930"},
                          TemplateButton{"QUICK_REPLY", "Stop", "", ""}));
}

TEST(ParseTemplateComponents, AcceptsMediaHeadersAndLowerCaseTypes) {
  Result<TemplateComponents> parsed = ParseTemplateComponents(
      R"([{"type":"header","format":"image"},{"type":"body","text":"Look"}])");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->header_format, HeaderFormat::kImage);
  EXPECT_EQ(parsed->header_text, "");
  EXPECT_EQ(parsed->body, "Look");
}

TEST(ParseTemplateComponents, ErrorsNameTheComponentAndField) {
  struct Case {
    const char* json;
    const char* field;
    const char* message;
  } cases[] = {
      {"[", "components", "invalid JSON"},
      {R"({"type":"BODY"})", "components", "expected an array"},
      {R"([{"type":"BODY","text":"a"}, 3])", "components[1]", "expected an object"},
      {R"([{"text":"a"}])", "components[0].type", "is missing"},
      {R"([{"type":"CAROUSEL"}])", "components[0].type", "unknown component type"},
      {R"([{"type":"BODY","text":7}])", "components[0].text", "expected a string"},
      {R"([{"type":"BODY"}])", "components[0].text", "is missing"},
      {R"([{"type":"BODY","text":"a"},{"type":"BODY","text":"b"}])", "components[1].type",
       "a second BODY"},
      {R"([{"type":"HEADER","format":"GIF"},{"type":"BODY","text":"a"}])", "components[0].format",
       "unknown header format"},
      {R"([{"type":"HEADER","format":"TEXT"},{"type":"BODY","text":"a"}])", "components[0].text",
       "is missing"},
      {R"([{"type":"BODY","text":"a"},{"type":"BUTTONS","buttons":[{"text":"x"}]}])",
       "components[1].buttons[0].type", "is missing"},
      {R"([{"type":"FOOTER","text":"a"}])", "components", "has no BODY"},
  };
  for (const Case& test : cases) {
    Result<TemplateComponents> parsed = ParseTemplateComponents(test.json);
    ASSERT_FALSE(parsed.ok()) << test.json;
    EXPECT_EQ(parsed.error().field, test.field) << test.json;
    EXPECT_THAT(parsed.error().message, HasSubstr(test.message)) << test.json;
  }
}

// ---- catalog ---------------------------------------------------------------------------------

MessageTemplate Make(std::string name, std::string language, std::string body,
                     TemplateStatus status = TemplateStatus::kApproved) {
  MessageTemplate result;
  result.name = std::move(name);
  result.language = std::move(language);
  result.category = TemplateCategory::kMarketing;
  result.status = status;
  result.components.body = std::move(body);
  return result;
}

TEST(TemplateCatalog, FallsBackFromRegionToLanguageToTheDefault) {
  Result<TemplateCatalog> catalog = TemplateCatalog::Build({
      Make("promo", "de", "Hallo"),
      Make("promo", "en", "Hello"),
      Make("promo", "pt_BR", "Olá"),
      Make("only_fr", "fr", "Salut"),
  });
  ASSERT_TRUE(catalog.ok()) << catalog.error().ToString();
  struct Case {
    const char* name;
    const char* language;
    const char* expected;  // body, or nullptr for none
  } cases[] = {
      {"promo", "de_AT", "Hallo"},   {"promo", "de", "Hallo"},  {"promo", "de-at", "Hallo"},
      {"promo", "pt_BR", "Olá"},     {"promo", "pt_br", "Olá"}, {"promo", "pt", "Hello"},
      {"promo", "fr_CA", "Hello"},   {"promo", "", "Hello"},    {"only_fr", "de", nullptr},
      {"only_fr", "fr_BE", "Salut"}, {"absent", "en", nullptr},
  };
  for (const Case& test : cases) {
    const CompiledTemplate* found = catalog->Resolve(test.name, test.language, "en_US");
    if (test.expected == nullptr) {
      EXPECT_EQ(found, nullptr) << test.name << " " << test.language;
    } else {
      ASSERT_NE(found, nullptr) << test.name << " " << test.language;
      EXPECT_EQ(found->source.components.body, test.expected) << test.name << " " << test.language;
    }
  }
  EXPECT_EQ(catalog->Find("promo", "de_AT"), nullptr) << "Find does not fall back";
}

TEST(TemplateCatalog, PrefersTheExactRegionOverItsLanguage) {
  Result<TemplateCatalog> catalog = TemplateCatalog::Build({
      Make("promo", "de", "Hallo"),
      Make("promo", "de_AT", "Servus"),
      Make("promo", "en", "Hello"),
  });
  ASSERT_TRUE(catalog.ok()) << catalog.error().ToString();
  const CompiledTemplate* austrian = catalog->Resolve("promo", "de-AT", "en");
  ASSERT_NE(austrian, nullptr);
  EXPECT_EQ(austrian->source.components.body, "Servus");
  const CompiledTemplate* swiss = catalog->Resolve("promo", "de_CH", "en");
  ASSERT_NE(swiss, nullptr);
  EXPECT_EQ(swiss->source.components.body, "Hallo");
}

TEST(TemplateCatalog, RejectsDuplicatesAndMalformedTemplatesNamingThem) {
  Result<TemplateCatalog> duplicate =
      TemplateCatalog::Build({Make("promo", "de", "a"), Make("promo", "DE", "b")});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(duplicate.error().field, "promo/DE");

  Result<TemplateCatalog> malformed = TemplateCatalog::Build({Make("bad", "en", "Hi {{1}} {{x}}")});
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().field, "bad/en: body");

  MessageTemplate footer = Make("footer", "en", "Hi");
  footer.components.footer = "Bye {{1}}";
  Result<TemplateCatalog> with_footer = TemplateCatalog::Build({footer});
  ASSERT_FALSE(with_footer.ok());
  EXPECT_EQ(with_footer.error().field, "footer/en: footer");
}

TEST(TemplateCatalog, RefusesALanguageThatIsNotALanguageTag) {
  Result<CompiledTemplate> junk = CompileTemplate(Make("promo", "../de", "Hi"));
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().field, "promo/../de: language");
  EXPECT_NE(junk.error().message.find("is not a language tag"), std::string::npos);
  EXPECT_FALSE(TemplateCatalog::Build({Make("promo", "zz_ZZZZZZZ", "Hi")}).ok());
}

TEST(TemplateCatalog, FallsBackThroughRegionAndScriptInAnySpelling) {
  Result<TemplateCatalog> catalog = TemplateCatalog::Build({
      Make("promo", "zh_Hant", "traditional"),
      Make("promo", "zh", "simplified"),
      Make("promo", "en", "Hello"),
  });
  ASSERT_TRUE(catalog.ok()) << catalog.error().ToString();
  EXPECT_EQ(catalog->Resolve("promo", "zh-hant-tw", "en")->source.components.body, "traditional");
  EXPECT_EQ(catalog->Resolve("promo", "zh_Hans_CN", "en")->source.components.body, "simplified");
  EXPECT_EQ(catalog->Resolve("promo", "../zh", "en")->source.components.body, "Hello");
  ASSERT_NE(catalog->Find("promo", "ZH-HANT"), nullptr);
  EXPECT_EQ(catalog->Find("promo", "ZH-HANT")->source.components.body, "traditional");
  EXPECT_EQ(catalog->Find("promo", "../zh"), nullptr);
}

// ---- rendering -------------------------------------------------------------------------------

CompiledTemplate Compile(MessageTemplate source) {
  Result<CompiledTemplate> compiled = CompileTemplate(std::move(source));
  EXPECT_TRUE(compiled.ok()) << compiled.error().ToString();
  return std::move(compiled).value();
}

TEST(RenderTemplate, SubstitutesHeaderAndBodyParametersAndAddsTheFooter) {
  MessageTemplate source = Make("order", "en", "Order {{1}} ships on {{2}}. Thanks, {{1}}!");
  source.components.header_format = HeaderFormat::kText;
  source.components.header_text = "Hi {{1}}";
  source.components.footer = "Reply STOP to opt out";
  const CompiledTemplate compiled = Compile(source);
  const TemplateParameter header[] = {{"", "Ann"}};
  const TemplateParameter body[] = {{"", "A-17"}, {"", "Monday"}};
  std::string out;
  RenderOutcome outcome = RenderTemplate(compiled, {header, body}, TemplateLimits{}, out);
  ASSERT_TRUE(outcome.ok()) << outcome.detail;
  EXPECT_EQ(out, "Hi Ann\nOrder A-17 ships on Monday. Thanks, A-17!\nReply STOP to opt out");
}

// CompileTemplate once parsed a text header through a string_view of a temporary copy, destroyed
// before the parse (found by tests/fuzz/http_fuzz under ASan). A header too long for the small
// string buffer makes the copy a heap block, which free() overwrites at once: its leading
// placeholder was lost or misread.
TEST(RenderTemplate, ParsesALongTextHeaderInPlace) {
  MessageTemplate source = Make("order", "en", "Order {{1}} is on its way");
  source.components.header_format = HeaderFormat::kText;
  source.components.header_text = "{{1}}, your order from the spring collection has shipped";
  const CompiledTemplate compiled = Compile(source);
  EXPECT_EQ(compiled.header_placeholders.style, PlaceholderStyle::kPositional);
  EXPECT_EQ(compiled.header_placeholders.names, std::vector<std::string>{"1"});
  const TemplateParameter header[] = {{"", "Ann"}};
  const TemplateParameter body[] = {{"", "A-17"}};
  std::string out;
  RenderOutcome outcome = RenderTemplate(compiled, {header, body}, TemplateLimits{}, out);
  ASSERT_TRUE(outcome.ok()) << outcome.detail;
  EXPECT_EQ(out,
            "Ann, your order from the spring collection has shipped\nOrder A-17 is on its way");
}

TEST(RenderTemplate, LeavesMediaHeadersOutOfTheText) {
  MessageTemplate source = Make("photo", "en", "Look at {{1}}");
  source.components.header_format = HeaderFormat::kImage;
  source.components.header_text = "ignored {{1}}";
  const CompiledTemplate compiled = Compile(source);
  EXPECT_EQ(compiled.header_placeholders.style, PlaceholderStyle::kNone);
  const TemplateParameter body[] = {{"", "this"}};
  std::string out;
  ASSERT_TRUE(RenderTemplate(compiled, {{}, body}, TemplateLimits{}, out).ok());
  EXPECT_EQ(out, "Look at this");
}

TEST(RenderTemplate, MatchesNamedParametersByName) {
  const CompiledTemplate compiled = Compile(Make("named", "en", "{{greeting}} {{first_name}}"));
  const TemplateParameter body[] = {{"first_name", "Ann"}, {"greeting", "Hello"}};
  std::string out;
  ASSERT_TRUE(RenderTemplate(compiled, {{}, body}, TemplateLimits{}, out).ok());
  EXPECT_EQ(out, "Hello Ann");
}

struct ParamsCase {
  const char* name;
  const char* body_text;
  std::vector<TemplateParameter> params;
  const char* detail;  // nullptr: accepted
};

TEST(RenderTemplate, EnforcesParameterCountNamesAndPlatformRules) {
  const ParamsCase cases[] = {
      {"positional ok", "{{1}} {{2}}", {{"", "a"}, {"", "b"}}, nullptr},
      {"four spaces are fine", "{{1}}", {{"", "a    b"}}, nullptr},
      {"too few", "{{1}} {{2}}", {{"", "a"}}, "expects 2 parameter(s) ({{1}}, {{2}}), got 1"},
      {"too many", "{{1}}", {{"", "a"}, {"", "b"}}, "expects 1 parameter(s)"},
      {"none expected", "plain", {{"", "a"}}, "expects 0 parameter(s), got 1"},
      {"mixed", "{{a}} {{b}}", {{"a", "x"}, {"", "y"}}, "mixes named and positional"},
      {"named for positional", "{{1}}", {{"x", "y"}}, "expects positional parameters"},
      {"positional for named", "{{x}}", {{"", "y"}}, "expects named parameters"},
      {"unknown name", "{{a}} {{b}}", {{"a", "x"}, {"c", "y"}}, "unknown parameter {{c}}"},
      {"name twice", "{{a}} {{b}}", {{"a", "x"}, {"a", "y"}}, "{{a}} is given twice"},
      {"empty value", "{{1}}", {{"", ""}}, "parameter {{1}} is empty"},
      {"newline", "{{1}} {{2}}", {{"", "a"}, {"", "b\nc"}}, "parameter {{2}} contains a newline"},
      {"carriage return", "{{1}}", {{"", "b\rc"}}, "contains a newline"},
      {"tab", "{{n}}", {{"n", "b\tc"}}, "parameter {{n}} contains a tab"},
      {"five spaces", "{{1}}", {{"", "a     b"}}, "more than 4 consecutive spaces"},
  };
  for (const ParamsCase& test : cases) {
    const CompiledTemplate compiled = Compile(Make("t", "en", test.body_text));
    std::string out;
    RenderOutcome outcome = RenderTemplate(compiled, {{}, test.params}, TemplateLimits{}, out);
    if (test.detail == nullptr) {
      EXPECT_TRUE(outcome.ok()) << test.name << ": " << outcome.detail;
    } else {
      EXPECT_EQ(outcome.problem, TemplateProblem::kParams) << test.name;
      EXPECT_THAT(outcome.detail, HasSubstr(test.detail)) << test.name;
      EXPECT_THAT(outcome.detail, HasSubstr("body: ")) << test.name;
      EXPECT_EQ(out, "") << test.name;
    }
  }
}

TEST(RenderTemplate, AppliesTheParameterRulesToHeaderParametersToo) {
  MessageTemplate source = Make("order", "en", "Order {{1}}");
  source.components.header_format = HeaderFormat::kText;
  source.components.header_text = "Hi {{1}}";
  const CompiledTemplate compiled = Compile(source);
  const TemplateParameter body[] = {{"", "A-17"}};
  const std::vector<std::pair<std::vector<TemplateParameter>, const char*>> cases = {
      {{{"", "a\nb"}}, "header: parameter {{1}} contains a newline"},
      {{{"", ""}}, "header: parameter {{1}} is empty"},
      {{}, "header: "},
  };
  for (const auto& [header, detail] : cases) {
    std::string out;
    const RenderOutcome outcome = RenderTemplate(compiled, {header, body}, TemplateLimits{}, out);
    EXPECT_EQ(outcome.problem, TemplateProblem::kParams) << detail;
    EXPECT_THAT(outcome.detail, HasSubstr(detail));
  }
}

std::string Repeat(std::string_view piece, std::size_t times) {
  std::string text;
  for (std::size_t i = 0; i < times; ++i) text += piece;
  return text;
}

TEST(RenderTemplate, CountsRenderedLengthsInCodePoints) {
  const CompiledTemplate compiled = Compile(Make("long", "en", "Hi {{1}}"));  // 3 + parameter
  const std::string fits = Repeat("ü", 1021);  // 2 bytes each: 1024 code points in all
  const std::string over = Repeat("ü", 1022);
  const TemplateParameter fits_param[] = {{"", fits}};
  const TemplateParameter over_param[] = {{"", over}};
  std::string out;
  EXPECT_TRUE(RenderTemplate(compiled, {{}, fits_param}, TemplateLimits{}, out).ok());
  EXPECT_EQ(out.size(), 3u + 2 * 1021);
  RenderOutcome outcome = RenderTemplate(compiled, {{}, over_param}, TemplateLimits{}, out);
  EXPECT_EQ(outcome.problem, TemplateProblem::kTooLong);
  EXPECT_EQ(outcome.detail, "body: 1025 characters rendered, limit 1024");
}

TEST(RenderTemplate, LimitsHeaderAndFooterAsConfigured) {
  MessageTemplate source = Make("h", "en", "Body");
  source.components.header_format = HeaderFormat::kText;
  source.components.header_text = "{{1}}";
  const CompiledTemplate compiled = Compile(source);
  const std::string sixty = Repeat("x", 60), sixty_one = Repeat("x", 61);
  const TemplateParameter ok_header[] = {{"", sixty}};
  const TemplateParameter long_header[] = {{"", sixty_one}};
  std::string out;
  EXPECT_TRUE(RenderTemplate(compiled, {ok_header, {}}, TemplateLimits{}, out).ok());
  RenderOutcome outcome = RenderTemplate(compiled, {long_header, {}}, TemplateLimits{}, out);
  EXPECT_EQ(outcome.problem, TemplateProblem::kTooLong);
  EXPECT_THAT(outcome.detail, HasSubstr("header: 61 characters rendered, limit 60"));
  TemplateLimits wide;
  wide.header_max_chars = 61;
  EXPECT_TRUE(RenderTemplate(compiled, {long_header, {}}, wide, out).ok());

  MessageTemplate with_footer = Make("f", "en", "Body");
  with_footer.components.footer = sixty_one;
  outcome = RenderTemplate(Compile(with_footer), {}, TemplateLimits{}, out);
  EXPECT_EQ(outcome.problem, TemplateProblem::kTooLong);
  EXPECT_THAT(outcome.detail, HasSubstr("footer: 61 characters rendered, limit 60"));
}

TEST(TemplateNames, ParseThePlatformSpellings) {
  EXPECT_EQ(*ParseTemplateStatus("IN_APPEAL"), TemplateStatus::kInAppeal);
  EXPECT_EQ(*ParseTemplateStatus("limit_exceeded"), TemplateStatus::kLimitExceeded);
  EXPECT_EQ(*ParseTemplateCategory("Utility"), TemplateCategory::kUtility);
  EXPECT_FALSE(ParseTemplateStatus("LIVE").ok());
  EXPECT_FALSE(ParseTemplateCategory("PROMO").ok());
  EXPECT_EQ(PurposeOf(TemplateCategory::kAuthentication), Purpose::kAuthentication);
}

}  // namespace
}  // namespace herald::compliance
