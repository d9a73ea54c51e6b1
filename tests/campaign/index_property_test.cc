// Property: on a generated population, ContactIndex agrees exactly with the naive evaluator for
// hundreds of random expressions, before and after random updates and removals.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "campaign/contact_index.h"
#include "campaign/segment.h"
#include "tests/campaign/naive_evaluator.h"
#include "tests/campaign/random_segment.h"

namespace herald::campaign {
namespace {

using testing::NaiveMatches;

const SysTime kNow = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 24)) +
                     std::chrono::hours(9) + std::chrono::milliseconds(12345);

const std::vector<std::string> kTags = {"vip",   "churned", "newsletter", "trial",   "paid",
                                        "b2b",   "b2c",     "event-2026", "beta",    "android",
                                        "ios",   "web",     "promo",      "winter",  "summer",
                                        "loyal", "cart",    "survey",     "support", "refund"};
const std::vector<std::string> kCountries = {
    "DE", "AT", "CH", "FR", "IT", "ES", "PT", "NL", "BE", "GB", "IE", "PL", "CZ", "SE", "NO",
    "DK", "FI", "US", "CA", "MX", "BR", "AR", "IN", "ID", "NG", "ZA", "EG", "TR", "AE", "XK"};
// "fil" (Filipino) starts with "fi" (Finnish) but is not a variant of it.
const std::vector<std::string> kLanguages = {"de",    "de_AT", "de-CH", "en", "en_GB", "fr", "pt",
                                             "pt_BR", "es",    "it",    "fi", "fil",   ""};

// The ages RandomSegment uses, in minutes: contacts are put on and around them.
const std::vector<int> kAgeThresholds = {30,           12 * 60,      36 * 60,
                                         24 * 60,      7 * 24 * 60,  30 * 24 * 60,
                                         90 * 24 * 60, 14 * 24 * 60, 182 * 24 * 60};

// Zipf-like: the item of rank r is drawn with weight 1 / (r + 1).
std::discrete_distribution<std::size_t> Skewed(std::size_t n) {
  std::vector<double> weights;
  for (std::size_t r = 0; r < n; ++r) weights.push_back(1.0 / static_cast<double>(r + 1));
  return std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
}

class Population {
 public:
  explicit Population(std::uint64_t seed) : random_(seed) {}

  ContactFacts Generate(ContactId id) {
    ContactFacts facts;
    facts.id = id;
    RandomizeTags(facts);
    facts.country = Chance(0.03) ? "" : kCountries[country_(random_)];
    if (Chance(0.1)) facts.country = Lower(facts.country);
    facts.language = kLanguages[language_(random_)];
    RandomizeConsent(facts);
    if (Chance(0.85)) facts.attributes.emplace_back("plan", Pick({"gold", "silver", "bronze"}));
    if (Chance(0.8)) facts.attributes.emplace_back(Chance(0.5) ? "orders" : "Orders", Orders());
    if (Chance(0.02)) facts.attributes.emplace_back("score", "high");
    if (Chance(0.55)) {
      auto age = std::chrono::minutes(Uniform(0, 400 * 24 * 60));
      if (Chance(0.2)) {  // on a boundary, where off-by-one errors show
        age = std::chrono::minutes(kAgeThresholds[static_cast<std::size_t>(
                                       Uniform(0, static_cast<int>(kAgeThresholds.size()) - 1))] +
                                   Uniform(-1, 1));
      }
      facts.last_inbound = kNow - age - std::chrono::milliseconds(Uniform(0, 59999));
    }
    return facts;
  }

  void RandomizeTags(ContactFacts& facts) {
    facts.tags.clear();
    const int count = Uniform(0, 4);
    for (int i = 0; i < count; ++i) {
      std::string tag = kTags[tag_(random_)];
      facts.tags.push_back(Chance(0.1) ? Upper(tag) : tag);
    }
  }

  void RandomizeConsent(ContactFacts& facts) {
    facts.opted_out = Chance(0.07);
    facts.consent_marketing = Chance(0.6);
    facts.consent_utility = Chance(0.8);
  }

  // A random change of what an import or a tag edit would change.
  ContactFacts Mutate(const ContactFacts& facts) {
    ContactFacts after = facts;
    switch (Uniform(0, 4)) {
      case 0:
        RandomizeTags(after);
        break;
      case 1:
        after.country = kCountries[country_(random_)];
        break;
      case 2:
        RandomizeConsent(after);
        break;
      case 3:
        after.attributes = {{"plan", Pick({"gold", "silver"})}, {"orders", Orders()}};
        break;
      default:
        after.last_inbound = kNow - std::chrono::minutes(Uniform(0, 60 * 24 * 30));
        break;
    }
    return after;
  }

  bool Chance(double p) { return std::bernoulli_distribution(p)(random_); }
  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  std::mt19937_64& random() { return random_; }

 private:
  std::string Orders() {
    if (Chance(0.03)) return "n/a";
    if (Chance(0.05)) return std::to_string(Uniform(0, 50)) + ".5";
    return std::to_string(Uniform(0, 50));
  }
  std::string Pick(std::initializer_list<const char*> items) {
    return *(items.begin() + Uniform(0, static_cast<int>(items.size()) - 1));
  }
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }

  std::mt19937_64 random_;
  std::discrete_distribution<std::size_t> tag_ = Skewed(kTags.size());
  std::discrete_distribution<std::size_t> country_ = Skewed(kCountries.size());
  std::discrete_distribution<std::size_t> language_ = Skewed(kLanguages.size());
};

testing::Vocabulary PopulationVocabulary() {
  testing::Vocabulary vocabulary;
  vocabulary.tags = kTags;
  vocabulary.tags.push_back("never-used");
  vocabulary.countries = kCountries;
  vocabulary.countries.push_back("JP");  // no contact
  vocabulary.languages = {"de",    "de_at", "de_ch", "en",  "en_gb", "pt",
                          "pt_br", "fr",    "fi",    "fil", "ja"};
  vocabulary.plans = {"gold", "silver", "bronze", "platinum", "Gold"};
  vocabulary.orders = {-1, 0, 1, 3, 2.5, 10, 25, 25.5, 49, 50, 51};
  return vocabulary;
}

class ContactIndexAgreesWithNaiveEvaluation : public ::testing::Test {
 protected:
  static constexpr int kContacts = 25000;

  void SetUp() override {
    // Sparse, non-monotonic ids, some negative and some above 2^32.
    for (int i = 0; i < kContacts; ++i) {
      std::int64_t id = static_cast<std::int64_t>(i) * 7 + 3;
      if (i % 1000 == 1) id = -id;
      if (i % 997 == 2) id += std::int64_t{1} << 33;
      contacts_.push_back(population_.Generate(ContactId{id}));
    }
    for (const ContactFacts& facts : contacts_) index_.Upsert(nullptr, facts);
    index_.Compact();
  }

  // Checks `rounds` random expressions; returns how many had a non-trivial count.
  int CheckRandomExpressions(int rounds) {
    const testing::Vocabulary vocabulary = PopulationVocabulary();
    int interesting = 0;
    for (int round = 0; round < rounds; ++round) {
      const SegmentExpr expr = testing::RandomSegment(population_.random(), vocabulary, 4);
      std::vector<std::int64_t> expected;
      for (const ContactFacts& facts : contacts_) {
        if (NaiveMatches(facts, expr, kNow)) expected.push_back(facts.id.value);
      }
      std::sort(expected.begin(), expected.end());
      const ContactSet set = index_.Evaluate(expr, kNow);
      std::vector<std::int64_t> actual;
      set.ForEach([&](ContactId id) {
        actual.push_back(id.value);
        return true;
      });
      EXPECT_EQ(index_.Count(expr, kNow), expected.size()) << ToString(expr);
      EXPECT_EQ(set.Count(), expected.size()) << ToString(expr);
      EXPECT_EQ(actual, expected) << ToString(expr);
      if (::testing::Test::HasFailure()) return interesting;
      if (!expected.empty() && expected.size() != contacts_.size()) ++interesting;
    }
    return interesting;
  }

  Population population_{20261124};
  std::vector<ContactFacts> contacts_;
  ContactIndex index_;
};

TEST_F(ContactIndexAgreesWithNaiveEvaluation, OnAFreshlyBuiltIndex) {
  const int interesting = CheckRandomExpressions(600);
  EXPECT_GT(interesting, 300) << "too many expressions match nobody or everybody";
}

TEST_F(ContactIndexAgreesWithNaiveEvaluation, AfterRandomUpdatesAndRemovals) {
  for (int i = 0; i < 6000; ++i) {
    const std::size_t at = static_cast<std::size_t>(population_.Uniform(0, kContacts - 1));
    if (at >= contacts_.size()) continue;
    if (population_.Chance(0.2)) {
      index_.Remove(contacts_[at]);
      contacts_.erase(contacts_.begin() + static_cast<std::ptrdiff_t>(at));
      continue;
    }
    ContactFacts after = population_.Mutate(contacts_[at]);
    index_.Upsert(&contacts_[at], after);
    contacts_[at] = std::move(after);
  }
  EXPECT_EQ(index_.Size(), contacts_.size());
  CheckRandomExpressions(300);
}

TEST_F(ContactIndexAgreesWithNaiveEvaluation, PerCountryBreakdown) {
  const SegmentExpr expr = ParseSegment("opted_in:marketing AND NOT tag:churned").value();
  std::map<std::string, std::uint64_t> expected;
  for (const ContactFacts& facts : contacts_) {
    std::string country = facts.country;
    for (char& c : country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (NaiveMatches(facts, expr, kNow)) ++expected[country];
  }
  EXPECT_EQ(index_.CountByCountry(index_.Evaluate(expr, kNow)), expected);
}

}  // namespace
}  // namespace herald::campaign
