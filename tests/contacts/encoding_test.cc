// Import files in the single-byte encodings spreadsheets save: transcoded to UTF-8 as they are
// read, in chunks of any size, for both formats.
#include <gtest/gtest.h>

#include <string>

#include "tests/contacts/contacts_test_util.h"

namespace herald::contacts {
namespace {

using testing::ReadAll;
using testing::ReadOutput;

struct EncodingCase {
  std::string description;
  Encoding encoding;
  std::string name_as_written;  // in `encoding`
  std::string name_in_utf8;
};

void PrintTo(const EncodingCase& c, std::ostream* out) { *out << c.description; }

class Transcoding : public ::testing::TestWithParam<EncodingCase> {};

TEST_P(Transcoding, ReadsTheFileAsUtf8InChunksOfAnySize) {
  const EncodingCase& c = GetParam();
  for (std::size_t chunk_bytes : {1u, 2u, 3u, 7u, 65536u}) {
    ReaderOptions options;
    options.encoding = c.encoding;
    options.chunk_bytes = chunk_bytes;
    const ReadOutput output =
        ReadAll("phone;name;country\r\n+4915112345678;\"" + c.name_as_written + "\";DE\r\n",
                Format::kAuto, options);
    ASSERT_TRUE(output.status.ok()) << output.status.error().ToString();
    ASSERT_EQ(output.records.size(), 1u) << chunk_bytes;
    EXPECT_EQ(output.records[0].name, c.name_in_utf8) << chunk_bytes;
    EXPECT_EQ(output.delimiter, ';');
  }
}

INSTANTIATE_TEST_SUITE_P(
    EachEncoding, Transcoding,
    ::testing::Values(
        EncodingCase{"windows-1252 letters", Encoding::kWindows1252,
                     "J\xFCrgen Stra\xDF"
                     "e",
                     "J\xC3\xBCrgen Stra\xC3\x9F"
                     "e"},
        EncodingCase{"windows-1252 euro and quotes", Encoding::kWindows1252, "\x80 \x93hi\x94 \x85",
                     "\xE2\x82\xAC \xE2\x80\x9Chi\xE2\x80\x9D \xE2\x80\xA6"},
        EncodingCase{"windows-1252 undefined byte", Encoding::kWindows1252, "a\x81", "a\xC2\x81"},
        EncodingCase{"latin1", Encoding::kIso8859_1, "Ren\xE9\x80", "Ren\xC3\xA9\xC2\x80"},
        EncodingCase{"latin9 euro", Encoding::kIso8859_15, "\xA4 \xBD \xFF",
                     "\xE2\x82\xAC \xC5\x93 \xC3\xBF"},
        EncodingCase{"utf-8 as it is", Encoding::kUtf8, "J\xC3\xBCrgen", "J\xC3\xBCrgen"}),
    [](const auto& info) { return testing::ParamName(info.param.description); });

TEST(Transcoding, AppliesToJsonLines) {
  ReaderOptions options;
  options.encoding = Encoding::kWindows1252;
  const ReadOutput output =
      ReadAll("{\"phone\":\"+1\",\"name\":\"Ren\xE9\"}\n", Format::kAuto, options);
  ASSERT_EQ(output.records.size(), 1u);
  EXPECT_EQ(output.records[0].name, "Ren\xC3\xA9");
}

TEST(EncodingNamed, KnowsTheUsualNamesInAnyCase) {
  EXPECT_EQ(EncodingNamed("utf-8"), Encoding::kUtf8);
  EXPECT_EQ(EncodingNamed("UTF8"), Encoding::kUtf8);
  EXPECT_EQ(EncodingNamed("windows-1252"), Encoding::kWindows1252);
  EXPECT_EQ(EncodingNamed("CP1252"), Encoding::kWindows1252);
  EXPECT_EQ(EncodingNamed("latin1"), Encoding::kIso8859_1);
  EXPECT_EQ(EncodingNamed("ISO-8859-1"), Encoding::kIso8859_1);
  EXPECT_EQ(EncodingNamed("iso-8859-15"), Encoding::kIso8859_15);
  EXPECT_EQ(EncodingNamed("latin9"), Encoding::kIso8859_15);
  EXPECT_EQ(EncodingNamed("utf-16"), std::nullopt);
  EXPECT_EQ(EncodingNamed(""), std::nullopt);
}

}  // namespace
}  // namespace herald::contacts
