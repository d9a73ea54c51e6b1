#include "webhooks/signature.h"

#include <gtest/gtest.h>

#include <string>

namespace herald::webhooks {
namespace {

constexpr std::string_view kSecret = "app-secret-0123456789";
constexpr std::string_view kBody =
    R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]})";

TEST(Signature, AValidSignatureIsAccepted) {
  const std::string header = SignBody(kSecret, kBody);
  EXPECT_EQ(CheckSignature(kSecret, kBody, header), SignatureCheck::kValid);
}

TEST(Signature, MatchesAKnownHmacSha256) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(SignBody("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signature, UpperCaseHexAndSurroundingSpacesAreAccepted) {
  std::string header = SignBody(kSecret, kBody);
  for (std::size_t i = 7; i < header.size(); ++i) header[i] = static_cast<char>(toupper(header[i]));
  EXPECT_EQ(CheckSignature(kSecret, kBody, " " + header + " "), SignatureCheck::kValid);
}

TEST(Signature, TheWrongSecretIsAMismatch) {
  const std::string header = SignBody("another-secret", kBody);
  EXPECT_EQ(CheckSignature(kSecret, kBody, header), SignatureCheck::kMismatch);
}

TEST(Signature, AMissingHeaderIsRefused) {
  EXPECT_EQ(CheckSignature(kSecret, kBody, std::nullopt), SignatureCheck::kMissing);
}

TEST(Signature, ABodyChangedByOneByteIsAMismatch) {
  const std::string header = SignBody(kSecret, kBody);
  std::string changed(kBody);
  changed[20] = static_cast<char>(changed[20] ^ 1);
  EXPECT_EQ(CheckSignature(kSecret, changed, header), SignatureCheck::kMismatch);
}

TEST(Signature, ATruncatedBodyIsAMismatch) {
  const std::string header = SignBody(kSecret, kBody);
  EXPECT_EQ(CheckSignature(kSecret, kBody.substr(0, kBody.size() - 1), header),
            SignatureCheck::kMismatch);
}

TEST(Signature, MalformedHeadersAreNamedSo) {
  const std::string good = SignBody(kSecret, kBody);
  for (const std::string& header :
       {std::string(""), std::string("sha1=") + good.substr(7), good.substr(7),
        good.substr(0, good.size() - 1), good + "0", good.substr(0, 10) + "zz" + good.substr(12)}) {
    EXPECT_EQ(CheckSignature(kSecret, kBody, header), SignatureCheck::kMalformed) << header;
  }
}

TEST(Signature, AnEmptySecretNeverValidates) {
  EXPECT_EQ(CheckSignature("", kBody, SignBody("", kBody)), SignatureCheck::kMismatch);
}

TEST(Signature, NamesAreStable) {
  EXPECT_EQ(SignatureCheckName(SignatureCheck::kValid), "valid");
  EXPECT_EQ(SignatureCheckName(SignatureCheck::kMissing), "missing");
  EXPECT_EQ(SignatureCheckName(SignatureCheck::kMalformed), "malformed");
  EXPECT_EQ(SignatureCheckName(SignatureCheck::kMismatch), "mismatch");
}

}  // namespace
}  // namespace herald::webhooks
