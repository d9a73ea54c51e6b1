#include "campaign/personalise.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace herald::campaign {
namespace {

using ::testing::ElementsAre;

struct Case {
  const char* text;
  const char* expected;  // nullptr: refused
  const char* missing = "";
};

TEST(Personalise, FillsNamePhoneAndAttributesAndLeavesEverythingElseLiteral) {
  const std::map<std::string, std::string, std::less<>> attributes{
      {"city", "Köln"}, {"plan", "gold"}, {"empty", ""}};
  RecipientFields anna{"Anna", "+4915112345678", [&](std::string_view key) {
                         auto found = attributes.find(key);
                         return found == attributes.end()
                                    ? std::optional<std::string_view>()
                                    : std::optional<std::string_view>(found->second);
                       }};
  const Case cases[] = {
      {"Hello {{name}}", "Hello Anna"},
      {"{{phone}}", "+4915112345678"},
      {"{{attr.city}} / {{attr.plan}}", "Köln / gold"},
      {"{{attr.zip|00000}}", "00000"},
      {"{{attr.empty|none}}", "none"},
      {"{{attr.city|Berlin}}", "Köln"},
      {"{{name|there}}", "Anna"},
      {"{{1}} {{first_name}} {{ name }} {{attr.}} {{attr.a b}}",
       "{{1}} {{first_name}} {{ name }} {{attr.}} {{attr.a b}}"},
      {"{{name", "{{name"},
      {"a }} {{name}}{{", "a }} Anna{{"},
      {"{{{name}}}", "{Anna}"},
      {"", ""},
      {"{{attr.zip}}", nullptr, "attr.zip"},
      {"{{attr.empty}}", nullptr, "attr.empty"},
  };
  for (const Case& c : cases) {
    auto rendered = Render(ValueTemplate::Parse(c.text), anna);
    if (c.expected != nullptr) {
      ASSERT_TRUE(rendered.ok()) << c.text << ": " << rendered.error().ToString();
      EXPECT_EQ(*rendered, c.expected) << c.text;
    } else {
      ASSERT_FALSE(rendered.ok()) << c.text;
      EXPECT_EQ(rendered.error().field, c.missing) << c.text;
    }
  }
}

TEST(Personalise, AContactWithoutANameNeedsAFallback) {
  RecipientFields nameless{"", "+4915112345678", nullptr};
  auto refused = Render(ValueTemplate::Parse("Hi {{name}}"), nameless);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "name");
  EXPECT_EQ(*Render(ValueTemplate::Parse("Hi {{name|there}}"), nameless), "Hi there");
  EXPECT_EQ(*Render(ValueTemplate::Parse("{{attr.x|-}}"), nameless), "-") << "no attributes";
}

TEST(Personalise, SaysWhetherAndWhereAValueRefersToTheContact) {
  EXPECT_FALSE(ValueTemplate::Parse("SUMMER25").personalised());
  EXPECT_FALSE(ValueTemplate::Parse("{{1}}").personalised());
  const ValueTemplate value = ValueTemplate::Parse("{{name}} in {{attr.city|Berlin}}");
  EXPECT_TRUE(value.personalised());
  EXPECT_THAT(value.references(), ElementsAre("name", "attr.city|Berlin"));
  EXPECT_EQ(value.source(), "{{name}} in {{attr.city|Berlin}}");
}

}  // namespace
}  // namespace herald::campaign
