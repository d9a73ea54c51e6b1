#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace herald {
namespace {

TEST(ReplaceInvalidUtf8, LeavesValidTextAlone) {
  for (const std::string text : {"", "admin", "Zoë Müller", "日本語", "\xF0\x9F\x98\x80"}) {
    EXPECT_EQ(ReplaceInvalidUtf8(text), text);
  }
}

TEST(ReplaceInvalidUtf8, ReplacesEachByteThatStartsNoValidSequence) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"\xFF", "\uFFFD"},
      {"a\xC3(b", "a\uFFFD(b"},                // a lead byte without its continuation
      {"\xE2\x82", "\uFFFD\uFFFD"},            // cut short at the end
      {"\xC0\x80", "\uFFFD\uFFFD"},            // overlong NUL
      {"\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},  // a surrogate
      {"ok \xF7 ok \xC3\xA9", "ok \uFFFD ok \xC3\xA9"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReplaceInvalidUtf8(c.text), c.expected) << c.text;
    EXPECT_TRUE(IsValidUtf8(ReplaceInvalidUtf8(c.text)));
  }
}

}  // namespace
}  // namespace herald
