#include "storage/sqlite/contact_repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/contact_repository.h"
#include "storage/sqlite/migrations.h"
#include "tests/support/temp_dir.h"

namespace herald::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

SysTime At(std::int64_t seconds) { return SysTime(std::chrono::seconds(seconds)); }

class ContactRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connection = Connection::Open({dir_ / "herald.db"});
    ASSERT_TRUE(connection.ok());
    connection_ = std::move(connection).value();
    ASSERT_TRUE(Migrate(*connection_).ok());
    auto repository = SqliteContactRepository::Create(*connection_);
    ASSERT_TRUE(repository.ok()) << repository.error().ToString();
    repository_ = std::move(repository).value();
  }

  UpsertResult Upsert(const ContactUpsert& upsert, SysTime now = At(1000)) {
    auto result = repository_->Upsert(upsert, now, "tester");
    EXPECT_TRUE(result.ok()) << result.error().ToString();
    return result.ok() ? std::move(result).value() : UpsertResult{};
  }

  std::int64_t AuditCount(const std::string& action) {
    auto count = connection_->Prepare("SELECT count(*) FROM audit_log WHERE action = ?1");
    count->Bind(1, action);
    EXPECT_TRUE(*count->Step());
    return count->ColumnInt(0);
  }

  static ContactUpsert Anna() {
    ContactUpsert upsert;
    upsert.phone_e164 = "+4915112345678";
    upsert.name = "Anna";
    upsert.country = "DE";
    upsert.tags = {"vip", "newsletter"};
    upsert.marketing = ConsentChange{true, At(500), "web form"};
    upsert.attributes = {{"plan", "gold"}};
    return upsert;
  }

  herald::testing::TempDir dir_;
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<ContactRepository> repository_;
};

TEST_F(ContactRepositoryTest, CreatesContactWithTagsConsentAndAuditedSource) {
  UpsertResult result = Upsert(Anna());
  EXPECT_EQ(result.outcome, UpsertOutcome::kCreated);
  EXPECT_FALSE(result.before.has_value());
  auto stored = repository_->FindByPhone("+4915112345678");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  const StoredContact& anna = **stored;
  EXPECT_EQ(anna.id, result.after.id);
  EXPECT_EQ(anna.name, "Anna");
  EXPECT_THAT(anna.tags, UnorderedElementsAre("vip", "newsletter"));
  EXPECT_TRUE(anna.consent_marketing);
  EXPECT_FALSE(anna.consent_utility);
  EXPECT_THAT(anna.attributes, ElementsAre(Pair("plan", "gold")));
  EXPECT_EQ(AuditCount("consent.grant"), 1);

  auto source = connection_->Prepare("SELECT reason, actor FROM audit_log");
  ASSERT_TRUE(*source->Step());
  EXPECT_EQ(source->ColumnText(0), "web form");
  EXPECT_EQ(source->ColumnText(1), "tester");
}

TEST_F(ContactRepositoryTest, SameDataAgainIsUnchangedAndAuditsNothing) {
  Upsert(Anna());
  UpsertResult again = Upsert(Anna(), At(2000));
  EXPECT_EQ(again.outcome, UpsertOutcome::kUnchanged);
  ASSERT_TRUE(again.before.has_value());
  EXPECT_EQ(AuditCount("consent.grant"), 1);
}

TEST_F(ContactRepositoryTest, TagsAreAddedCaseInsensitivelyOrReplaced) {
  Upsert(Anna());
  ContactUpsert more;
  more.phone_e164 = "+4915112345678";
  more.tags = {"VIP", "churned"};
  UpsertResult added = Upsert(more);
  EXPECT_EQ(added.outcome, UpsertOutcome::kUpdated);
  EXPECT_THAT(added.after.tags, UnorderedElementsAre("vip", "newsletter", "churned"));

  ContactUpsert replace;
  replace.phone_e164 = "+4915112345678";
  replace.tags = {"fresh"};
  replace.replace_tags = true;
  UpsertResult replaced = Upsert(replace);
  EXPECT_EQ(replaced.outcome, UpsertOutcome::kUpdated);
  auto stored = repository_->FindByPhone("+4915112345678");
  EXPECT_THAT((*stored)->tags, ElementsAre("fresh"));
}

TEST_F(ContactRepositoryTest, AttributesMergeKeyByKeyAndFieldsOverwriteOnlyWhenGiven) {
  Upsert(Anna());
  ContactUpsert update;
  update.phone_e164 = "+4915112345678";
  update.language = "de";
  update.attributes = {{"orders", "3"}, {"plan", "silver"}};
  UpsertResult result = Upsert(update);
  EXPECT_EQ(result.outcome, UpsertOutcome::kUpdated);
  auto stored = repository_->FindByPhone("+4915112345678");
  EXPECT_EQ((*stored)->name, "Anna") << "a field not given keeps its value";
  EXPECT_EQ((*stored)->language, "de");
  EXPECT_THAT((*stored)->attributes, ElementsAre(Pair("orders", "3"), Pair("plan", "silver")));
}

TEST_F(ContactRepositoryTest, ConsentRevocationIsRecordedWithItsSource) {
  Upsert(Anna());
  ContactUpsert revoke;
  revoke.phone_e164 = "+4915112345678";
  revoke.marketing = ConsentChange{false, At(900), "support call"};
  UpsertResult result = Upsert(revoke);
  EXPECT_EQ(result.outcome, UpsertOutcome::kUpdated);
  EXPECT_TRUE(result.before->consent_marketing);
  EXPECT_FALSE(result.after.consent_marketing);
  EXPECT_EQ(AuditCount("consent.revoke"), 1);
}

TEST_F(ContactRepositoryTest, ForEachReturnsEveryContactWithTagsAndConsents) {
  Upsert(Anna());
  for (int i = 0; i < 50; ++i) {
    ContactUpsert other;
    other.phone_e164 = "+44740012" + std::to_string(1000 + i);
    other.tags = {i % 2 ? "odd" : "even"};
    if (i % 5 == 0) other.utility = ConsentChange{true, At(1), "import"};
    Upsert(other);
  }
  int count = 0, odd = 0, utility = 0;
  bool saw_anna = false;
  ASSERT_TRUE(repository_
                  ->ForEach([&](StoredContact&& contact) {
                    ++count;
                    odd += contact.tags == std::vector<std::string>{"odd"};
                    utility += contact.consent_utility;
                    if (contact.phone_e164 == "+4915112345678") {
                      saw_anna = true;
                      EXPECT_THAT(contact.tags, UnorderedElementsAre("vip", "newsletter"));
                      EXPECT_TRUE(contact.consent_marketing);
                    }
                  })
                  .ok());
  EXPECT_EQ(count, 51);
  EXPECT_EQ(odd, 25);
  EXPECT_EQ(utility, 10);
  EXPECT_TRUE(saw_anna);
}

TEST_F(ContactRepositoryTest, ChangeTagsAddsAndRemovesCaseInsensitively) {
  ContactId id = Upsert(Anna()).after.id;
  auto changed = repository_->ChangeTags(id, {"Gold"}, {"VIP"}, At(2000));
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->outcome, UpsertOutcome::kUpdated);
  EXPECT_THAT((*repository_->FindById(id))->tags, UnorderedElementsAre("newsletter", "Gold"));
  auto again = repository_->ChangeTags(id, {"gold"}, {"vip"}, At(2001));
  EXPECT_EQ(again->outcome, UpsertOutcome::kUnchanged);
  auto missing = repository_->ChangeTags(ContactId{999999}, {"x"}, {}, At(2002));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(ContactRepositoryTest, RenameAndDeleteTagReachEveryContactAndAreAudited) {
  ContactId anna = Upsert(Anna()).after.id;
  auto renamed = repository_->RenameTag("vip", "premium", "tester", At(2000));
  ASSERT_TRUE(renamed.ok()) << renamed.error().ToString();
  EXPECT_THAT(*renamed, ElementsAre(anna));
  EXPECT_THAT((*repository_->FindById(anna))->tags, UnorderedElementsAre("premium", "newsletter"));
  auto clash = repository_->RenameTag("premium", "newsletter", "tester", At(2001));
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kAlreadyExists);
  auto deleted = repository_->DeleteTag("newsletter", "tester", At(2002));
  ASSERT_TRUE(deleted.ok());
  EXPECT_THAT((*repository_->FindById(anna))->tags, ElementsAre("premium"));
  EXPECT_EQ(AuditCount("tag.rename"), 1);
  EXPECT_EQ(AuditCount("tag.delete"), 1);
  EXPECT_EQ(repository_->DeleteTag("nope", "tester", At(2003)).error().code, ErrorCode::kNotFound);
}

TEST_F(ContactRepositoryTest, EraseRemovesPersonalDataButKeepsAnAnonymousRow) {
  ContactId anna = Upsert(Anna()).after.id;
  ASSERT_TRUE(
      connection_
          ->Execute("INSERT INTO senders (phone_number_id, display_phone_number, created_at, "
                    "updated_at) VALUES ('1', '+1', 0, 0); INSERT INTO deliveries "
                    "(contact_id, sender_id, state, not_before, created_at, updated_at) "
                    "VALUES (" +
                    std::to_string(anna.value) + ", 1, 'delivered', 0, 0, 0)")
          .ok());
  auto erased = repository_->Erase(anna, "dpo", "GDPR request #17", At(3000));
  ASSERT_TRUE(erased.ok()) << erased.error().ToString();
  ASSERT_TRUE(erased->has_value());
  EXPECT_EQ((*erased)->phone_e164, "+4915112345678") << "returns the contact as it was";

  EXPECT_FALSE((*repository_->FindByPhone("+4915112345678")).has_value());
  EXPECT_FALSE((*repository_->FindById(anna)).has_value());
  auto row = connection_->Prepare(
      "SELECT phone_e164 IS NULL, name IS NULL, attributes, country, erased_at FROM contacts "
      "WHERE id = ?1");
  row->Bind(1, anna.value);
  ASSERT_TRUE(*row->Step());
  EXPECT_EQ(row->ColumnInt(0), 1);
  EXPECT_EQ(row->ColumnInt(1), 1);
  EXPECT_EQ(row->ColumnText(2), "{}");
  EXPECT_EQ(row->ColumnText(3), "DE") << "country stays for anonymous statistics";
  EXPECT_EQ(row->ColumnInt(4), 3000000);
  auto deliveries = connection_->Prepare("SELECT count(*) FROM deliveries");
  ASSERT_TRUE(*deliveries->Step());
  EXPECT_EQ(deliveries->ColumnInt(0), 1) << "delivery statistics are kept";
  auto audit = connection_->Prepare(
      "SELECT actor, reason, detail FROM audit_log WHERE action = 'contact.erase'");
  ASSERT_TRUE(*audit->Step());
  EXPECT_EQ(audit->ColumnText(0), "dpo");
  EXPECT_EQ(audit->ColumnText(1), "GDPR request #17");
  EXPECT_EQ(audit->ColumnText(2).find("4915112345678"), std::string::npos);
  EXPECT_FALSE((*repository_->Erase(anna, "dpo", "twice", At(3001))).has_value());
  // The number can come back later as a brand-new contact.
  EXPECT_EQ(Upsert(Anna()).outcome, UpsertOutcome::kCreated);
}

}  // namespace
}  // namespace herald::storage

namespace herald::storage {
namespace {

// Dense ids in order are read with one range scan, others one by one: both give the contacts
// that exist, in the order given, with their country and zone.
TEST_F(ContactRepositoryTest, LocationsAreTheSameByRangeOrOneByOne) {
  std::vector<ContactId> ids;
  for (int i = 0; i < 20; ++i) {
    ContactUpsert upsert;
    upsert.phone_e164 = "+49151123450" + std::to_string(10 + i);
    upsert.country = i % 2 == 0 ? "DE" : "AT";
    if (i % 3 == 0) upsert.timezone = "Europe/Berlin";
    ids.push_back(Upsert(upsert).after.id);
  }
  auto text = [](const std::vector<ContactLocation>& locations) {
    std::string out;
    for (const ContactLocation& l : locations) {
      out += std::to_string(l.id.value) + ":" + l.country + ":" + l.timezone + " ";
    }
    return out;
  };
  // Dense, with a gap and an id that does not exist: the range path.
  std::vector<ContactId> dense = {ids[1], ids[2], ids[4], ContactId{ids.back().value + 1}};
  auto by_range = repository_->Locations(dense);
  ASSERT_TRUE(by_range.ok());
  EXPECT_EQ(text(*by_range), std::to_string(ids[1].value) + ":AT: " + std::to_string(ids[2].value) +
                                 ":DE: " + std::to_string(ids[4].value) + ":DE: ");
  // Sparse or out of order: one by one, in the order given.
  std::vector<ContactId> sparse = {ids[19], ids[0]};
  EXPECT_EQ(text(*repository_->Locations(sparse)), std::to_string(ids[19].value) +
                                                       ":AT: " + std::to_string(ids[0].value) +
                                                       ":DE:Europe/Berlin ");
  EXPECT_TRUE(repository_->Locations({})->empty());
}

}  // namespace
}  // namespace herald::storage
