// ContactIndex on small hand-made populations: each kind of term, updates, ids, result sets.
#include "campaign/contact_index.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <limits>
#include <string>
#include <vector>

#include "campaign/segment.h"

namespace herald::campaign {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-11-24 12:00:30.500 UTC: not on a minute boundary, to exercise the flooring.
const SysTime kNow = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 24)) + hours(12) +
                     seconds(30) + std::chrono::milliseconds(500);

ContactFacts Contact(std::int64_t id) {
  ContactFacts facts;
  facts.id = ContactId{id};
  return facts;
}

SegmentExpr Expr(std::string_view text) {
  Result<SegmentExpr> parsed = ParseSegment(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
  return parsed.ok() ? std::move(parsed).value() : SegmentExpr{};
}

std::vector<std::int64_t> Ids(const ContactIndex& index, std::string_view text) {
  std::vector<std::int64_t> ids;
  index.Evaluate(Expr(text), kNow).ForEach([&](ContactId id) {
    ids.push_back(id.value);
    return true;
  });
  EXPECT_EQ(ids.size(), index.Count(Expr(text), kNow)) << text;
  return ids;
}

using Ids_ = std::vector<std::int64_t>;

TEST(ContactIndex, EmptyIndexMatchesNothingEvenUnderNot) {
  ContactIndex index;
  EXPECT_EQ(index.Size(), 0u);
  EXPECT_EQ(index.Count(Expr("tag:a"), kNow), 0u);
  EXPECT_EQ(index.Count(Expr("NOT tag:a"), kNow), 0u);
  EXPECT_EQ(index.Count(Expr("last_inbound > 1d"), kNow), 0u);
}

TEST(ContactIndex, TagsAreCaseInsensitiveAndCountedOncePerContact) {
  ContactIndex index;
  ContactFacts a = Contact(1);
  a.tags = {"VIP", "vip", "Churned"};
  index.Upsert(nullptr, a);
  EXPECT_EQ(Ids(index, "tag:vip"), Ids_({1}));
  EXPECT_EQ(Ids(index, "tag:CHURNED AND NOT tag:other"), Ids_({1}));
}

TEST(ContactIndex, UpsertMovesAContactBetweenBitmapsAndRemoveForgetsIt) {
  ContactIndex index;
  ContactFacts before = Contact(7);
  before.tags = {"vip", "trial"};
  before.country = "de";
  before.language = "de-AT";
  before.attributes = {{"plan", "gold"}};
  index.Upsert(nullptr, before);
  ContactFacts after = before;
  after.tags = {"vip", "paid"};
  after.country = "AT";
  after.attributes = {{"plan", "silver"}};
  index.Upsert(&before, after);
  EXPECT_EQ(Ids(index, "tag:trial OR country:DE OR attr.plan = \"gold\""), Ids_{});
  EXPECT_EQ(Ids(index, "tag:paid AND tag:vip AND country:AT AND attr.plan = \"silver\""),
            Ids_({7}));
  EXPECT_EQ(Ids(index, "lang:de"), Ids_({7}));
  index.Remove(after);
  EXPECT_EQ(index.Size(), 0u);
  EXPECT_FALSE(index.Contains(ContactId{7}));
  EXPECT_EQ(Ids(index, "tag:vip OR NOT tag:vip OR attr.plan != \"x\" OR lang:de"), Ids_{});
}

TEST(ContactIndex, OptedInNeedsConsentAndNoOptOut) {
  ContactIndex index;
  ContactFacts consenting = Contact(1);
  consenting.consent_marketing = true;
  ContactFacts opted_out = Contact(2);
  opted_out.consent_marketing = true;
  opted_out.consent_utility = true;
  opted_out.opted_out = true;
  ContactFacts utility_only = Contact(3);
  utility_only.consent_utility = true;
  for (const ContactFacts* facts : {&consenting, &opted_out, &utility_only}) {
    index.Upsert(nullptr, *facts);
  }
  EXPECT_EQ(Ids(index, "opted_in:marketing"), Ids_({1}));
  EXPECT_EQ(Ids(index, "opted_in:utility"), Ids_({3}));
  EXPECT_EQ(Ids(index, "opted_out"), Ids_({2}));
}

TEST(ContactIndex, LanguageMatchesItselfAndItsRegionalVariantsOnly) {
  ContactIndex index;
  const char* languages[] = {"de", "de_AT", "DE-ch", "dev", "en", ""};
  for (std::int64_t id = 0; id < 6; ++id) {
    ContactFacts facts = Contact(id);
    facts.language = languages[id];
    index.Upsert(nullptr, facts);
  }
  EXPECT_EQ(Ids(index, "lang:de"), Ids_({0, 1, 2}));
  EXPECT_EQ(Ids(index, "lang:de_at"), Ids_({1}));
  EXPECT_EQ(Ids(index, "lang:de-CH"), Ids_({2}));
  EXPECT_EQ(Ids(index, "lang:fr"), Ids_{});
}

struct AttributeCase {
  const char* expression;
  std::vector<std::int64_t> ids;
};

class AttributeComparison : public ::testing::TestWithParam<AttributeCase> {
 protected:
  // orders: 1 "3", 2 "3.0", 3 "10", 4 "n/a", 5 missing, 6 "-1"; plan: 1 gold, 2 Gold, 3 silver.
  void SetUp() override {
    const char* orders[] = {"3", "3.0", "10", "n/a", nullptr, "-1"};
    const char* plans[] = {"gold", "Gold", "silver", nullptr, nullptr, nullptr};
    for (std::int64_t id = 1; id <= 6; ++id) {
      ContactFacts facts = Contact(id);
      if (orders[id - 1]) facts.attributes.emplace_back("Orders", orders[id - 1]);
      if (plans[id - 1]) facts.attributes.emplace_back("plan", plans[id - 1]);
      index_.Upsert(nullptr, facts);
    }
  }
  ContactIndex index_;
};

TEST_P(AttributeComparison, MatchesTheDocumentedContacts) {
  EXPECT_EQ(Ids(index_, GetParam().expression), GetParam().ids) << GetParam().expression;
}

INSTANTIATE_TEST_SUITE_P(ContactIndex, AttributeComparison,
                         ::testing::Values(AttributeCase{"attr.orders = 3", {1, 2}},
                                           AttributeCase{"attr.orders = \"3\"", {1}},
                                           AttributeCase{"attr.orders != 3", {3, 4, 6}},
                                           AttributeCase{"attr.orders != \"3\"", {2, 3, 4, 6}},
                                           AttributeCase{"NOT attr.orders = 3", {3, 4, 5, 6}},
                                           AttributeCase{"attr.orders < 5", {1, 2, 6}},
                                           AttributeCase{"attr.orders <= 3", {1, 2, 6}},
                                           AttributeCase{"attr.orders > 3", {3}},
                                           AttributeCase{"attr.orders >= 3", {1, 2, 3}},
                                           AttributeCase{"attr.orders >= -1e9", {1, 2, 3, 6}},
                                           AttributeCase{"attr.plan = \"gold\"", {1}},
                                           AttributeCase{"attr.PLAN != \"gold\"", {2, 3}},
                                           AttributeCase{"attr.plan > 0", {}},
                                           AttributeCase{"attr.missing != \"x\"", {}}),
                         [](const auto& info) {
                           std::string name = std::to_string(info.index) + "_";
                           for (const char* c = info.param.expression; *c != '\0'; ++c) {
                             if (std::isalnum(static_cast<unsigned char>(*c))) name += *c;
                           }
                           return name;
                         });

TEST(ContactIndex, LastInboundAgesAreWholeMinutesFromNow) {
  ContactIndex index;
  const SysTime seven_days_ago = kNow - days(7);
  const SysTime inbound[] = {
      kNow - days(6) - hours(23),    // 1: recent
      seven_days_ago + seconds(20),  // 2: same minute as now - 7d: age exactly 7d
      seven_days_ago - minutes(1),   // 3: 7d and 1 minute
      kNow + hours(1),               // 4: in the future (clock skew): age < 0
  };
  for (std::int64_t id = 1; id <= 4; ++id) {
    ContactFacts facts = Contact(id);
    facts.last_inbound = inbound[id - 1];
    index.Upsert(nullptr, facts);
  }
  index.Upsert(nullptr, Contact(5));  // never wrote
  EXPECT_EQ(Ids(index, "last_inbound < 7d"), Ids_({1, 4}));
  EXPECT_EQ(Ids(index, "last_inbound > 7d"), Ids_({3, 5}));
  EXPECT_EQ(Ids(index, "last_inbound < 10081m"), Ids_({1, 2, 4}));
  EXPECT_EQ(Ids(index, "last_inbound > 1w"), Ids_({3, 5}));
  EXPECT_EQ(Ids(index, "last_inbound > 999999w"), Ids_({5}));
}

TEST(ContactIndex, IdsNeedNotBeDensePositiveOrSmall) {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::vector<std::int64_t> ids = {kMin, -5, 0, 1, std::int64_t{1} << 40, kMax};
  ContactIndex index;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    ContactFacts facts = Contact(*it);
    facts.tags = {"t"};
    facts.last_inbound = kNow - hours(1);
    index.Upsert(nullptr, facts);
  }
  EXPECT_EQ(Ids(index, "tag:t AND last_inbound < 2h"), ids);
  EXPECT_EQ(Ids(index, "NOT tag:t"), Ids_{});
  EXPECT_TRUE(index.Contains(ContactId{kMin}));
  EXPECT_FALSE(index.Contains(ContactId{2}));
}

TEST(ContactIndex, SetsPageAndSampleInIdOrder) {
  ContactIndex index;
  for (std::int64_t id = 10; id <= 1000; id += 10) index.Upsert(nullptr, Contact(id));
  const ContactSet all = index.Evaluate(Expr("NOT opted_out"), kNow);
  auto values = [](const std::vector<ContactId>& page) {
    Ids_ out;
    for (ContactId id : page) out.push_back(id.value);
    return out;
  };
  EXPECT_EQ(values(all.Page(std::nullopt, 3)), Ids_({10, 20, 30}));
  EXPECT_EQ(values(all.Page(ContactId{30}, 3)), Ids_({40, 50, 60}));
  EXPECT_EQ(values(all.Page(ContactId{35}, 2)), Ids_({40, 50}));
  EXPECT_EQ(values(all.Page(ContactId{995}, 10)), Ids_({1000}));
  EXPECT_EQ(values(all.Page(ContactId{1000}, 10)), Ids_{});
  EXPECT_EQ(values(all.Sample(4)), Ids_({10, 260, 510, 760}));
  EXPECT_EQ(all.Sample(1000).size(), 100u);
  EXPECT_TRUE(all.Contains(ContactId{500}));
  EXPECT_FALSE(all.Contains(ContactId{505}));
}

TEST(ContactIndex, CopiedAndMovedSetsKeepTheirContacts) {
  ContactIndex index;
  index.Upsert(nullptr, Contact(1));
  ContactSet set = index.Evaluate(Expr("NOT opted_out"), kNow);
  ContactSet copy = set;
  ContactSet moved = std::move(set);
  EXPECT_EQ(copy.Count(), 1u);
  EXPECT_EQ(moved.Count(), 1u);
  EXPECT_EQ(set.Count(), 0u);  // NOLINT(bugprone-use-after-move): documented as empty
  index.Remove(Contact(1));
  EXPECT_EQ(copy.Count(), 1u);  // independent of later index changes
}

TEST(ContactIndex, CountsPerCountryWithUnknownUnderEmptyString) {
  ContactIndex index;
  const char* countries[] = {"DE", "de", "AT", "", "FR"};
  for (std::int64_t id = 0; id < 5; ++id) {
    ContactFacts facts = Contact(id);
    facts.country = countries[id];
    facts.tags = {id == 4 ? "other" : "picked"};
    index.Upsert(nullptr, facts);
  }
  const auto counts = index.CountByCountry(index.Evaluate(Expr("tag:picked"), kNow));
  EXPECT_EQ(counts, (std::map<std::string, std::uint64_t>{{"", 1}, {"AT", 1}, {"DE", 2}}));
}

TEST(ContactIndex, CompactKeepsResultsAndShrinksADenseLoad) {
  ContactIndex index;
  for (std::int64_t id = 1; id <= 200000; ++id) {
    ContactFacts facts = Contact(id);
    facts.consent_marketing = true;
    facts.tags = {id % 2 == 0 ? "even" : "odd"};
    index.Upsert(nullptr, facts);
  }
  const SegmentExpr expr = Expr("opted_in:marketing AND tag:even");
  const std::size_t before = index.MemoryBytes();
  index.Compact();
  EXPECT_LT(index.MemoryBytes(), before);
  EXPECT_EQ(index.Count(expr, kNow), 100000u);
  EXPECT_LT(index.MemoryBytes() / 200000.0, 4.0);
}

// Contacts 1 {vip, trial}, 2 {VIP}, 3 {trial}, 4 {gold}, 5 without tags.
ContactIndex TaggedIndex() {
  ContactIndex index;
  const std::vector<std::vector<std::string>> tags = {
      {"vip", "trial"}, {"VIP"}, {"trial"}, {"gold"}, {}};
  for (std::size_t i = 0; i < tags.size(); ++i) {
    ContactFacts facts = Contact(static_cast<std::int64_t>(i) + 1);
    facts.tags = tags[i];
    index.Upsert(nullptr, facts);
  }
  return index;
}

TEST(ContactIndex, RenameTagMovesItsContactsToTheNewName) {
  ContactIndex index = TaggedIndex();
  index.RenameTag("Vip", "Premium");
  EXPECT_EQ(Ids(index, "tag:premium"), Ids_({1, 2}));
  EXPECT_EQ(Ids(index, "tag:vip"), Ids_{});
  EXPECT_EQ(Ids(index, "NOT tag:vip"), Ids_({1, 2, 3, 4, 5}));
  EXPECT_EQ(Ids(index, "tag:trial"), Ids_({1, 3}));
  EXPECT_EQ(Ids(index, "tag:gold"), Ids_({4}));
  EXPECT_EQ(index.Size(), 5u);
}

TEST(ContactIndex, RenameTagIntoAnExistingTagMergesTheirContacts) {
  ContactIndex index = TaggedIndex();
  index.RenameTag("trial", "vip");
  EXPECT_EQ(Ids(index, "tag:vip"), Ids_({1, 2, 3}));
  EXPECT_EQ(Ids(index, "tag:trial"), Ids_{});
  EXPECT_EQ(Ids(index, "tag:gold"), Ids_({4}));
}

TEST(ContactIndex, RenameTagThatOnlyChangesCaseKeepsItsContacts) {
  ContactIndex index = TaggedIndex();
  index.RenameTag("vip", "VIP");
  EXPECT_EQ(Ids(index, "tag:vip"), Ids_({1, 2}));
}

TEST(ContactIndex, DeleteTagForgetsItOnEveryContactAndNothingElse) {
  ContactIndex index = TaggedIndex();
  index.DeleteTag("TRIAL");
  EXPECT_EQ(Ids(index, "tag:trial"), Ids_{});
  EXPECT_EQ(Ids(index, "NOT tag:trial"), Ids_({1, 2, 3, 4, 5}));
  EXPECT_EQ(Ids(index, "tag:vip"), Ids_({1, 2}));
  EXPECT_EQ(index.Size(), 5u);
}

TEST(ContactIndex, RenamingOrDeletingAnUnknownTagChangesNothing) {
  ContactIndex index = TaggedIndex();
  index.RenameTag("nope", "vip");
  index.RenameTag("nope", "new");
  index.DeleteTag("nope");
  EXPECT_EQ(Ids(index, "tag:vip"), Ids_({1, 2}));
  EXPECT_EQ(Ids(index, "tag:trial"), Ids_({1, 3}));
  EXPECT_EQ(Ids(index, "tag:gold"), Ids_({4}));
  EXPECT_EQ(Ids(index, "tag:new OR tag:nope"), Ids_{});
}

TEST(ContactIndex, ContactsKeepUpdatingUnderTheNewTagNames) {
  ContactIndex index = TaggedIndex();
  index.RenameTag("vip", "premium");
  index.DeleteTag("trial");
  // The owner's facts now carry the new names: an update moves contacts off and onto them.
  ContactFacts one = Contact(1);
  one.tags = {"premium"};
  ContactFacts one_after = Contact(1);
  one_after.tags = {"vip"};
  index.Upsert(&one, one_after);
  ContactFacts six = Contact(6);
  six.tags = {"trial"};
  index.Upsert(nullptr, six);
  EXPECT_EQ(Ids(index, "tag:premium"), Ids_({2}));
  EXPECT_EQ(Ids(index, "tag:vip"), Ids_({1}));
  EXPECT_EQ(Ids(index, "tag:trial"), Ids_({6}));
}

}  // namespace
}  // namespace herald::campaign
