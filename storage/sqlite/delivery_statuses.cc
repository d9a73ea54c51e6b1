// SqliteDeliveryRepository::ApplyStatuses: status webhooks applied to deliveries (issue 17).
#include <string>

#include "common/time.h"
#include "storage/sqlite/delivery_repository.h"

namespace herald::storage {
namespace {

using S = DeliveryState;

// The state a report moves `current` to: forward only (sent < delivered < read; failed only
// after sent), and any report settles an uncertain delivery.
DeliveryState Advance(DeliveryState current, DeliveryState reported) {
  const bool settled_or_sent = current == S::kUncertain || current == S::kSent;
  switch (reported) {
    case S::kSent:
      return current == S::kUncertain ? S::kSent : current;
    case S::kDelivered:
    case S::kFailed:
      return settled_or_sent ? reported : current;
    case S::kRead:
      return settled_or_sent || current == S::kDelivered ? S::kRead : current;
    default:
      return current;
  }
}

bool Receives(DeliveryState state) {
  return state == S::kUncertain || state == S::kSent || state == S::kDelivered ||
         state == S::kRead || state == S::kFailed;
}

struct Current {
  DeliveryId id;
  ContactId contact;
  DeliveryState state = S::kQueued;
  bool has_message_id = false;
  std::optional<std::int64_t> sent_at;  // unix ms
  bool delivered_at = false;
  bool read_at = false;
  std::string pricing;
  std::optional<bool> billable;
  std::string category;
  std::string type;
  std::optional<std::int64_t> actual_micros;
};

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

bool Delivered(DeliveryState state) { return state == S::kDelivered || state == S::kRead; }

}  // namespace

Result<std::vector<StatusApplied>> SqliteDeliveryRepository::ApplyStatuses(
    std::span<const StatusReport> reports, SysTime now, const BilledRate& rate) {
  constexpr std::string_view kColumns =
      "SELECT id, state, provider_message_id IS NOT NULL, sent_at, delivered_at IS NOT NULL, "
      "read_at IS NOT NULL, coalesce(pricing, ''), pricing_billable, coalesce(pricing_category, "
      "''), coalesce(pricing_type, ''), actual_cost_micros, contact_id FROM deliveries ";
  auto by_message = connection_.Prepare(std::string(kColumns) + "WHERE provider_message_id = ?1");
  if (!by_message.ok()) return by_message.error();
  // By callback id only while the delivery has no message id: an id in a callback never
  // overrides the platform's own.
  auto by_id =
      connection_.Prepare(std::string(kColumns) + "WHERE id = ?1 AND provider_message_id IS NULL");
  if (!by_id.ok()) return by_id.error();
  auto update = connection_.Prepare(
      "UPDATE deliveries SET state = ?2, "
      "provider_message_id = coalesce(provider_message_id, nullif(?3, '')), "
      "sent_at = CASE WHEN ?4 THEN coalesce(sent_at, ?5) ELSE sent_at END, "
      "delivered_at = CASE WHEN ?6 THEN coalesce(delivered_at, ?5) ELSE delivered_at END, "
      "read_at = CASE WHEN ?7 THEN coalesce(read_at, ?5) ELSE read_at END, "
      "reason = CASE WHEN ?8 THEN ?9 ELSE reason END, "
      "error_code = CASE WHEN ?8 THEN ?10 ELSE error_code END, "
      "error_details = CASE WHEN ?8 THEN nullif(?11, '') ELSE error_details END, "
      "pricing = coalesce(nullif(?12, ''), pricing), updated_at = ?13, pricing_billable = ?14, "
      "pricing_category = nullif(?15, ''), pricing_type = nullif(?16, ''), "
      "actual_cost_micros = ?17 WHERE id = ?1");
  if (!update.ok()) return update.error();
  auto country = connection_.Prepare("SELECT coalesce(country, '') FROM contacts WHERE id = ?1");
  if (!country.ok()) return country.error();
  const auto country_of = [&country](ContactId contact) -> Result<std::string> {
    country->Reset();
    country->Bind(1, contact.value);
    auto row = country->Step();
    if (!row.ok()) return row.error();
    return *row ? country->ColumnText(0) : std::string();
  };

  std::vector<StatusApplied> results;
  results.reserve(reports.size());
  for (const StatusReport& report : reports) {
    std::optional<Current> found;
    const auto read = [&found](Statement& query) -> Status {
      auto row = query.Step();
      if (!row.ok()) return row.error();
      if (!*row) return Status::Ok();
      Current current;
      current.id = DeliveryId{query.ColumnInt(0)};
      current.state = ParseDeliveryState(query.ColumnText(1)).value_or(S::kQueued);
      current.has_message_id = query.ColumnInt(2) != 0;
      if (!query.ColumnIsNull(3)) current.sent_at = query.ColumnInt(3);
      current.delivered_at = query.ColumnInt(4) != 0;
      current.read_at = query.ColumnInt(5) != 0;
      current.pricing = query.ColumnText(6);
      if (!query.ColumnIsNull(7)) current.billable = query.ColumnInt(7) != 0;
      current.category = query.ColumnText(8);
      current.type = query.ColumnText(9);
      if (!query.ColumnIsNull(10)) current.actual_micros = query.ColumnInt(10);
      current.contact = ContactId{query.ColumnInt(11)};
      found = std::move(current);
      return Status::Ok();
    };
    if (!report.provider_message_id.empty()) {
      by_message->Reset();
      by_message->Bind(1, report.provider_message_id);
      if (Status status = read(*by_message); !status.ok()) return status.error();
    }
    if (!found && report.delivery) {
      by_id->Reset();
      by_id->Bind(1, report.delivery->value);
      if (Status status = read(*by_id); !status.ok()) return status.error();
    }
    if (!found) {
      results.push_back(StatusApplied::kNoDelivery);
      continue;
    }
    if (found->state == S::kSending || found->state == S::kQueued) {
      // Its send answer (with the message id) is recorded first; the caller retries.
      results.push_back(StatusApplied::kInFlight);
      continue;
    }
    if (!Receives(found->state)) {
      results.push_back(StatusApplied::kUnchanged);
      continue;
    }
    const DeliveryState next = Advance(found->state, report.state);
    const bool success =
        report.state == S::kSent || report.state == S::kDelivered || report.state == S::kRead;
    const bool fill_sent = success && !found->sent_at;
    const bool fill_delivered = report.state == S::kDelivered && !found->delivered_at;
    const bool fill_read = report.state == S::kRead && !found->read_at;
    const bool new_pricing = !report.pricing_json.empty() && report.pricing_json != found->pricing;
    const bool new_message_id = !found->has_message_id && !report.provider_message_id.empty();
    const bool moved = next != found->state;

    // The pricing as known after this report, and what the message costs by it.
    const std::optional<bool> billable = report.billable ? report.billable : found->billable;
    const std::string category =
        report.pricing_category.empty() ? found->category : Lower(report.pricing_category);
    const std::string type = report.pricing_type.empty() ? found->type : Lower(report.pricing_type);
    const bool pricing_changed =
        billable != found->billable || category != found->category || type != found->type;
    std::optional<std::int64_t> actual;
    if (next == S::kFailed || (Delivered(next) && billable == false)) {
      actual = 0;
    } else if (Delivered(next) && billable == true) {
      if (!pricing_changed && Delivered(found->state) && found->actual_micros) {
        actual = found->actual_micros;
      } else if (rate) {
        auto where = country_of(found->contact);
        if (!where.ok()) return where.error();
        const SysTime sent = found->sent_at ? FromUnixMillis(*found->sent_at) : report.at;
        actual = rate(*where, category, sent);
      }
    }
    const bool new_actual = actual != found->actual_micros;
    if (!moved && !fill_sent && !fill_delivered && !fill_read && !new_pricing && !new_message_id &&
        !pricing_changed && !new_actual) {
      results.push_back(StatusApplied::kUnchanged);
      continue;
    }
    // The reason follows the state it explains: "failed:<code>" for a failure, none once an
    // uncertain delivery proves sent.
    const bool set_reason = moved && (next == S::kFailed || found->state == S::kUncertain);
    std::string reason;
    if (next == S::kFailed) {
      reason = "failed:" +
               (report.error_code ? std::to_string(*report.error_code) : std::string("status"));
    }
    update->Reset();
    update->Bind(1, found->id.value)
        .Bind(2, DeliveryStateName(next))
        .Bind(3, report.provider_message_id)
        .Bind(4, static_cast<std::int64_t>(fill_sent))
        .Bind(5, ToUnixMillis(report.at))
        .Bind(6, static_cast<std::int64_t>(fill_delivered))
        .Bind(7, static_cast<std::int64_t>(fill_read))
        .Bind(8, static_cast<std::int64_t>(set_reason))
        .Bind(11, next == S::kFailed ? report.error_details : std::string())
        .Bind(12, report.pricing_json)
        .Bind(13, ToUnixMillis(now))
        .Bind(15, category)
        .Bind(16, type);
    if (billable) {
      update->Bind(14, static_cast<std::int64_t>(*billable));
    } else {
      update->BindNull(14);
    }
    if (actual) {
      update->Bind(17, *actual);
    } else {
      update->BindNull(17);
    }
    if (reason.empty()) {
      update->BindNull(9);
    } else {
      update->Bind(9, reason);
    }
    if (next == S::kFailed && report.error_code) {
      update->Bind(10, *report.error_code);
    } else {
      update->BindNull(10);
    }
    if (Status run = update->Run(); !run.ok()) return run.error();
    results.push_back(StatusApplied::kApplied);
  }
  return results;
}

}  // namespace herald::storage

namespace herald::storage {

Result<std::optional<DeliveryRepository::Replied>> SqliteDeliveryRepository::MarkReplied(
    ContactId contact, std::string_view context_message_id, std::optional<SenderId> sender,
    SysTime at, SysTime since) {
  // Quoting a message names it; otherwise the reply answers the latest message sent to the
  // contact (by that number) since `since`. The platform's timestamps are whole seconds, so a
  // reply stamped in the second the message was sent (ms precision) still follows it.
  const std::string which =
      context_message_id.empty()
          ? "id = (SELECT id FROM deliveries WHERE contact_id = ?1 AND sent_at IS NOT NULL "
            "AND sent_at >= ?4 AND sent_at <= ?3 + 999 AND (?5 IS NULL OR sender_id = ?5) "
            "ORDER BY sent_at DESC, id DESC LIMIT 1)"
          : "provider_message_id = ?2 AND contact_id = ?1";
  auto mark = connection_.Prepare("UPDATE deliveries SET replied_at = ?3 WHERE " + which +
                                  " AND replied_at IS NULL RETURNING id, campaign_id");
  if (!mark.ok()) return mark.error();
  mark->Bind(1, contact.value).Bind(3, ToUnixMillis(at));
  if (!context_message_id.empty()) {
    mark->Bind(2, context_message_id);
  } else {
    mark->Bind(4, ToUnixMillis(since));
    if (sender) {
      mark->Bind(5, sender->value);
    } else {
      mark->BindNull(5);
    }
  }
  auto row = mark->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Replied>();
  Replied replied{DeliveryId{mark->ColumnInt(0)}, std::nullopt};
  if (!mark->ColumnIsNull(1)) replied.campaign = CampaignId{mark->ColumnInt(1)};
  if (Status done = mark->Run(); !done.ok()) return done.error();
  return std::optional<Replied>(replied);
}

}  // namespace herald::storage
