// The reports of issue 18 on a campaign of a million deliveries: the funnel (target <= 1 s:
// FunnelGroups + OptOutsAfter + BuildFunnel) and the estimate-vs-actual report (CostGroups +
// BuildCostReport), each beside the floor any report of the campaign pays: one pass over its rows
// (SELECT sum(estimated_cost_micros) by the same index), measured in the same run as the ratio.
//
//   ninja -C build-release report_bench
//   build-release/bench/report_bench                        # 1M deliveries in a temporary file
//   build-release/bench/report_bench 1000000 /tmp/report.db # keep the file; reused next time
//
// The rows are written with direct prepared INSERTs in large transactions (this measures reads):
// states as a finished campaign has them (about 80 % delivered or read, 4 % failed, 5 % skipped,
// 2 % blocked, 3 % expired, the rest sent), sent over five days, 5 % replied, 0.5 % of the contacts
// opted out after. Reads go through a reader as Store opens it. Each figure is the median of
// warm runs (the first is discarded).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "app/reports.h"
#include "campaign/pricing.h"
#include "storage/report_repository.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"

namespace {

using herald::CampaignId;
using herald::Status;
using herald::storage::Connection;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kStart = 1'796'000'000'000;  // 2026-11-30
constexpr int kRuns = 7;

template <typename T>
T Check(herald::Result<T> result, const std::string& what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), result.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

void Check(const Status& status, const std::string& what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), status.error().ToString().c_str());
    std::exit(1);
  }
}

void Populate(Connection& db, std::int64_t count) {
  Check(db.Execute("BEGIN IMMEDIATE"), "begin");
  Check(db.Execute("INSERT INTO campaigns (id, name, segment, content, state, created_by, "
                   "created_at, updated_at) VALUES (1, 'bench', 'tag:all', '{}', 'completed', "
                   "'bench', 0, 0)"),
        "campaign");
  auto contact = Check(db.Prepare("INSERT INTO contacts (id, phone_e164, country, opted_out_at, "
                                  "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 0, 0)"),
                       "prepare contacts");
  auto delivery = Check(
      db.Prepare("INSERT INTO deliveries (campaign_id, contact_id, state, reason, error_code, "
                 "not_before, created_at, updated_at, sent_at, delivered_at, read_at, replied_at, "
                 "estimated_cost_micros, actual_cost_micros, estimate_category, estimate_basis, "
                 "pricing_billable, pricing_category, pricing_type) VALUES (1, ?1, ?2, ?3, ?4, 0, "
                 "0, 0, ?5, ?6, ?7, ?8, 136500, ?9, 'marketing', 'regular', ?10, ?11, ?12)"),
      "prepare deliveries");
  std::mt19937_64 random(20261205);
  std::uniform_int_distribution<int> percent(0, 999);
  const char* countries[] = {"DE", "FR", "IN", "BR", "US", "GB", "ES", "IT"};
  for (std::int64_t id = 1; id <= count; ++id) {
    if (id % 200'000 == 0) {
      Check(db.Execute("COMMIT"), "commit");
      Check(db.Execute("BEGIN IMMEDIATE"), "begin");
    }
    const int draw = percent(random);
    const std::int64_t sent = kStart + (id % 5) * kDay + (id * 7919) % kDay;
    contact.Reset();
    contact.Bind(1, id)
        .Bind(2, "+4915" + std::to_string(100000000 + id))
        .Bind(3, countries[id % 8]);
    if (draw < 5) {
      contact.Bind(4, sent + 3'600'000);
    } else {
      contact.BindNull(4);
    }
    Check(contact.Run(), "contact");
    std::string state = "delivered";
    std::string reason;
    bool sent_at = true, delivered = true, read = false, replied = false;
    if (draw < 40) {
      state = "failed";
      reason = draw < 30 ? "failed:131026" : "failed:131049";
      delivered = false;
    } else if (draw < 90) {
      state = "skipped";
      reason = draw < 70 ? "skipped:opted_out" : "skipped:no_consent";
      sent_at = delivered = false;
    } else if (draw < 110) {
      state = "blocked";
      reason = "blocked:wordlist:de";
      sent_at = delivered = false;
    } else if (draw < 140) {
      state = "expired";
      reason = "expired:end_by";
      sent_at = delivered = false;
    } else if (draw < 200) {
      state = "sent";
      delivered = false;
    } else if (draw < 600) {
      state = "read";
      read = true;
      replied = draw < 250;
    }
    delivery.Reset();
    delivery.Bind(1, id).Bind(2, state);
    if (reason.empty()) {
      delivery.BindNull(3);
    } else {
      delivery.Bind(3, reason);
    }
    if (state == "failed") {
      delivery.Bind(4, std::int64_t{draw < 30 ? 131026 : 131049});
    } else {
      delivery.BindNull(4);
    }
    const auto time_or_null = [&](int index, bool set, std::int64_t at) {
      if (set) {
        delivery.Bind(index, at);
      } else {
        delivery.BindNull(index);
      }
    };
    time_or_null(5, sent_at, sent);
    time_or_null(6, delivered || read, sent + 2000);
    time_or_null(7, read, sent + 60'000);
    time_or_null(8, replied, sent + 120'000);
    if (delivered || read) {
      delivery.Bind(9, std::int64_t{draw % 50 == 0 ? 0 : 136500})
          .Bind(10, std::int64_t{draw % 50 == 0 ? 0 : 1})
          .Bind(11, "marketing")
          .Bind(12, draw % 50 == 0 ? "free_customer_service" : "regular");
    } else {
      delivery.BindNull(9).BindNull(10).BindNull(11).BindNull(12);
    }
    Check(delivery.Run(), "delivery");
  }
  Check(db.Execute("COMMIT"), "commit");
}

double MedianMs(const std::function<void()>& run) {
  std::vector<double> times;
  for (int i = 0; i <= kRuns; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    if (i > 0) times.push_back(took.count());  // the first run warms the cache
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t count = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const bool keep = argc > 2;
  const std::filesystem::path path =
      keep ? std::filesystem::path(argv[2])
           : std::filesystem::temp_directory_path() / ("report_bench_" + std::to_string(getpid()));
  const bool fresh = !std::filesystem::exists(path);
  {
    auto store = Check(herald::storage::SqliteStore::Open({path}), "opening " + path.string());
    store->Stop();
  }
  if (fresh) {
    auto db = Check(Connection::Open({path}), "connection");
    const auto start = std::chrono::steady_clock::now();
    Populate(*db, count);
    std::printf("populated %lld deliveries in %.1f s\n", static_cast<long long>(count),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  auto store = Check(herald::storage::SqliteStore::Open({path}), "opening " + path.string());
  auto reader = Check(store->OpenReader(), "reader");
  auto floor_db = Check(Connection::Open({path}), "connection");
  // The floor: one sequential pass over the campaign's stretch of the table, as the reports read
  // it.
  auto scan = Check(floor_db->Prepare("SELECT count(*), sum(estimated_cost_micros) FROM deliveries "
                                      "WHERE id BETWEEN (SELECT min(id) FROM deliveries WHERE "
                                      "campaign_id = 1) AND (SELECT max(id) FROM deliveries WHERE "
                                      "campaign_id = 1) AND +campaign_id = 1"),
                    "prepare scan");
  std::int64_t rows = 0;
  const double floor_ms = MedianMs([&] {
    scan.Reset();
    (void)scan.Step();
    rows = scan.ColumnInt(0);
  });
  herald::app::Funnel funnel;
  const double funnel_ms = MedianMs([&] {
    auto groups = Check(reader->reports().FunnelGroups(CampaignId{1}), "funnel");
    auto opt_outs = Check(reader->reports().OptOutsAfter(CampaignId{1}), "opt-outs");
    funnel = herald::app::BuildFunnel(CampaignId{1}, groups, opt_outs, "USD");
  });
  const herald::campaign::PricingRuleBook rules(herald::campaign::PlatformPricingRules());
  herald::app::CostReport costs;
  const double costs_ms = MedianMs([&] {
    auto groups = Check(reader->reports().CostGroups(CampaignId{1}), "costs");
    costs = herald::app::BuildCostReport(CampaignId{1}, groups, rules, "USD");
  });
  std::printf(
      "deliveries %lld (audience %lld, sent %lld, delivered %lld, replied %lld, "
      "opted out after %lld, %zu days; costs: %zu causes, %lld matched)\n",
      static_cast<long long>(rows), static_cast<long long>(funnel.audience),
      static_cast<long long>(funnel.sent), static_cast<long long>(funnel.delivered),
      static_cast<long long>(funnel.replied), static_cast<long long>(funnel.opted_out_after),
      funnel.days.size(), costs.causes.size(), static_cast<long long>(costs.matched));
  std::printf("one pass over the rows (floor)  %8.1f ms\n", floor_ms);
  std::printf("funnel report                   %8.1f ms  (%.2fx the floor; target <= 1000 ms)\n",
              funnel_ms, funnel_ms / floor_ms);
  std::printf("estimate-vs-actual report       %8.1f ms  (%.2fx the floor)\n", costs_ms,
              costs_ms / floor_ms);
  store->Stop();
  if (!keep) std::filesystem::remove(path);
  return 0;
}
