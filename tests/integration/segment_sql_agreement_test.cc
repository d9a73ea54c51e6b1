// Property (issue 3, "Done when"): on 100k generated contacts written through the storage layer
// into a real SQLite file, the in-memory ContactIndex, rebuilt from the database as the daemon
// rebuilds it at start-up, selects exactly the contacts that the plain SQL evaluation
// (tests/support/segment_sql.h) selects, for hundreds of random expressions, and still does after
// contacts are updated and erased.
//
// The population is meant to hit the edges of the semantics: tags and countries in mixed case,
// languages written de-CH, DE_at and fil, attribute keys that differ only in case on one contact,
// numbers written 3.0, 3e0, " 4", +5 or 0x2A, last inbound times on minute and age boundaries, in
// the future and before 1970, consents revoked after being granted, erased contacts that had
// opted out.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "app/contact_service.h"
#include "campaign/contact_index.h"
#include "campaign/segment.h"
#include "storage/contact_repository.h"
#include "storage/sqlite/contact_repository.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"
#include "tests/campaign/random_segment.h"
#include "tests/support/segment_sql.h"
#include "tests/support/temp_dir.h"

namespace herald {
namespace {

using campaign::ContactFacts;
using campaign::ContactIndex;
using campaign::SegmentExpr;
using storage::ContactRepository;
using storage::ContactUpsert;
using storage::SqliteContactRepository;
using storage::StoredContact;

// Not on a minute boundary, so that flooring `now` matters.
const SysTime kNow = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 24)) +
                     std::chrono::hours(9) + std::chrono::milliseconds(12345);

constexpr int kContacts = 100000;
constexpr int kBatch = 5000;
constexpr std::uint64_t kSeed = 20261124;

const std::vector<std::string> kTags = {
    "vip",  "churned", "newsletter", "trial",  "paid",  "b2b",    "b2c",    "event-2026",
    "beta", "android", "ios",        "web",    "promo", "winter", "summer", "loyal",
    "cart", "survey",  "support",    "refund", "café",  "CAFÉ"};
const std::vector<std::string> kCountries = {
    "DE", "AT", "CH", "FR", "IT", "ES", "PT", "NL", "BE", "GB", "IE", "PL", "CZ", "SE", "NO",
    "DK", "FI", "US", "CA", "MX", "BR", "AR", "IN", "ID", "NG", "ZA", "EG", "TR", "AE", "XK"};
// "fil" (Filipino) starts with "fi" (Finnish) but is not a variant of it; "de_" is one of "de".
const std::vector<std::string> kLanguages = {"de", "de_AT", "de-CH", "en",    "en_GB", "fr",
                                             "pt", "pt_BR", "pt-br", "DE_at", "es",    "it",
                                             "fi", "fil",   "de_",   ""};

// The ages RandomSegment uses, in minutes: some contacts are put on and around them.
const std::vector<int> kAgeThresholds = {30,           12 * 60,      36 * 60,
                                         24 * 60,      7 * 24 * 60,  30 * 24 * 60,
                                         90 * 24 * 60, 14 * 24 * 60, 182 * 24 * 60};

// Expressions checked before the random ones: the benchmark's, and the documented corner cases.
const char* const kFixedExpressions[] = {
    "tag:vip AND country:DE AND opted_in:marketing AND NOT tag:churned AND lang:de",
    "tag:café OR tag:event-2026",
    "lang:fi",
    "lang:de_at OR lang:pt_br",
    "attr.orders = 3",
    "attr.orders != 3",
    "NOT attr.orders = 3",
    "attr.orders = \"3\"",
    "attr.orders >= 42 OR attr.orders < -0.5",
    "attr.plan = \"Gold\" OR attr.plan != \"gold\"",
    "attr.score > 0 OR attr.nickname = \"bob\"",
    "last_inbound < 30m OR last_inbound > 26w",
    "last_inbound < 7d AND NOT last_inbound < 1d",
    "last_inbound > 1d",
    "opted_out OR opted_in:utility",
    "NOT opted_in:marketing AND NOT opted_out",
    "country:XK OR country:JP",
};

// The daemon's own mapping of a stored contact to what the index knows.
using app::ToFacts;

std::string Describe(const StoredContact& contact) {
  std::ostringstream out;
  out << "contact " << contact.id.value << ": tags [";
  for (const auto& tag : contact.tags) out << tag << ' ';
  out << "] country '" << contact.country << "' language '" << contact.language << "' opted_out "
      << contact.opted_out << " marketing " << contact.consent_marketing << " utility "
      << contact.consent_utility << " last_inbound_ms "
      << (contact.last_inbound ? std::to_string(contact.last_inbound->time_since_epoch().count())
                               : "none")
      << " attributes {";
  for (const auto& [key, value] : contact.attributes) out << key << "='" << value << "' ";
  out << "}";
  return out.str();
}

// What one generated contact is written as: its upsert, an optional second upsert that revokes
// consent, and the columns ContactRepository has no API for (set with an UPDATE).
struct PlannedContact {
  ContactUpsert upsert;
  std::optional<ContactUpsert> revoke;
  std::optional<SysTime> opted_out;
  std::optional<SysTime> last_inbound;
};

// Zipf-like: the item of rank r is drawn with weight 1 / (r + 1).
std::discrete_distribution<std::size_t> Skewed(std::size_t n) {
  std::vector<double> weights;
  for (std::size_t r = 0; r < n; ++r) weights.push_back(1.0 / static_cast<double>(r + 1));
  return std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
}

class Population {
 public:
  explicit Population(std::uint64_t seed) : random_(seed) {}

  PlannedContact Generate(int index) {
    PlannedContact plan;
    ContactUpsert& upsert = plan.upsert;
    std::string digits = std::to_string(index);
    upsert.phone_e164 = "+4915" + std::string(9 - digits.size(), '0') + digits;
    upsert.tags = RandomTags();
    if (!Chance(0.03)) {
      upsert.country = kCountries[country_(random_)];
      if (Chance(0.1)) upsert.country = Lower(*upsert.country);
    }
    if (!Chance(0.03)) upsert.language = kLanguages[language_(random_)];
    const SysTime consented = kNow - std::chrono::hours(Uniform(1, 5000));
    if (Chance(0.6)) upsert.marketing = storage::ConsentChange{true, consented, "web form"};
    if (Chance(0.8)) upsert.utility = storage::ConsentChange{true, consented, "checkout"};
    if ((upsert.marketing || upsert.utility) && Chance(0.1)) {
      ContactUpsert revoke;
      revoke.phone_e164 = upsert.phone_e164;
      const storage::ConsentChange revoked{false, consented + std::chrono::hours(1), "STOP"};
      (Chance(0.5) ? revoke.marketing : revoke.utility) = revoked;
      plan.revoke = std::move(revoke);
    }
    upsert.attributes = RandomAttributes();
    if (Chance(0.07)) plan.opted_out = kNow - std::chrono::hours(Uniform(1, 5000));
    if (Chance(0.55)) plan.last_inbound = RandomLastInbound();
    return plan;
  }

  // A change an import or tag edit would make to an existing contact.
  ContactUpsert Change(const std::string& phone) {
    ContactUpsert upsert;
    upsert.phone_e164 = phone;
    switch (Uniform(0, 3)) {
      case 0:
        upsert.tags = RandomTags();
        upsert.replace_tags = Chance(0.5);
        break;
      case 1:
        upsert.country = kCountries[country_(random_)];
        upsert.language = kLanguages[language_(random_)];
        break;
      case 2:
        upsert.marketing = storage::ConsentChange{Chance(0.5), kNow, "change"};
        break;
      default:
        upsert.attributes = {{"plan", Pick({"gold", "silver"})}, {"orders", Orders()}};
        break;
    }
    return upsert;
  }

  bool Chance(double p) { return std::bernoulli_distribution(p)(random_); }
  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  std::mt19937_64& random() { return random_; }

 private:
  std::vector<std::string> RandomTags() {
    std::vector<std::string> tags;
    const int count = Uniform(0, 4);
    for (int i = 0; i < count; ++i) {
      std::string tag = kTags[tag_(random_)];
      tags.push_back(Chance(0.1) ? Upper(tag) : tag);
    }
    return tags;
  }

  std::vector<std::pair<std::string, std::string>> RandomAttributes() {
    std::vector<std::pair<std::string, std::string>> attributes;
    if (Chance(0.85)) {
      attributes.emplace_back("plan", Chance(0.02) ? Pick({"Gold", "platinum", ""})
                                                   : Pick({"gold", "silver", "bronze"}));
    }
    if (Chance(0.8)) attributes.emplace_back(Pick({"orders", "Orders", "ORDERS"}), Orders());
    // Keys that fold alike on one contact: the greatest in byte order ("orders") wins.
    if (Chance(0.03)) {
      attributes.emplace_back("Orders", Orders());
      attributes.emplace_back("orders", Orders());
    }
    if (Chance(0.02)) attributes.emplace_back("score", Chance(0.5) ? "high" : Orders());
    if (Chance(0.01)) attributes.emplace_back("nickname", Pick({"bob", "Bob", "bob "}));
    return attributes;
  }

  std::string Orders() {
    if (Chance(0.03)) return "n/a";
    if (Chance(0.05)) return std::to_string(Uniform(0, 50)) + ".5";
    if (Chance(0.05)) {
      return Pick({"3.0", "3e0", "0.3e1", " 4", "+5", "0x2A", "42", "1e400", "-0", "-1", "", "3."});
    }
    return std::to_string(Uniform(0, 50));
  }

  SysTime RandomLastInbound() {
    const SysTime now_minute = std::chrono::floor<std::chrono::minutes>(kNow);
    if (Chance(0.01)) return kNow + std::chrono::minutes(Uniform(0, 3000));  // clock skew
    if (Chance(0.002)) return SysTime(std::chrono::milliseconds(-Uniform(1, 200000)));
    std::chrono::minutes age(Uniform(0, 400 * 24 * 60));
    if (Chance(0.2)) {  // on a boundary, where off-by-one errors show
      age = std::chrono::minutes(kAgeThresholds[static_cast<std::size_t>(
                                     Uniform(0, static_cast<int>(kAgeThresholds.size()) - 1))] +
                                 Uniform(-1, 1));
    }
    switch (Uniform(0, 3)) {
      case 0:
        return now_minute - age;  // the first millisecond of a minute
      case 1:
        return now_minute - age - std::chrono::milliseconds(1);  // the last of the one before
      default:
        return kNow - age - std::chrono::milliseconds(Uniform(0, 59999));
    }
  }

  std::string Pick(std::initializer_list<const char*> items) {
    return *(items.begin() + Uniform(0, static_cast<int>(items.size()) - 1));
  }
  static std::string Lower(std::string s) {
    for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return s;
  }
  static std::string Upper(std::string s) {
    for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    return s;
  }

  std::mt19937_64 random_;
  std::discrete_distribution<std::size_t> tag_ = Skewed(kTags.size());
  std::discrete_distribution<std::size_t> country_ = Skewed(kCountries.size());
  std::discrete_distribution<std::size_t> language_ = Skewed(kLanguages.size());
};

campaign::testing::Vocabulary PopulationVocabulary() {
  campaign::testing::Vocabulary vocabulary;
  for (const std::string& tag : kTags) {
    if (tag != "CAFÉ") vocabulary.tags.push_back(tag);
  }
  vocabulary.tags.push_back("cafÉ");  // "CAFÉ" folded by ASCII rules
  vocabulary.tags.push_back("never-used");
  vocabulary.countries = kCountries;
  vocabulary.countries.push_back("JP");  // no contact
  vocabulary.languages = {"de",    "de_at", "de_ch", "en",  "en_gb", "pt",
                          "pt_br", "fr",    "fi",    "fil", "ja",    "es"};
  vocabulary.plans = {"gold", "silver", "bronze", "platinum", "Gold", ""};
  vocabulary.orders = {-1, 0, 1, 3, 2.5, 4, 5, 10, 25, 25.5, 42, 49, 50, 51};
  return vocabulary;
}

class IndexSqlAgreement : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::SqliteStore::Open({dir_ / "herald.db"});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    for (int first = 0; first < kContacts; first += kBatch) {
      std::vector<PlannedContact> batch;
      for (int i = first; i < std::min(first + kBatch, kContacts); ++i) {
        batch.push_back(population_.Generate(i));
      }
      Status written = store_->sqlite_writer().SubmitAndWait(
          [&batch](storage::Connection& connection) { return Write(connection, batch); });
      ASSERT_TRUE(written.ok()) << written.error().ToString();
    }
    auto read = store_->OpenReadConnection();
    ASSERT_TRUE(read.ok()) << read.error().ToString();
    read_ = std::move(read).value();
    auto repository = SqliteContactRepository::Create(*read_);
    ASSERT_TRUE(repository.ok()) << repository.error().ToString();
    reader_ = std::move(repository).value();
    Status scanned = reader_->ForEach(
        [&](StoredContact&& contact) { index_.Upsert(nullptr, ToFacts(contact)); });
    ASSERT_TRUE(scanned.ok()) << scanned.error().ToString();
    index_.Compact();
    ASSERT_EQ(index_.Size(), static_cast<std::uint64_t>(kContacts));
  }

  void TearDown() override {
    if (store_) store_->Stop();
  }

  static Status Write(storage::Connection& connection, const std::vector<PlannedContact>& batch) {
    auto repository = SqliteContactRepository::Create(connection);
    if (!repository.ok()) return repository.error();
    auto update = connection.Prepare(
        "UPDATE contacts SET opted_out_at = ?2, opted_out_source = ?3, last_inbound_at = ?4 "
        "WHERE id = ?1");
    if (!update.ok()) return update.error();
    for (const PlannedContact& plan : batch) {
      auto created = (*repository)->Upsert(plan.upsert, kNow, "agreement-test");
      if (!created.ok()) return created.error();
      if (plan.revoke) {
        auto revoked = (*repository)->Upsert(*plan.revoke, kNow, "agreement-test");
        if (!revoked.ok()) return revoked.error();
      }
      if (!plan.opted_out && !plan.last_inbound) continue;
      update->Bind(1, created->after.id.value);
      if (plan.opted_out) {
        update->Bind(2, plan.opted_out->time_since_epoch().count()).Bind(3, "STOP");
      } else {
        update->BindNull(2).BindNull(3);
      }
      if (plan.last_inbound) {
        update->Bind(4, plan.last_inbound->time_since_epoch().count());
      } else {
        update->BindNull(4);
      }
      Status updated = update->Run();
      update->Reset();
      if (!updated.ok()) return updated;
    }
    return Status::Ok();
  }

  // The ids the index selects, ascending.
  std::vector<std::int64_t> IndexIds(const SegmentExpr& expr) const {
    std::vector<std::int64_t> ids;
    index_.Evaluate(expr, kNow).ForEach([&](ContactId id) {
      ids.push_back(id.value);
      return true;
    });
    return ids;
  }

  // Up to five contacts on which the two evaluations differ, as stored.
  std::string Differences(const std::vector<std::int64_t>& from_index,
                          const std::vector<std::int64_t>& from_sql) {
    std::vector<std::int64_t> only_index;
    std::vector<std::int64_t> only_sql;
    std::set_difference(from_index.begin(), from_index.end(), from_sql.begin(), from_sql.end(),
                        std::back_inserter(only_index));
    std::set_difference(from_sql.begin(), from_sql.end(), from_index.begin(), from_index.end(),
                        std::back_inserter(only_sql));
    std::string text;
    auto describe = [&](const std::vector<std::int64_t>& ids, const char* side) {
      for (std::size_t i = 0; i < std::min<std::size_t>(ids.size(), 5); ++i) {
        auto contact = reader_->FindById(ContactId{ids[i]});
        text += std::string("\n  only in ") + side + ": " +
                (contact.ok() && contact->has_value() ? Describe(**contact)
                                                      : std::to_string(ids[i]) + " (not found)");
      }
    };
    describe(only_index, "the index");
    describe(only_sql, "SQL");
    return text;
  }

  // Checks one expression; false (with a test failure) when the two evaluations differ. The id
  // lists are compared every time; CountWithSql, the same WHERE clause under count(*), only when
  // `also_count` (it doubles the time of a check).
  bool Agrees(const SegmentExpr& expr, bool also_count) {
    const std::string text = campaign::ToString(expr);
    auto sql_ids = testing::IdsWithSql(*read_, expr, kNow);
    EXPECT_TRUE(sql_ids.ok()) << text << ": " << sql_ids.error().ToString();
    if (!sql_ids.ok()) return false;
    if (also_count) {
      auto sql_count = testing::CountWithSql(*read_, expr, kNow);
      EXPECT_TRUE(sql_count.ok()) << text;
      if (!sql_count.ok()) return false;
      EXPECT_EQ(*sql_count, sql_ids->size()) << text;
    }
    const std::vector<std::int64_t> index_ids = IndexIds(expr);
    const std::uint64_t index_count = index_.Count(expr, kNow);
    EXPECT_EQ(index_count, sql_ids->size()) << text;
    EXPECT_TRUE(index_ids == *sql_ids) << text << Differences(index_ids, *sql_ids);
    if (!sql_ids->empty() && sql_ids->size() != index_.Size()) ++interesting_;
    return !::testing::Test::HasFailure();
  }

  void CheckFixedExpressions() {
    for (const char* text : kFixedExpressions) {
      auto expr = campaign::ParseSegment(text);
      ASSERT_TRUE(expr.ok()) << text << ": " << expr.error().ToString();
      ASSERT_TRUE(Agrees(*expr, true));
    }
  }

  void CheckRandomExpressions(int rounds) {
    const campaign::testing::Vocabulary vocabulary = PopulationVocabulary();
    interesting_ = 0;
    for (int round = 0; round < rounds; ++round) {
      const SegmentExpr expr =
          campaign::testing::RandomSegment(population_.random(), vocabulary, 4);
      ASSERT_TRUE(Agrees(expr, round % 5 == 0)) << "round " << round;
    }
    // Most expressions must select some contacts but not all, or the check says little.
    EXPECT_GT(interesting_, rounds / 2);
  }

  testing::TempDir dir_;
  Population population_{kSeed};
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<storage::Connection> read_;
  std::unique_ptr<ContactRepository> reader_;
  ContactIndex index_;
  int interesting_ = 0;
};

TEST_F(IndexSqlAgreement, HoldsForEveryRandomExpressionOverAHundredThousandContacts) {
  CheckFixedExpressions();
  CheckRandomExpressions(300);
}

TEST_F(IndexSqlAgreement, HoldsAfterContactsAreUpdatedAndErased) {
  constexpr int kChanges = 2000;
  constexpr int kErasures = 1000;
  std::vector<std::int64_t> ids;
  ASSERT_TRUE(
      reader_->ForEach([&](StoredContact&& contact) { ids.push_back(contact.id.value); }).ok());
  std::shuffle(ids.begin(), ids.end(), population_.random());
  std::vector<ContactUpsert> changes;
  for (int i = 0; i < kChanges; ++i) {
    auto contact = reader_->FindById(ContactId{ids[static_cast<std::size_t>(i)]});
    ASSERT_TRUE(contact.ok() && contact->has_value());
    changes.push_back(population_.Change((*contact)->phone_e164));
  }
  Status written =
      store_->sqlite_writer().SubmitAndWait([&](storage::Connection& connection) -> Status {
        auto repository = SqliteContactRepository::Create(connection);
        if (!repository.ok()) return repository.error();
        for (const ContactUpsert& change : changes) {
          auto result = (*repository)->Upsert(change, kNow, "agreement-test");
          if (!result.ok()) return result.error();
          const ContactFacts before = ToFacts(*result->before);
          index_.Upsert(&before, ToFacts(result->after));
        }
        // Some of the erased contacts were just changed, and some had opted out: an erased row
        // keeps opted_out_at, country and language, but is no contact any more.
        for (int i = kChanges / 2; i < kChanges / 2 + kErasures; ++i) {
          auto erased = (*repository)
                            ->Erase(ContactId{ids[static_cast<std::size_t>(i)]}, "agreement-test",
                                    "GDPR request", kNow);
          if (!erased.ok()) return erased.error();
          if (!erased->has_value())
            return MakeError(ErrorCode::kNotFound, "contact already erased");
          index_.Remove(ToFacts(**erased));
        }
        return Status::Ok();
      });
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  ASSERT_EQ(index_.Size(), static_cast<std::uint64_t>(kContacts - kErasures));

  auto everyone = campaign::ParseSegment("opted_out OR NOT opted_out");
  ASSERT_TRUE(everyone.ok());
  auto counted = testing::CountWithSql(*read_, *everyone, kNow);
  ASSERT_TRUE(counted.ok()) << counted.error().ToString();
  EXPECT_EQ(*counted, static_cast<std::uint64_t>(kContacts - kErasures));
  CheckFixedExpressions();
  CheckRandomExpressions(150);
}

TEST(SegmentSql, BindsEveryValueAsAParameter) {
  auto expr = campaign::ParseSegment(
      "attr.plan = \"x' OR 1=1 --\" AND tag:vip AND lang:de AND last_inbound < 7d");
  ASSERT_TRUE(expr.ok());
  auto sql = testing::SegmentToSql(*expr, kNow);
  ASSERT_TRUE(sql.ok()) << sql.error().ToString();
  EXPECT_EQ(sql->where.find("OR 1=1"), std::string::npos);
  EXPECT_EQ(sql->where.find("vip"), std::string::npos);
  // The value and key, the tag, the language and its prefix, the age threshold.
  EXPECT_EQ(sql->params.size(), 6u);
}

TEST(SegmentSql, RejectsAnAstTheParserCannotProduce) {
  SegmentExpr ordering_on_text{SegmentExpr::Kind::kTerm,
                               campaign::AttributeTerm{"plan", campaign::CompareOp::kLt, "gold"},
                               {}};
  EXPECT_FALSE(testing::SegmentToSql(ordering_on_text, kNow).ok());
  SegmentExpr upper_tag{SegmentExpr::Kind::kTerm, campaign::TagTerm{"VIP"}, {}};
  EXPECT_FALSE(testing::SegmentToSql(upper_tag, kNow).ok());
  SegmentExpr empty_or{SegmentExpr::Kind::kOr, {}, {}};
  EXPECT_FALSE(testing::SegmentToSql(empty_or, kNow).ok());
}

}  // namespace
}  // namespace herald
