#include "webhooks/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace herald::webhooks {
namespace {

constexpr std::string_view kPrefix = "sha256=";
constexpr std::size_t kDigestBytes = 32;
using Digest = std::array<unsigned char, kDigestBytes>;

Digest HmacSha256(std::string_view secret, std::string_view body) {
  Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &length);
  return digest;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view SignatureCheckName(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::kValid:
      return "valid";
    case SignatureCheck::kMissing:
      return "missing";
    case SignatureCheck::kMalformed:
      return "malformed";
    case SignatureCheck::kMismatch:
      return "mismatch";
  }
  return "unknown";
}

SignatureCheck CheckSignature(std::string_view app_secret, std::string_view body,
                              std::optional<std::string_view> header) {
  if (!header.has_value()) return SignatureCheck::kMissing;
  std::string_view value = *header;
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (!value.starts_with(kPrefix) || value.size() != kPrefix.size() + 2 * kDigestBytes) {
    return SignatureCheck::kMalformed;
  }
  value.remove_prefix(kPrefix.size());
  Digest given{};
  for (std::size_t i = 0; i < kDigestBytes; ++i) {
    const int high = HexValue(value[2 * i]);
    const int low = HexValue(value[2 * i + 1]);
    if (high < 0 || low < 0) return SignatureCheck::kMalformed;
    given[i] = static_cast<unsigned char>(high * 16 + low);
  }
  if (app_secret.empty()) return SignatureCheck::kMismatch;
  const Digest expected = HmacSha256(app_secret, body);
  return CRYPTO_memcmp(given.data(), expected.data(), kDigestBytes) == 0
             ? SignatureCheck::kValid
             : SignatureCheck::kMismatch;
}

std::string SignBody(std::string_view secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Digest digest = HmacSha256(secret, body);
  std::string header(kPrefix);
  for (unsigned char byte : digest) {
    header.push_back(kHex[byte >> 4]);
    header.push_back(kHex[byte & 0x0f]);
  }
  return header;
}

}  // namespace herald::webhooks
