#include "contacts/phone_number.h"

#include <gtest/gtest.h>

#include <random>

namespace herald::contacts {
namespace {

struct PhoneCase {
  const char* name;
  const char* raw;
  const char* default_region;
  const char* e164;     // expected on success, else nullptr
  const char* country;  // expected on success
  PhoneRejectReason reason;
};

void PrintTo(const PhoneCase& c, std::ostream* out) { *out << c.name; }

class Normalise : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(Normalise, GivesE164AndCountryOrAStableReason) {
  const PhoneCase& c = GetParam();
  PhoneNormaliser normaliser(c.default_region);
  auto result = normaliser.Normalise(c.raw);
  if (c.e164 != nullptr) {
    ASSERT_TRUE(result.ok()) << result.error().ToString();
    EXPECT_EQ(result->e164, c.e164);
    EXPECT_EQ(result->country, c.country);
  } else {
    ASSERT_FALSE(result.ok()) << "accepted as " << result->e164;
    EXPECT_EQ(result.error().field, "phone");
    EXPECT_EQ(result.error().message.rfind(std::string(PhoneRejectReasonName(c.reason)) + ": ", 0),
              0u)
        << result.error().message;
  }
}

constexpr auto kAny = PhoneRejectReason::kInvalid;  // unused when the case succeeds

INSTANTIATE_TEST_SUITE_P(
    Table, Normalise,
    ::testing::Values(
        PhoneCase{"CanonicalGermanMobile", "+4915112345678", "", "+4915112345678", "DE", kAny},
        PhoneCase{"SpacesAndDashes", "+49 151 1234-5678", "", "+4915112345678", "DE", kAny},
        PhoneCase{"TrunkZeroInBrackets", "+49 (0)151 12345678", "", "+4915112345678", "DE", kAny},
        PhoneCase{"NationalWithDefaultRegion", "0151 12345678", "DE", "+4915112345678", "DE", kAny},
        PhoneCase{"DoubleZeroPrefixWithoutRegion", "004915112345678", "", "+4915112345678", "DE",
                  kAny},
        PhoneCase{"UnitedStatesFixedLineOrMobile", "+1 201 555 0123", "", "+12015550123", "US",
                  kAny},
        PhoneCase{"BritishMobile", "+44 7400 123456", "DE", "+447400123456", "GB", kAny},
        PhoneCase{"AustrianMobile", "+43 664 123456", "", "+43664123456", "AT", kAny},
        PhoneCase{"BrazilianMobile", "+55 11 96123 4567", "", "+5511961234567", "BR", kAny},
        PhoneCase{"RegionGivenInLowerCase", "0151 12345678", "de", "+4915112345678", "DE", kAny},
        PhoneCase{"NationalWithoutRegion", "0151 12345678", "", nullptr, "",
                  PhoneRejectReason::kMissingRegion},
        PhoneCase{"GermanLandline", "+49 30 1234567", "", nullptr, "",
                  PhoneRejectReason::kNotMobile},
        PhoneCase{"SwissLandline", "+41 44 668 1800", "", nullptr, "",
                  PhoneRejectReason::kNotMobile},
        PhoneCase{"TollFree", "+1 800 555 0199", "", nullptr, "", PhoneRejectReason::kNotMobile},
        PhoneCase{"UnknownCountryCode", "+999 1234567", "", nullptr, "",
                  PhoneRejectReason::kInvalidCountryCode},
        PhoneCase{"TooShort", "+49 1", "", nullptr, "", PhoneRejectReason::kTooShort},
        PhoneCase{"TooLong", "+49 151 123456789012345", "", nullptr, "",
                  PhoneRejectReason::kTooLong},
        PhoneCase{"NoDigits", "call me", "DE", nullptr, "", PhoneRejectReason::kNotANumber},
        PhoneCase{"Empty", "", "DE", nullptr, "", PhoneRejectReason::kNotANumber},
        PhoneCase{"ImpossibleGermanPrefix", "+49 1999 1234567", "", nullptr, "",
                  PhoneRejectReason::kInvalid}),
    [](const auto& info) { return std::string(info.param.name); });

// The fast path for canonical E.164 must decide as libphonenumber's full parser does, except that
// it never strips a national prefix from a number that is already in E.164 form: "+1 1840…" is
// read by the full parser as +1 840…, which is a guess; canonical input is taken literally.
TEST(PhoneNormaliser, CanonicalFastPathAgreesWithTheFullParserWithoutGuessing) {
  PhoneNormaliser normaliser;
  std::mt19937 random(7);
  const char* prefixes[] = {"+49", "+1",  "+44", "+43",  "+55",  "+7",   "+61",  "+33",
                            "+39", "+91", "+86", "+234", "+971", "+352", "+880", "+1242"};
  int compared = 0, valid = 0, stripped = 0;
  for (const char* prefix : prefixes) {
    for (int i = 0; i < 1000; ++i) {
      std::string digits;
      int length = 6 + static_cast<int>(random() % 8);
      for (int d = 0; d < length; ++d) digits += static_cast<char>('0' + random() % 10);
      if (digits[0] == '0') digits[0] = '1';
      std::string canonical = std::string(prefix) + digits;
      std::string spaced = std::string(prefix) + " " + digits;  // forces the full parser
      auto fast = normaliser.Normalise(canonical);
      auto full = normaliser.Normalise(spaced);
      ++compared;
      if (full.ok() && full->e164 != canonical) {  // the full parser dropped a national prefix
        EXPECT_FALSE(fast.ok()) << canonical << " must not become " << full->e164;
        ++stripped;
        continue;
      }
      ASSERT_EQ(fast.ok(), full.ok()) << canonical;
      if (fast.ok()) {
        EXPECT_EQ(fast->e164, full->e164);
        EXPECT_EQ(fast->country, full->country);
        ++valid;
      }  // both refuse: the reason may differ where the full parser read a national prefix
    }
  }
  EXPECT_GT(valid, 150) << "the generated numbers must exercise the success path too";
  EXPECT_LT(stripped, compared / 10);
  EXPECT_EQ(compared, 16 * 1000);
}

// A national number is read in the region its row names (a CSV row's country) before the
// default region; a rejection of a national number says which region it was read in.
struct RowRegionCase {
  const char* name;
  const char* raw;
  const char* row_region;
  const char* default_region;
  const char* e164;    // expected on success, else nullptr
  const char* detail;  // expected rejection detail when e164 is nullptr
};

void PrintTo(const RowRegionCase& c, std::ostream* out) { *out << c.name; }

class NormaliseInRowRegion : public ::testing::TestWithParam<RowRegionCase> {};

TEST_P(NormaliseInRowRegion, ReadsNationalNumbersInTheRowsRegionFirst) {
  const RowRegionCase& c = GetParam();
  PhoneNormaliser normaliser(c.default_region);
  NormalisedPhone phone;
  PhoneRejection rejection;
  const bool ok = normaliser.Normalise(c.raw, &phone, &rejection, c.row_region);
  if (c.e164 != nullptr) {
    ASSERT_TRUE(ok) << rejection.detail;
    EXPECT_EQ(phone.e164, c.e164);
  } else {
    ASSERT_FALSE(ok) << "accepted as " << phone.e164;
    EXPECT_EQ(rejection.detail, c.detail);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, NormaliseInRowRegion,
    ::testing::Values(
        RowRegionCase{"UsNumberInAGermanImport", "415-555-2672", "US", "DE", "+14155552672", ""},
        RowRegionCase{"RowRegionInLowerCase", "(415) 555-2672", "us", "DE", "+14155552672", ""},
        RowRegionCase{"RowWithoutRegionUsesTheDefault", "0151 12345678", "", "DE", "+4915112345678",
                      ""},
        RowRegionCase{"RowRegionWithoutDefault", "0151 12345678", "DE", "", "+4915112345678", ""},
        RowRegionCase{"InternationalIgnoresTheRowRegion", "+49 151 12345678", "US", "DE",
                      "+4915112345678", ""},
        RowRegionCase{"DoubleZeroKeepsTheDefaultRegionsMeaning", "0049 151 12345678", "US", "DE",
                      "+4915112345678", ""},
        RowRegionCase{"DoubleZeroWithoutDefaultIsInternational", "0049 151 12345678", "US", "",
                      "+4915112345678", ""},
        RowRegionCase{"GermanLandlineSaysHowItWasRead", "030 1234567", "", "DE", nullptr,
                      "read as DE: not a mobile number (fixed line)"},
        RowRegionCase{"UsLandlineReadInTheRowRegion", "800 555 0199", "US", "DE", nullptr,
                      "read as US: not a mobile number (toll free)"},
        RowRegionCase{"InternationalRejectionNamesNoRegion", "+49 30 1234567", "US", "DE", nullptr,
                      "not a mobile number (fixed line)"},
        RowRegionCase{"RowRegionWithoutNumberingPlan", "0151 12345678", "QQ", "DE", nullptr,
                      "national format, and the row's country QQ has no numbering plan"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PhoneNormaliser, KnowsRegions) {
  EXPECT_TRUE(PhoneNormaliser::IsKnownRegion("DE"));
  EXPECT_TRUE(PhoneNormaliser::IsKnownRegion("us"));
  EXPECT_FALSE(PhoneNormaliser::IsKnownRegion("XX"));
  EXPECT_FALSE(PhoneNormaliser::IsKnownRegion(""));
}

}  // namespace
}  // namespace herald::contacts
