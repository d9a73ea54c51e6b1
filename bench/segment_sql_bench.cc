// Segment counts on the in-memory index beside the plain SQL evaluation of the same expression
// (issue 3: "with the plain SQL evaluation measured beside it as the ratio"), and the start-up
// index rebuild from the database (ContactRepository::ForEach + Upsert + Compact, target <= 2 s
// at 1M contacts).
//
//   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release
//   ninja -C build-release segment_sql_bench
//   build-release/bench/segment_sql_bench                     # 1M contacts in a temporary file
//   build-release/bench/segment_sql_bench 1000000 /tmp/1m.db  # keep the file; reused next time
//
// The population comes from bench/contact_generator.h (the one segment_bench uses) and is written
// with direct prepared INSERTs in large transactions: this measures reads, and a million upserts
// through ContactRepository would only make the set-up slow. The SQL side is
// tests/support/segment_sql.h on a read connection as Store opens it, with only the schema's own
// indexes. Each figure is a median over warm runs (the first run is discarded).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/contact_generator.h"
#include "campaign/contact_index.h"
#include "campaign/segment.h"
#include "storage/contact_repository.h"
#include "storage/sqlite/contact_repository.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"
#include "tests/support/segment_sql.h"
#include "tests/support/temp_dir.h"

namespace {

using herald::Status;
using herald::SysTime;
using herald::bench::ContactGenerator;
using herald::bench::GeneratedContact;
using herald::campaign::ContactFacts;
using herald::campaign::ContactIndex;
using herald::storage::Connection;
using herald::storage::Statement;
using herald::storage::StoredContact;

constexpr std::uint64_t kSeed = 20261124;
const SysTime kNow = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 24));
constexpr std::int64_t kContactsPerJob = 100'000;

struct NamedExpression {
  const char* name;
  const char* text;
};

// The first is the 5-term case; the others are segment_bench's, for context.
const NamedExpression kExpressions[] = {
    {"five_terms", "tag:vip AND country:DE AND opted_in:marketing AND NOT tag:churned AND lang:de"},
    {"countries_or", "(country:DE OR country:AT OR country:CH) AND opted_in:marketing"},
    {"last_inbound", "last_inbound < 7d AND opted_in:utility"},
    {"attributes", "attr.orders >= 3 AND attr.plan = \"gold\" AND NOT opted_out"},
};

[[noreturn]] void Fail(const std::string& what, const herald::Error& error) {
  std::fprintf(stderr, "segment_sql_bench: %s: %s\n", what.c_str(), error.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Check(herald::Result<T> result, const std::string& what) {
  if (!result.ok()) Fail(what, result.error());
  return std::move(result).value();
}

void Check(const Status& status, const std::string& what) {
  if (!status.ok()) Fail(what, status.error());
}

double Milliseconds(std::chrono::steady_clock::duration elapsed) {
  return std::chrono::duration<double, std::milli>(elapsed).count();
}

// Runs `body` once to warm up, then `runs` times; returns the median in milliseconds.
double MedianMs(int runs, const std::function<void()>& body) {
  body();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    body();
    times.push_back(Milliseconds(std::chrono::steady_clock::now() - start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

std::string AttributesJson(const GeneratedContact& contact) {
  std::string json = "{";
  if (contact.orders >= 0) json += "\"orders\":\"" + std::to_string(contact.orders) + "\"";
  if (!contact.plan.empty()) {
    if (json.size() > 1) json += ",";
    json += "\"plan\":\"" + contact.plan + "\"";
  }
  return json + "}";
}

struct Inserts {
  Statement contact;
  Statement tag;
  Statement consent;
};

Status InsertContact(Inserts& inserts, const GeneratedContact& contact) {
  const std::int64_t created = kNow.time_since_epoch().count();
  Statement& row = inserts.contact;
  row.Bind(1, contact.id)
      .Bind(2, contact.phone)
      .Bind(3, contact.country)
      .Bind(4, contact.language)
      .Bind(5, AttributesJson(contact))
      .Bind(7, created);
  if (contact.opted_out) {
    row.Bind(6, created);
  } else {
    row.BindNull(6);
  }
  if (contact.last_inbound) {
    row.Bind(8, contact.last_inbound->time_since_epoch().count());
  } else {
    row.BindNull(8);
  }
  Status done = row.Run();
  row.Reset();
  if (!done.ok()) return done;
  for (const std::string& tag : contact.tags) {
    const auto rank =
        std::find(ContactGenerator::kTags.begin(), ContactGenerator::kTags.end(), tag) -
        ContactGenerator::kTags.begin();
    inserts.tag.Bind(1, contact.id).Bind(2, static_cast<std::int64_t>(rank + 1));
    done = inserts.tag.Run();
    inserts.tag.Reset();
    if (!done.ok()) return done;
  }
  for (const auto& [purpose, granted] : {std::pair{"marketing", contact.consent_marketing},
                                         std::pair{"utility", contact.consent_utility}}) {
    if (!granted) continue;
    inserts.consent.Bind(1, contact.id).Bind(2, purpose).Bind(3, created);
    done = inserts.consent.Run();
    inserts.consent.Reset();
    if (!done.ok()) return done;
  }
  return Status::Ok();
}

// Writes contacts [first, first + count) of the generator's sequence in one transaction.
Status InsertBatch(Connection& connection, ContactGenerator& generator, std::int64_t count) {
  auto contact = connection.Prepare(
      "INSERT INTO contacts (id, phone_e164, country, language, attributes, opted_out_at, "
      "opted_out_source, last_inbound_at, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?6 IS NULL THEN NULL ELSE 'bench' END, ?8, ?7, "
      "?7)");
  auto tag = connection.Prepare("INSERT INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)");
  auto consent = connection.Prepare(
      "INSERT INTO consents (contact_id, purpose, granted, changed_at, source) "
      "VALUES (?1, ?2, 1, ?3, 'bench')");
  if (!contact.ok()) return contact.error();
  if (!tag.ok()) return tag.error();
  if (!consent.ok()) return consent.error();
  Inserts inserts{std::move(contact).value(), std::move(tag).value(), std::move(consent).value()};
  for (std::int64_t i = 0; i < count; ++i) {
    if (Status s = InsertContact(inserts, generator.Next()); !s.ok()) return s;
  }
  return Status::Ok();
}

void Populate(herald::storage::SqliteStore& store, std::int64_t contacts) {
  Check(store.sqlite_writer().SubmitAndWait([](Connection& connection) -> Status {
    auto tag = connection.Prepare("INSERT INTO tags (id, name, created_at) VALUES (?1, ?2, 0)");
    if (!tag.ok()) return tag.error();
    for (std::size_t i = 0; i < ContactGenerator::kTags.size(); ++i) {
      tag->Bind(1, static_cast<std::int64_t>(i + 1)).Bind(2, ContactGenerator::kTags[i]);
      if (Status s = tag->Run(); !s.ok()) return s;
      tag->Reset();
    }
    return Status::Ok();
  }),
        "inserting tags");
  ContactGenerator generator(kSeed, kNow);
  for (std::int64_t first = 0; first < contacts; first += kContactsPerJob) {
    const std::int64_t count = std::min(kContactsPerJob, contacts - first);
    Check(store.sqlite_writer().SubmitAndWait(
              [&](Connection& connection) { return InsertBatch(connection, generator, count); }),
          "inserting contacts");
  }
}

ContactFacts ToFacts(StoredContact&& contact) {
  ContactFacts facts;
  facts.id = contact.id;
  facts.tags = std::move(contact.tags);
  facts.country = std::move(contact.country);
  facts.language = std::move(contact.language);
  facts.opted_out = contact.opted_out;
  facts.consent_marketing = contact.consent_marketing;
  facts.consent_utility = contact.consent_utility;
  facts.last_inbound = contact.last_inbound;
  facts.attributes = std::move(contact.attributes);
  return facts;
}

// The daemon's start-up rebuild (daemon/contact_service.cc): one scan, Upsert each, Compact.
std::unique_ptr<ContactIndex> RebuildIndex(Connection& connection) {
  auto repository =
      Check(herald::storage::SqliteContactRepository::Create(connection), "repository");
  auto index = std::make_unique<ContactIndex>();
  Check(repository->ForEach(
            [&](StoredContact&& contact) { index->Upsert(nullptr, ToFacts(std::move(contact))); }),
        "scanning contacts");
  index->Compact();
  return index;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t contacts = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  std::optional<herald::testing::TempDir> temp;
  std::filesystem::path path;
  if (argc > 2) {
    path = argv[2];
  } else {
    temp.emplace();
    path = temp->path() / "contacts.db";
  }
  const bool reuse = std::filesystem::exists(path);
  auto store = Check(herald::storage::SqliteStore::Open({path}), "opening " + path.string());
  if (!reuse) {
    const auto start = std::chrono::steady_clock::now();
    Populate(*store, contacts);
    std::printf("populated %lld contacts in %.1f s (%s)\n", static_cast<long long>(contacts),
                Milliseconds(std::chrono::steady_clock::now() - start) / 1000, path.c_str());
  }
  auto read = Check(store->OpenReadConnection(), "read connection");
  // Reads then come from the database file, not the write-ahead log.
  Check(read->Execute("PRAGMA wal_checkpoint(TRUNCATE)"), "checkpoint");

  std::unique_ptr<ContactIndex> index;
  const double rebuild_ms = MedianMs(3, [&] { index = RebuildIndex(*read); });
  std::printf("contacts in the index: %llu\n", static_cast<unsigned long long>(index->Size()));
  std::printf(
      "index rebuild from the database (ForEach + Upsert + Compact): median %.0f ms "
      "(target <= 2000 ms)\n\n",
      rebuild_ms);

  std::printf("%-14s %10s %12s %12s %10s\n", "expression", "matches", "index ms", "sql ms",
              "sql/index");
  for (const NamedExpression& named : kExpressions) {
    const auto expr = Check(herald::campaign::ParseSegment(named.text), named.text);
    const std::uint64_t index_count = index->Count(expr, kNow);
    const std::uint64_t sql_count = Check(herald::testing::CountWithSql(*read, expr, kNow), "sql");
    if (index_count != sql_count) {
      std::fprintf(stderr, "%s: the index counts %llu, SQL %llu\n", named.text,
                   static_cast<unsigned long long>(index_count),
                   static_cast<unsigned long long>(sql_count));
      return 1;
    }
    // Count() is in another library, so the calls cannot be optimised away.
    const double index_ms = MedianMs(101, [&] { (void)index->Count(expr, kNow); });
    const double sql_ms =
        MedianMs(7, [&] { (void)Check(herald::testing::CountWithSql(*read, expr, kNow), "sql"); });
    std::printf("%-14s %10llu %12.3f %12.1f %10.0f\n", named.name,
                static_cast<unsigned long long>(index_count), index_ms, sql_ms, sql_ms / index_ms);
  }
  std::printf("\nfive_terms: %s\n", kExpressions[0].text);
  store->Stop();
  return 0;
}
