// A deterministic generator of realistic contacts for benchmarks: 20 tags and 30 countries with a
// Zipf-like skew, languages that follow the country, consents, opt-outs, a string attribute
// (plan), a numeric one (orders) and a last inbound time that many contacts lack.
//
// Same seed, same contacts, on any platform: it uses its own SplitMix64 generator and integer
// arithmetic, not the implementation-defined std:: distributions.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace herald::bench {

struct GeneratedContact {
  std::int64_t id = 0;  // 1, 2, 3, ... in generation order
  std::string phone;    // E.164, a valid mobile number of `country`, unique (see PhoneNumber)
  std::vector<std::string> tags;
  std::string country;   // ISO 3166-1 alpha-2
  std::string language;  // "de", "de_AT", "pt_BR", ...
  bool opted_out = false;
  bool consent_marketing = false;
  bool consent_utility = false;
  std::optional<SysTime> last_inbound;
  std::string plan;  // "gold", "silver", "bronze" or empty (no attribute)
  int orders = -1;   // 0..50, or -1 (no attribute)
};

// Numbers are `phone_prefix` followed by `subscriber_digits` digits taken from the contact's id.
// Each prefix was checked with libphonenumber (the import benchmark checks again): every
// completion is a valid mobile number of the country, already in E.164. North American exchange
// codes cannot start with 0 or 1, so US subscribers whose first digit would be one move to
// `overflow_prefix` with 2 added to that digit.
struct GeneratedCountry {
  std::string_view code;
  std::string_view language;  // most common; a share of contacts use "en" instead
  std::string_view phone_prefix;
  int subscriber_digits = 7;
  std::string_view overflow_prefix = {};  // non-empty: the first digit must be 2 or more
};

class ContactGenerator {
 public:
  // `now` anchors last_inbound times (the benchmark evaluates with the same instant).
  ContactGenerator(std::uint64_t seed, SysTime now) : state_(seed), now_(now) {
    for (std::size_t r = 0; r < kMaxRanks; ++r) {
      harmonic_[r + 1] = harmonic_[r] + 1.0 / static_cast<double>(r + 1);
    }
  }

  static constexpr std::array<std::string_view, 20> kTags = {
      "newsletter", "b2c", "web",     "android", "ios",  "promo",     "churned",
      "loyal",      "vip", "trial",   "paid",    "cart", "summer",    "winter",
      "survey",     "b2b", "support", "refund",  "beta", "event-2026"};

  using Country = GeneratedCountry;
  static constexpr std::array<Country, 30> kCountries = {{
      {"DE", "de", "+49151", 8},     {"US", "en_US", "+1201", 7, "+1212"},
      {"BR", "pt_BR", "+55119", 8},  {"IN", "hi", "+9198", 8},
      {"GB", "en_GB", "+44740", 7},  {"FR", "fr", "+3361", 7},
      {"IT", "it", "+39347", 7},     {"ES", "es", "+346", 8},
      {"MX", "es_MX", "+5255", 8},   {"ID", "id", "+62812", 7},
      {"NL", "nl", "+3161", 7},      {"AT", "de_AT", "+43664", 7},
      {"CH", "de_CH", "+4179", 7},   {"PL", "pl", "+4851", 7},
      {"TR", "tr", "+90532", 7},     {"AR", "es_AR", "+549112", 7},
      {"CO", "es_CO", "+57310", 7},  {"ZA", "en_ZA", "+2782", 7},
      {"NG", "en_NG", "+234803", 7}, {"EG", "ar_EG", "+2010", 8},
      {"SA", "ar", "+96650", 7},     {"AE", "ar_AE", "+97150", 7},
      {"BE", "nl_BE", "+3247", 7},   {"SE", "sv", "+4670", 7},
      {"PT", "pt", "+35191", 7},     {"IE", "en_IE", "+35385", 7},
      {"DK", "da", "+452", 7},       {"NO", "nb", "+479", 7},
      {"FI", "fi", "+35840", 7},     {"CZ", "cs", "+42077", 7},
  }};

  GeneratedContact Next() {
    GeneratedContact contact;
    contact.id = ++count_;
    const Country& country = kCountries[Zipf(kCountries.size())];
    contact.country = std::string(country.code);
    contact.language = Percent(88) ? std::string(country.language) : "en";
    contact.phone = PhoneNumber(country, contact.id);
    const int tag_count = static_cast<int>(Below(5));  // 0..4, a little over 2 distinct on average
    for (int i = 0; i < tag_count; ++i) {
      std::string tag(kTags[Zipf(kTags.size())]);
      bool seen = false;
      for (const std::string& existing : contact.tags) seen = seen || existing == tag;
      if (!seen) contact.tags.push_back(std::move(tag));
    }
    contact.opted_out = Percent(5);
    contact.consent_marketing = Percent(60);
    contact.consent_utility = Percent(85);
    if (Percent(40)) {
      // Skewed towards recent: the minimum of two uniform draws over two years.
      const std::uint64_t limit = 2 * 365 * 24 * 60;
      const std::uint64_t minutes = std::min(Below(limit), Below(limit));
      contact.last_inbound = now_ - std::chrono::minutes(minutes) - std::chrono::seconds(Below(60));
    }
    if (Percent(70)) contact.plan = Percent(10) ? "gold" : (Percent(33) ? "silver" : "bronze");
    if (Percent(60)) contact.orders = static_cast<int>(std::min(Below(51), Below(51)));
    return contact;
  }

 private:
  std::uint64_t Random() {  // SplitMix64
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t Below(std::uint64_t n) { return Random() % n; }  // bias is negligible here
  bool Percent(int p) { return Below(100) < static_cast<std::uint64_t>(p); }

  // Rank r (0-based) with probability proportional to 1 / (r + 1).
  std::size_t Zipf(std::size_t n) {
    const double pick = static_cast<double>(Random() >> 11) * 0x1.0p-53 * harmonic_[n];
    for (std::size_t r = 0; r + 1 < n; ++r) {
      if (pick < harmonic_[r + 1]) return r;
    }
    return n - 1;
  }

  // The prefix, then the id's last 7 (or `subscriber_digits`) digits: unique for ids below 10^7.
  static std::string PhoneNumber(const Country& country, std::int64_t id) {
    const auto digits = static_cast<std::size_t>(country.subscriber_digits);
    std::string subscriber = std::to_string(id % 10'000'000);
    if (subscriber.size() < digits) subscriber.insert(0, digits - subscriber.size(), '0');
    if (!country.overflow_prefix.empty() && subscriber[0] < '2') {
      subscriber[0] = static_cast<char>(subscriber[0] + 2);
      return std::string(country.overflow_prefix) + subscriber;
    }
    return std::string(country.phone_prefix) + subscriber;
  }

  static constexpr std::size_t kMaxRanks = 32;
  std::array<double, kMaxRanks + 1> harmonic_{};  // harmonic_[n] = 1 + 1/2 + ... + 1/n
  std::uint64_t state_;
  SysTime now_;
  std::int64_t count_ = 0;
};

}  // namespace herald::bench
