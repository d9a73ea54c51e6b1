// webhooks/signature.h: the platform's webhook signature (reference/whatsapp.md, "Webhooks"):
// every POST carries `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with
// the app secret>`. It is checked on the raw bytes before anything parses them.
//
// Thread rules: pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace herald::webhooks {

enum class SignatureCheck {
  kValid,
  kMissing,    // no X-Hub-Signature-256 header
  kMalformed,  // not "sha256=" and 64 hex digits
  kMismatch,   // well formed, but not the body's HMAC under this secret
};

// "valid", "missing", "malformed", "mismatch": stable names for metrics labels and logs.
std::string_view SignatureCheckName(SignatureCheck check);

// Checks `header` (the header's value, nullopt when absent) against `body`. The comparison takes
// the same time wherever the digests differ. An empty secret never validates.
SignatureCheck CheckSignature(std::string_view app_secret, std::string_view body,
                              std::optional<std::string_view> header);

// "sha256=<64 lowercase hex digits>" for `body`: what the platform sends (for the sandbox, tests,
// benchmarks and the outbound hooks' own signatures).
std::string SignBody(std::string_view secret, std::string_view body);

}  // namespace herald::webhooks
