// delivery_writes_bench: SQLite's raw rate for the writes the send path makes per delivery
// (issue 16, "beside SQLite's raw rate for the same writes"). One thread, no pipeline: the
// repository's own statements back to back on a migrated database file (WAL, synchronous=FULL,
// as the daemon opens it), each batch its own transaction, batch sizes as the runner's:
//   claim    ClaimDue, 5,000 due rows per statement (queued -> claimed by this owner)
//   mark     MarkSending, 512 per transaction (claimed -> 'sending', before the hand-over)
//   outcome  RecordOutcomes, 1,000 per transaction ('sending' -> 'sent' with a wamid)
// Prints microseconds per row for each and the deliveries/s of the three together; the median
// of --runs fresh databases. Run by hand; figures in bench/RESULTS.md.
//
//   delivery_writes_bench [--rows=100000] [--runs=3] [--dir=/tmp]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sqlite/connection.h"
#include "storage/sqlite/delivery_repository.h"
#include "storage/sqlite/migrations.h"

namespace {

using herald::CampaignId;
using herald::DeliveryId;
using herald::SenderId;
using herald::Status;
using herald::SysTime;
namespace storage = herald::storage;
using Clock = std::chrono::steady_clock;

void Check(const Status& status, std::string_view what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(what.size()), what.data(),
                 status.error().ToString().c_str());
    std::exit(1);
  }
}

struct Run {
  double claim_us = 0, mark_us = 0, outcome_us = 0;
  double per_delivery_us() const { return claim_us + mark_us + outcome_us; }
};

double Micros(Clock::duration d, std::size_t rows) {
  return std::chrono::duration<double, std::micro>(d).count() / static_cast<double>(rows);
}

Run Once(const std::filesystem::path& dir, std::size_t rows) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto opened = storage::Connection::Open({dir / "herald.db"});
  if (!opened.ok()) Check(opened.error(), "open");
  storage::Connection& db = **opened;
  Check(storage::Migrate(db), "migrate");
  Check(storage::InTransaction(
            db,
            [&]() -> Status {
              for (int s = 1; s <= 6; ++s) {
                const std::string id = std::to_string(s);
                if (Status done = db.Execute(
                        "INSERT INTO senders (id, phone_number_id, display_phone_number, "
                        "created_at, updated_at) VALUES (" +
                        id + ", '90" + id + "', '+4930" + id + "', 0, 0)");
                    !done.ok()) {
                  return done;
                }
              }
              if (Status done = db.Execute(
                      "INSERT INTO campaigns (id, name, segment, content, state, created_by, "
                      "created_at, updated_at) VALUES (1, 'bench', 'tag:all', '{}', 'running', "
                      "'bench', 0, 0)");
                  !done.ok()) {
                return done;
              }
              auto contact = db.Prepare(
                  "INSERT INTO contacts (id, phone_e164, created_at, updated_at) VALUES (?1, ?2, "
                  "0, 0)");
              auto delivery = db.Prepare(
                  "INSERT INTO deliveries (campaign_id, contact_id, state, not_before, "
                  "created_at, updated_at) VALUES (1, ?1, 'queued', 0, 0, 0)");
              if (!contact.ok()) return contact.error();
              if (!delivery.ok()) return delivery.error();
              for (std::size_t i = 1; i <= rows; ++i) {
                const auto id = static_cast<std::int64_t>(i);
                contact->Reset();
                contact->Bind(1, id).Bind(2, "+49151" + std::to_string(40000000 + i));
                if (Status done = contact->Run(); !done.ok()) return done;
                delivery->Reset();
                delivery->Bind(1, id);
                if (Status done = delivery->Run(); !done.ok()) return done;
              }
              return Status::Ok();
            }),
        "populate");

  storage::SqliteDeliveryRepository deliveries(db);
  const std::string owner = "bench-host:1:0123456789abcdef";
  const SysTime now{std::chrono::milliseconds(1'000'000)};
  std::vector<DeliveryId> ids;
  ids.reserve(rows);
  Run run;

  auto start = Clock::now();
  for (;;) {
    std::size_t got = 0;
    Check(storage::InTransaction(db,
                                 [&]() -> Status {
                                   auto claimed =
                                       deliveries.ClaimDue(owner, CampaignId{1}, now,
                                                           now + std::chrono::minutes(5), 5000);
                                   if (!claimed.ok()) return claimed.error();
                                   for (const auto& row : *claimed) ids.push_back(row.id);
                                   got = claimed->size();
                                   return Status::Ok();
                                 }),
          "claim");
    if (got == 0) break;
  }
  run.claim_us = Micros(Clock::now() - start, rows);

  start = Clock::now();
  for (std::size_t i = 0; i < ids.size(); i += 512) {
    std::vector<storage::SendingMark> marks;
    for (std::size_t j = i; j < std::min(ids.size(), i + 512); ++j) {
      marks.push_back({ids[j], SenderId{static_cast<std::int64_t>(1 + j % 6)}});
    }
    Check(storage::InTransaction(db,
                                 [&]() -> Status {
                                   auto lost = deliveries.MarkSending(owner, marks, now);
                                   return lost.ok() ? Status::Ok() : Status(lost.error());
                                 }),
          "mark");
  }
  run.mark_us = Micros(Clock::now() - start, rows);

  start = Clock::now();
  for (std::size_t i = 0; i < ids.size(); i += 1000) {
    std::vector<storage::DeliveryOutcome> outcomes;
    for (std::size_t j = i; j < std::min(ids.size(), i + 1000); ++j) {
      outcomes.push_back({.id = ids[j],
                          .state = storage::DeliveryState::kSent,
                          .provider_message_id = "wamid.HBgMNDkxNTE" +
                                                 std::to_string(ids[j].value) +
                                                 "FQIAERgSQzA3RkM2RjU0QjFBNkE5"});
    }
    Check(storage::InTransaction(db,
                                 [&]() -> Status {
                                   auto lost = deliveries.RecordOutcomes(owner, outcomes, now);
                                   return lost.ok() ? Status::Ok() : Status(lost.error());
                                 }),
          "outcome");
  }
  run.outcome_us = Micros(Clock::now() - start, rows);
  if (ids.size() != rows) {
    std::fprintf(stderr, "claimed %zu of %zu rows\n", ids.size(), rows);
    std::exit(1);
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rows = 100'000, runs = 3;
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--rows=")) {
      rows = std::strtoull(argv[i] + 7, nullptr, 10);
    } else if (arg.starts_with("--runs=")) {
      runs = std::strtoull(argv[i] + 7, nullptr, 10);
    } else if (arg.starts_with("--dir=")) {
      dir = argv[i] + 6;
    } else {
      std::fprintf(stderr, "usage: delivery_writes_bench [--rows=N] [--runs=N] [--dir=PATH]\n");
      return 2;
    }
  }
  dir /= "herald-delivery-writes-bench";
  std::vector<Run> results;
  for (std::size_t r = 0; r < runs; ++r) {
    const Run run = Once(dir, rows);
    std::printf("run %zu: claim %.2f us/row, mark %.2f, outcome %.2f: %.0f deliveries/s\n", r + 1,
                run.claim_us, run.mark_us, run.outcome_us, 1e6 / run.per_delivery_us());
    results.push_back(run);
  }
  std::sort(results.begin(), results.end(),
            [](const Run& a, const Run& b) { return a.per_delivery_us() < b.per_delivery_us(); });
  const Run& median = results[results.size() / 2];
  std::printf(
      "median: %.2f us per delivery = %.0f deliveries/s (claim %.2f, mark %.2f, outcome %.2f)\n",
      median.per_delivery_us(), 1e6 / median.per_delivery_us(), median.claim_us, median.mark_us,
      median.outcome_us);
  std::filesystem::remove_all(dir);
  return 0;
}
