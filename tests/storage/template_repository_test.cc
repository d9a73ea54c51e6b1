#include "storage/sqlite/template_repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/sqlite/migrations.h"
#include "storage/template_repository.h"
#include "tests/support/temp_dir.h"

namespace herald::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SysTime At(std::int64_t seconds) { return SysTime(std::chrono::seconds(seconds)); }

TemplateRecord Welcome(std::string language = "de", std::string status = "APPROVED") {
  return TemplateRecord{"welcome_offer",
                        std::move(language),
                        "MARKETING",
                        std::move(status),
                        R"([{"type":"BODY","text":"Hallo {{1}}"}])",
                        "1234567890"};
}

class TemplateRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connection = Connection::Open({dir_ / "herald.db"});
    ASSERT_TRUE(connection.ok()) << connection.error().ToString();
    connection_ = std::move(connection).value();
    ASSERT_TRUE(Migrate(*connection_).ok());
    templates_ = std::make_unique<SqliteTemplateRepository>(*connection_);
  }

  std::vector<std::string> AuditLog() {
    auto query = connection_->Prepare(
        "SELECT action || ' ' || object_id || ' ' || actor || ' ' || coalesce(reason, '-') || ' ' "
        "|| detail FROM audit_log WHERE object_type = 'template' ORDER BY id");
    std::vector<std::string> rows;
    while (*query->Step()) rows.push_back(query->ColumnText(0));
    return rows;
  }

  herald::testing::TempDir dir_;
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<TemplateRepository> templates_;
};

TEST_F(TemplateRepositoryTest, UpsertCreatesAndFindReturnsTheRecord) {
  auto outcome = templates_->Upsert(Welcome(), "sync", At(100));
  ASSERT_TRUE(outcome.ok()) << outcome.error().ToString();
  EXPECT_EQ(*outcome, TemplateUpsertOutcome::kCreated);
  auto found = templates_->Find("welcome_offer", "de");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->record, Welcome());
  EXPECT_EQ((*found)->synced_at, At(100));
  EXPECT_THAT(AuditLog(), ElementsAre(HasSubstr("template.upsert welcome_offer/de sync -")));
  auto other_language = templates_->Find("welcome_offer", "en");
  ASSERT_TRUE(other_language.ok());
  EXPECT_FALSE(other_language->has_value());
}

TEST_F(TemplateRepositoryTest, UpsertingTheSameTemplateOnlyRecordsTheSyncTime) {
  ASSERT_TRUE(templates_->Upsert(Welcome(), "sync", At(100)).ok());
  auto outcome = templates_->Upsert(Welcome(), "sync", At(200));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(*outcome, TemplateUpsertOutcome::kUnchanged);
  EXPECT_EQ((*templates_->Find("welcome_offer", "de"))->synced_at, At(200));
  EXPECT_EQ(AuditLog().size(), 1u) << "a sync that changes nothing is not audited";
}

TEST_F(TemplateRepositoryTest, UpsertReplacesChangedFieldsKeepsTheIdAndAuditsWhatChanged) {
  ASSERT_TRUE(templates_->Upsert(Welcome(), "sync", At(100)).ok());
  const TemplateId id = (*templates_->Find("welcome_offer", "de"))->id;
  TemplateRecord changed = Welcome("de", "PAUSED");
  changed.components_json = "[]";
  auto outcome = templates_->Upsert(changed, "sync", At(200));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(*outcome, TemplateUpsertOutcome::kUpdated);
  auto found = templates_->Find("welcome_offer", "de");
  EXPECT_EQ((*found)->record, changed);
  EXPECT_EQ((*found)->id, id) << "campaigns refer to templates by id";
  const std::vector<std::string> audit = AuditLog();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_THAT(audit[1], HasSubstr("\"changed\":[\"status\",\"components\"]"));
  EXPECT_THAT(audit[1], HasSubstr("\"previous_status\":\"APPROVED\""));
}

TEST_F(TemplateRepositoryTest, ListIsOrderedByNameThenLanguage) {
  TemplateRecord reminder = Welcome("en");
  reminder.name = "appointment_reminder";
  reminder.category = "UTILITY";
  reminder.platform_id = "";
  ASSERT_TRUE(templates_->Upsert(Welcome("en"), "sync", At(1)).ok());
  ASSERT_TRUE(templates_->Upsert(Welcome("de"), "sync", At(1)).ok());
  ASSERT_TRUE(templates_->Upsert(reminder, "sync", At(1)).ok());
  auto all = templates_->List();
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  std::vector<std::string> keys;
  for (const StoredTemplate& t : *all) keys.push_back(t.record.name + "/" + t.record.language);
  EXPECT_THAT(keys, ElementsAre("appointment_reminder/en", "welcome_offer/de", "welcome_offer/en"));
  EXPECT_EQ((*all)[0].record.platform_id, "") << "an unknown platform id reads back empty";
}

TEST_F(TemplateRepositoryTest, SetStatusChangesTheStatusAndAuditsOldAndNew) {
  ASSERT_TRUE(templates_->Upsert(Welcome(), "sync", At(100)).ok());
  auto changed = templates_->SetStatus("welcome_offer", "de", "REJECTED", "webhook",
                                       "INVALID_FORMAT", At(200));
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_TRUE(*changed);
  EXPECT_EQ((*templates_->Find("welcome_offer", "de"))->record.status, "REJECTED");
  EXPECT_EQ((*templates_->Find("welcome_offer", "de"))->synced_at, At(100));
  EXPECT_THAT(AuditLog().back(),
              HasSubstr("template.status welcome_offer/de webhook INVALID_FORMAT "
                        "{\"from\":\"APPROVED\",\"to\":\"REJECTED\"}"));

  auto again =
      templates_->SetStatus("welcome_offer", "de", "REJECTED", "webhook", "duplicate", At(300));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(AuditLog().size(), 2u) << "a repeated webhook is not audited twice";
}

TEST_F(TemplateRepositoryTest, SetStatusOfAnUnknownTemplateIsNotFound) {
  auto missing = templates_->SetStatus("nope", "de", "APPROVED", "webhook", "", At(1));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("\"nope\""));
}

struct InvalidTemplateCase {
  const char* name;
  void (*spoil)(TemplateRecord&);
  const char* field;
};

class InvalidTemplate : public TemplateRepositoryTest,
                        public ::testing::WithParamInterface<InvalidTemplateCase> {};

TEST_P(InvalidTemplate, IsRejectedNamingTheFieldAndNothingIsWritten) {
  TemplateRecord record = Welcome();
  GetParam().spoil(record);
  auto outcome = templates_->Upsert(record, "sync", At(1));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(outcome.error().field, GetParam().field);
  auto all = templates_->List();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  EXPECT_TRUE(AuditLog().empty());
}

const InvalidTemplateCase kInvalidTemplates[] = {
    {"EmptyName", [](TemplateRecord& r) { r.name.clear(); }, "name"},
    {"EmptyLanguage", [](TemplateRecord& r) { r.language.clear(); }, "language"},
    {"UnknownCategory", [](TemplateRecord& r) { r.category = "PROMOTION"; }, "category"},
    {"LowerCaseCategory", [](TemplateRecord& r) { r.category = "marketing"; }, "category"},
    {"LowerCaseStatus", [](TemplateRecord& r) { r.status = "approved"; }, "status"},
    {"EmptyStatus", [](TemplateRecord& r) { r.status.clear(); }, "status"},
    {"ComponentsNotJson", [](TemplateRecord& r) { r.components_json = "[{"; }, "components"},
    {"ComponentsAnObject", [](TemplateRecord& r) { r.components_json = "{}"; }, "components"},
};

INSTANTIATE_TEST_SUITE_P(TemplateRepository, InvalidTemplate,
                         ::testing::ValuesIn(kInvalidTemplates),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(TemplateRepositoryTest, WritesRequireAnActor) {
  auto upsert = templates_->Upsert(Welcome(), " ", At(1));
  ASSERT_FALSE(upsert.ok());
  EXPECT_EQ(upsert.error().field, "actor");
  auto status = templates_->SetStatus("welcome_offer", "de", "PAUSED", "", "", At(1));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().field, "actor");
}

}  // namespace
}  // namespace herald::storage
