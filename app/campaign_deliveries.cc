// CampaignService::Deliveries: who got what and why not, as CSV or JSON Lines (issue 16, item 2).
#include <boost/json.hpp>
#include <fstream>

#include "app/campaign_service.h"
#include "app/contact_export.h"
#include "common/csv.h"
#include "common/time.h"

namespace herald::app {

namespace json = boost::json;

void CampaignService::Deliveries(CampaignId id, std::optional<DeliveryState> state,
                                 DeliveriesFormat format, Reply<std::filesystem::path> reply) {
  reads_.Post([id, state, format, reply](storage::UnitOfWork& reader) {
    auto campaign = reader.campaigns().Find(id);
    if (!campaign.ok()) return reply(campaign.error());
    if (!*campaign) {
      return reply(
          MakeError(ErrorCode::kNotFound, "no campaign " + std::to_string(id.value), "id"));
    }
    std::ofstream out;
    auto path = NewTempFile("deliveries", out);
    if (!path.ok()) return reply(path.error());
    const std::vector<std::string> header{"delivery_id", "phone",      "sender",   "state",
                                          "reason",      "error_code", "attempts", "message_id",
                                          "not_before",  "updated_at", "sent_at",  "delivered_at",
                                          "read_at"};
    CsvWriteOptions csv;
    csv.guard_formulas = true;
    if (format == DeliveriesFormat::kCsv) WriteCsvRow(out, header, csv);
    auto time = [](const std::optional<SysTime>& at) {
      return at ? FormatRfc3339(*at) : std::string();
    };
    Status scanned =
        reader.deliveries().Scan(id, state, DeliveryId{0}, [&](const storage::DeliveryRow& row) {
          const std::vector<std::string> fields{
              std::to_string(row.id.value),
              row.phone_e164,
              row.sender,
              std::string(storage::DeliveryStateName(row.state)),
              row.reason,
              row.error_code ? std::to_string(*row.error_code) : "",
              std::to_string(row.attempts),
              row.provider_message_id,
              FormatRfc3339(row.not_before),
              FormatRfc3339(row.updated_at),
              time(row.sent_at),
              time(row.delivered_at),
              time(row.read_at)};
          if (format == DeliveriesFormat::kCsv) {
            WriteCsvRow(out, fields, csv);
          } else {
            json::object line;
            for (std::size_t i = 0; i < header.size(); ++i) {
              if (i == 0 || i == 6) {
                line[header[i]] = std::stoll(fields[i]);
              } else if (i == 5 && !fields[i].empty()) {
                line[header[i]] = std::stoll(fields[i]);
              } else if (fields[i].empty()) {
                line[header[i]] = nullptr;
              } else {
                line[header[i]] = fields[i];
              }
            }
            out << json::serialize(line) << '\n';
          }
          return static_cast<bool>(out);
        });
    out.close();
    if (!scanned.ok() || !out) {
      std::error_code ignored;
      std::filesystem::remove(*path, ignored);
      return reply(scanned.ok() ? MakeError(ErrorCode::kIoError, "cannot write " + path->string())
                                : scanned.error());
    }
    reply(*path);
  });
}

}  // namespace herald::app
