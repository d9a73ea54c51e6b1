#include "storage/sqlite/word_list_repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "storage/sqlite/migrations.h"
#include "storage/sqlite/writer.h"
#include "storage/word_list_repository.h"
#include "tests/support/temp_dir.h"

namespace herald::storage {

void PrintTo(const StoredTerm& t, std::ostream* out) {
  *out << "{\"" << t.term << "\", " << t.match_kind << ", " << t.severity << ", \"" << t.note
       << "\"}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

template <typename T>
Status AsStatus(Result<T> result) {
  return result.ok() ? Status::Ok() : Status(std::move(result).error());
}

SysTime At(std::int64_t seconds) { return SysTime(std::chrono::seconds(seconds)); }

StoredTerm Word(std::string term, std::string severity = "block", std::string note = {}) {
  return StoredTerm{std::move(term), "word", std::move(severity), std::move(note)};
}
StoredTerm Prefix(std::string term, std::string severity = "review") {
  return StoredTerm{std::move(term), "prefix", std::move(severity), ""};
}

struct AuditRow {
  std::string actor;
  std::string action;
  std::string object_id;
  std::string reason;
  std::string detail;
};

class WordListRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connection = Connection::Open({dir_ / "herald.db"});
    ASSERT_TRUE(connection.ok()) << connection.error().ToString();
    connection_ = std::move(connection).value();
    ASSERT_TRUE(Migrate(*connection_).ok());
    lists_ = std::make_unique<SqliteWordListRepository>(*connection_);
  }

  void Create(std::string_view name, std::string_view language = {}) {
    auto created = lists_->CreateList(name, language, "olga", "set up", At(10));
    ASSERT_TRUE(created.ok()) << created.error().ToString();
  }

  WordListChange Add(std::string_view list, std::vector<StoredTerm> terms, SysTime now = At(20)) {
    auto added = lists_->AddTerms(list, terms, "olga", "new spam wave", now);
    EXPECT_TRUE(added.ok()) << added.error().ToString();
    return added.ok() ? *added : WordListChange{};
  }

  StoredWordList Active(std::string_view list) {
    auto loaded = lists_->LoadList(list);
    EXPECT_TRUE(loaded.ok()) << loaded.error().ToString();
    return loaded.ok() ? *loaded : StoredWordList{};
  }

  std::int64_t Count(const std::string& table) {
    auto count = connection_->Prepare("SELECT count(*) FROM " + table);
    EXPECT_TRUE(count.ok() && *count->Step());
    return count->ColumnInt(0);
  }

  std::vector<AuditRow> AuditLog() {
    auto query = connection_->Prepare(
        "SELECT actor, action, object_id, reason, detail FROM audit_log "
        "WHERE object_type = 'word_list' ORDER BY id");
    std::vector<AuditRow> rows;
    while (*query->Step()) {
      rows.push_back(AuditRow{query->ColumnText(0), query->ColumnText(1), query->ColumnText(2),
                              query->ColumnText(3), query->ColumnText(4)});
    }
    return rows;
  }

  herald::testing::TempDir dir_;
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<WordListRepository> lists_;
};

TEST_F(WordListRepositoryTest, CreatesAnEmptyListAtVersionOneAndAuditsIt) {
  auto created = lists_->CreateList("global", "", "olga", "first start", At(10));
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_TRUE(created->changed);
  EXPECT_EQ(created->version, 1);

  const StoredWordList global = Active("global");
  EXPECT_EQ(global.name, "global");
  EXPECT_EQ(global.language, "");
  EXPECT_EQ(global.version, 1);
  EXPECT_THAT(global.terms, IsEmpty());

  const std::vector<AuditRow> audit = AuditLog();
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].actor, "olga");
  EXPECT_EQ(audit[0].action, "wordlist.create");
  EXPECT_EQ(audit[0].object_id, "global");
  EXPECT_EQ(audit[0].reason, "first start");
  EXPECT_THAT(audit[0].detail, HasSubstr("\"language\":null"));
}

TEST_F(WordListRepositoryTest, CreatingAListThatExistsFailsAndWritesNothing) {
  Create("de", "de");
  auto again = lists_->CreateList("de", "de", "olga", "again", At(11));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().field, "name");
  EXPECT_EQ(Count("word_list_versions"), 1);
  EXPECT_THAT(AuditLog(), SizeIs(1));
}

TEST_F(WordListRepositoryTest, RejectsListNamesAndLanguagesThatAreNotPlain) {
  auto spaced = lists_->CreateList("my list", "", "olga", "r", At(10));
  ASSERT_FALSE(spaced.ok());
  EXPECT_EQ(spaced.error().field, "name");
  auto language = lists_->CreateList("de", "de/AT", "olga", "r", At(10));
  ASSERT_FALSE(language.ok());
  EXPECT_EQ(language.error().field, "language");
  EXPECT_EQ(Count("word_lists"), 0);
}

TEST_F(WordListRepositoryTest, EveryChangeIsANewVersionAndEarlierVersionsStayReadable) {
  Create("en", "en");
  EXPECT_EQ(Add("en", {Word("free"), Word("win")}, At(20)).version, 2);
  EXPECT_EQ(Add("en", {Word("prize")}, At(30)).version, 3);
  auto removed = lists_->RemoveTerms("en", {{"win", "word"}}, "ben", "false positives", At(40));
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_EQ(removed->version, 4);
  EXPECT_EQ(removed->previous_version, 3);
  EXPECT_EQ(removed->removed, 1u);

  EXPECT_THAT(Active("en").terms, ElementsAre(Word("free"), Word("prize")));
  auto v2 = lists_->LoadVersion("en", 2);
  ASSERT_TRUE(v2.ok()) << v2.error().ToString();
  EXPECT_EQ(v2->version, 2);
  EXPECT_THAT(v2->terms, ElementsAre(Word("free"), Word("win")));
  auto v3 = lists_->LoadVersion("en", 3);
  ASSERT_TRUE(v3.ok());
  EXPECT_THAT(v3->terms, ElementsAre(Word("free"), Word("prize"), Word("win")));

  auto history = lists_->ListVersions("en");
  ASSERT_TRUE(history.ok()) << history.error().ToString();
  ASSERT_THAT(*history, SizeIs(4));
  std::vector<std::int64_t> counts;
  for (const WordListVersionInfo& info : *history) counts.push_back(info.term_count);
  EXPECT_THAT(counts, ElementsAre(0, 2, 3, 2));
  EXPECT_EQ((*history)[3].version, 4);
  EXPECT_EQ((*history)[3].actor, "ben");
  EXPECT_EQ((*history)[3].reason, "false positives");
  EXPECT_EQ((*history)[3].created_at, At(40));
}

TEST_F(WordListRepositoryTest, AddingAnExistingTermUpdatesItsSeverityAndNote) {
  Create("en", "en");
  Add("en", {Word("free")});
  const WordListChange change = Add("en", {Word("free", "review", "only in promos")});
  EXPECT_TRUE(change.changed);
  EXPECT_EQ(change.added, 0u);
  EXPECT_EQ(change.updated, 1u);
  EXPECT_THAT(Active("en").terms, ElementsAre(Word("free", "review", "only in promos")));
}

TEST_F(WordListRepositoryTest, AddingTermsThatAreAlreadyThereCreatesNoVersionAndNoAuditEntry) {
  Create("en", "en");
  Add("en", {Word("free"), Word("win")});
  const std::size_t audited = AuditLog().size();
  const WordListChange change = Add("en", {Word("win")});
  EXPECT_FALSE(change.changed);
  EXPECT_EQ(change.version, 2);
  EXPECT_EQ(change.term_count, 2u);
  EXPECT_EQ(Count("word_list_versions"), 2);
  EXPECT_EQ(AuditLog().size(), audited);
}

TEST_F(WordListRepositoryTest, TheSameTextWithAnotherMatchKindIsAnotherTerm) {
  Create("en", "en");
  Add("en", {Word("win")});
  const WordListChange change = Add("en", {Prefix("win")});
  EXPECT_EQ(change.added, 1u);
  EXPECT_THAT(Active("en").terms, ElementsAre(Prefix("win"), Word("win")));
}

TEST_F(WordListRepositoryTest, RemovingTermsNotInTheListNamesThemAndRemovesNothing) {
  Create("en", "en");
  Add("en", {Word("free"), Word("win")});
  auto removed = lists_->RemoveTerms("en", {{"free", "word"}, {"nope", "word"}, {"win", "prefix"}},
                                     "olga", "cleanup", At(30));
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(removed.error().field, "terms");
  EXPECT_THAT(removed.error().message, HasSubstr("\"nope\" (word)"));
  EXPECT_THAT(removed.error().message, HasSubstr("\"win\" (prefix)"));
  EXPECT_THAT(removed.error().message, Not(HasSubstr("\"free\"")));
  const StoredWordList en = Active("en");
  EXPECT_EQ(en.version, 2);
  EXPECT_THAT(en.terms, ElementsAre(Word("free"), Word("win")));
}

TEST_F(WordListRepositoryTest, MergeImportKeepsTermsTheFileDoesNotMention) {
  Create("de", "de");
  Add("de", {Word("gratis"), Word("kostenlos")});
  auto merged = lists_->ImportTerms("de", {Word("kostenlos", "review"), Prefix("krypto")},
                                    ImportMode::kMerge, "olga", "import de.csv", At(30));
  ASSERT_TRUE(merged.ok()) << merged.error().ToString();
  EXPECT_EQ(merged->added, 1u);
  EXPECT_EQ(merged->updated, 1u);
  EXPECT_EQ(merged->removed, 0u);
  EXPECT_THAT(Active("de").terms,
              ElementsAre(Word("gratis"), Word("kostenlos", "review"), Prefix("krypto")));
  EXPECT_EQ(AuditLog().back().action, "wordlist.import");
}

TEST_F(WordListRepositoryTest, ReplaceImportMakesTheFileTheWholeList) {
  Create("de", "de");
  Add("de", {Word("gratis"), Word("kostenlos")});
  auto replaced = lists_->ImportTerms("de", {Word("kostenlos", "review"), Prefix("krypto")},
                                      ImportMode::kReplace, "olga", "import de.csv", At(30));
  ASSERT_TRUE(replaced.ok()) << replaced.error().ToString();
  EXPECT_EQ(replaced->added, 1u);
  EXPECT_EQ(replaced->updated, 1u);
  EXPECT_EQ(replaced->removed, 1u);
  EXPECT_EQ(replaced->term_count, 2u);
  EXPECT_THAT(Active("de").terms, ElementsAre(Word("kostenlos", "review"), Prefix("krypto")));
  EXPECT_EQ(AuditLog().back().action, "wordlist.replace");

  auto again = lists_->ImportTerms("de", {Prefix("krypto"), Word("kostenlos", "review")},
                                   ImportMode::kReplace, "olga", "same file", At(40));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed) << "the same terms in another order are no change";
  auto cleared = lists_->ImportTerms("de", {}, ImportMode::kReplace, "olga", "start over", At(50));
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->removed, 2u);
  EXPECT_THAT(Active("de").terms, IsEmpty());
}

TEST_F(WordListRepositoryTest, AuditEntryNamesActorReasonVersionsAndTerms) {
  Create("en", "en");
  Add("en", {Word("free")});
  const AuditRow last = AuditLog().back();
  EXPECT_EQ(last.actor, "olga");
  EXPECT_EQ(last.action, "wordlist.add");
  EXPECT_EQ(last.object_id, "en");
  EXPECT_EQ(last.reason, "new spam wave");
  EXPECT_THAT(last.detail, HasSubstr("\"version\":2,\"previous_version\":1,\"terms\":1"));
  EXPECT_THAT(last.detail, HasSubstr("{\"change\":\"added\",\"term\":\"free\",\"match\":\"word\""));
}

TEST_F(WordListRepositoryTest, AuditDetailListsAtMostAHundredChanges) {
  Create("en", "en");
  std::vector<StoredTerm> terms;
  for (int i = 0; i < 150; ++i) terms.push_back(Word("term" + std::to_string(i)));
  Add("en", terms);
  const std::string detail = AuditLog().back().detail;
  EXPECT_THAT(detail, HasSubstr("\"added\":150"));
  EXPECT_THAT(detail, HasSubstr("\"changes_truncated\":true"));
  EXPECT_THAT(Active("en").terms, SizeIs(150));
}

struct MissingAttributionCase {
  const char* name;
  const char* actor;
  const char* reason;
  const char* field;
};

class WordListAttribution : public WordListRepositoryTest,
                            public ::testing::WithParamInterface<MissingAttributionCase> {};

TEST_P(WordListAttribution, EveryOperationRequiresActorAndReason) {
  Create("en", "en");
  const MissingAttributionCase& c = GetParam();
  const std::vector<std::function<Status()>> operations = {
      [&] { return AsStatus(lists_->CreateList("x", "", c.actor, c.reason, At(1))); },
      [&] { return AsStatus(lists_->AddTerms("en", {Word("a")}, c.actor, c.reason, At(1))); },
      [&] {
        return AsStatus(lists_->RemoveTerms("en", {{"a", "word"}}, c.actor, c.reason, At(1)));
      },
      [&] {
        return AsStatus(
            lists_->ImportTerms("en", {Word("a")}, ImportMode::kReplace, c.actor, c.reason, At(1)));
      },
      [&] { return AsStatus(lists_->SeedStarterListsIfEmpty({}, c.actor, c.reason, At(1))); },
  };
  for (std::size_t i = 0; i < operations.size(); ++i) {
    SCOPED_TRACE("operation " + std::to_string(i));
    const Status status = operations[i]();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.error().field, c.field);
  }
  EXPECT_EQ(Count("word_list_versions"), 1);
}

const MissingAttributionCase kMissingAttribution[] = {
    {"EmptyActor", "", "why", "actor"},
    {"BlankActor", " \t", "why", "actor"},
    {"EmptyReason", "olga", "", "reason"},
    {"BlankReason", "olga", "\n", "reason"},
};

INSTANTIATE_TEST_SUITE_P(WordListRepository, WordListAttribution,
                         ::testing::ValuesIn(kMissingAttribution),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(WordListRepositoryTest, RejectsInvalidTermsNamingThem) {
  Create("en", "en");
  const std::vector<std::pair<std::vector<StoredTerm>, std::string>> cases = {
      {{StoredTerm{"free", "wrd", "block", ""}}, "unknown match kind \"wrd\" for term \"free\""},
      {{StoredTerm{"free", "word", "warn", ""}}, "unknown severity \"warn\" for term \"free\""},
      {{StoredTerm{"", "word", "block", ""}}, "empty term"},
      {{Word("free"), Word("free", "review")}, "\"free\" (word) is given twice"},
  };
  for (const auto& [terms, message] : cases) {
    auto added = lists_->AddTerms("en", terms, "olga", "r", At(20));
    ASSERT_FALSE(added.ok()) << message;
    EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(added.error().field, "terms");
    EXPECT_THAT(added.error().message, HasSubstr(message));
  }
  EXPECT_EQ(Active("en").version, 1);
}

TEST_F(WordListRepositoryTest, UnknownListsAndVersionsAreNotFound) {
  Create("en", "en");
  auto add = lists_->AddTerms("fr", {Word("gratuit")}, "olga", "r", At(20));
  ASSERT_FALSE(add.ok());
  EXPECT_EQ(add.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(add.error().field, "list");
  EXPECT_THAT(add.error().message, HasSubstr("\"fr\""));
  EXPECT_EQ(lists_->LoadList("fr").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(lists_->ListVersions("fr").error().code, ErrorCode::kNotFound);
  auto version = lists_->LoadVersion("en", 7);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(version.error().field, "version");
}

TEST_F(WordListRepositoryTest, AFailedWriteLeavesTheActiveVersionUnchanged) {
  Create("en", "en");
  Add("en", {Word("free")});
  // Fails the last step of the change, after the version and its terms were written.
  ASSERT_TRUE(connection_
                  ->Execute("CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON main.audit_log "
                            "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
                  .ok());
  auto failed = lists_->AddTerms("en", {Word("win")}, "olga", "r", At(30));
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error().message, HasSubstr("disk full"));
  StoredWordList en = Active("en");
  EXPECT_EQ(en.version, 2);
  EXPECT_THAT(en.terms, ElementsAre(Word("free")));
  EXPECT_EQ(Count("word_list_versions"), 2);
  EXPECT_EQ(Count("word_terms"), 1);

  ASSERT_TRUE(connection_->Execute("DROP TRIGGER fail_audit").ok());
  EXPECT_EQ(Add("en", {Word("win")}).version, 3) << "the failed version left no trace";
}

TEST_F(WordListRepositoryTest, SeedsOnlyADatabaseWithoutLists) {
  const std::vector<SeedWordList> seeds = {
      {"global", "", {}},
      {"de", "de", {Word("kostenlos"), Word("gratis"), Prefix("krypto")}},
  };
  auto seeded = lists_->SeedStarterListsIfEmpty(seeds, "heraldd", "starter lists", At(1));
  ASSERT_TRUE(seeded.ok()) << seeded.error().ToString();
  EXPECT_TRUE(*seeded);
  auto active = lists_->LoadActive();
  ASSERT_TRUE(active.ok()) << active.error().ToString();
  ASSERT_THAT(*active, SizeIs(2));
  EXPECT_EQ((*active)[0].name, "de");
  EXPECT_EQ((*active)[0].version, 1);
  EXPECT_THAT((*active)[0].terms, ElementsAre(Word("gratis"), Word("kostenlos"), Prefix("krypto")));
  EXPECT_EQ((*active)[1].name, "global");
  EXPECT_THAT((*active)[1].terms, IsEmpty());
  EXPECT_THAT(AuditLog(), SizeIs(2));
  EXPECT_THAT(AuditLog()[0].detail, HasSubstr("\"seeded\":true"));

  auto again = lists_->SeedStarterListsIfEmpty(seeds, "heraldd", "starter lists", At(2));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(Count("word_list_versions"), 2);
  EXPECT_THAT(AuditLog(), SizeIs(2));
}

TEST_F(WordListRepositoryTest, DoesNotSeedWhenAnOfficerCreatedAList) {
  Create("fr", "fr");
  auto seeded = lists_->SeedStarterListsIfEmpty({{"de", "de", {Word("gratis")}}}, "heraldd",
                                                "starter lists", At(1));
  ASSERT_TRUE(seeded.ok());
  EXPECT_FALSE(*seeded);
  EXPECT_EQ(Count("word_lists"), 1);
}

TEST_F(WordListRepositoryTest, SeedingRejectsAListGivenTwice) {
  auto seeded = lists_->SeedStarterListsIfEmpty({{"de", "de", {}}, {"de", "de", {}}}, "heraldd",
                                                "starter lists", At(1));
  ASSERT_FALSE(seeded.ok());
  EXPECT_EQ(seeded.error().field, "name");
  EXPECT_EQ(Count("word_lists"), 0);
}

TEST(WordListRepositoryInWriter, ChangesAreAtomicInsideWriterJobs) {
  herald::testing::TempDir dir;
  auto setup = Connection::Open({dir / "herald.db"});
  ASSERT_TRUE(setup.ok());
  ASSERT_TRUE(Migrate(**setup).ok());
  auto write_connection = Connection::Open({dir / "herald.db"});
  ASSERT_TRUE(write_connection.ok());
  Writer writer(std::move(write_connection).value(), 100);

  Status created = writer.SubmitAndWait([](Connection& c) -> Status {
    SqliteWordListRepository lists(c);
    if (auto r = lists.CreateList("en", "en", "olga", "r", At(1)); !r.ok()) return r.error();
    if (auto r = lists.AddTerms("en", {Word("free")}, "olga", "r", At(2)); !r.ok()) {
      return r.error();
    }
    return Status::Ok();
  });
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  Status failed = writer.SubmitAndWait([](Connection& c) -> Status {
    SqliteWordListRepository lists(c);
    if (auto r = lists.AddTerms("en", {Word("win")}, "olga", "r", At(3)); !r.ok()) {
      return r.error();
    }
    return AsStatus(lists.RemoveTerms("en", {{"missing", "word"}}, "olga", "r", At(3)));
  });
  ASSERT_FALSE(failed.ok());
  writer.Stop();

  SqliteWordListRepository reader(**setup);
  auto en = reader.LoadList("en");
  ASSERT_TRUE(en.ok()) << en.error().ToString();
  EXPECT_EQ(en->version, 2) << "the failed job's first change was rolled back with it";
  EXPECT_THAT(en->terms, ElementsAre(Word("free")));
}

}  // namespace
}  // namespace herald::storage
