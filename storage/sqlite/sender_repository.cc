#include "storage/sqlite/sender_repository.h"

#include <boost/json.hpp>
#include <string>

#include "common/time.h"

namespace herald::storage {
namespace {

constexpr std::string_view kPortfolioColumns =
    "SELECT id, name, messaging_tier, restricted_until, restriction_type, created_at, updated_at "
    "FROM portfolios ";

PortfolioRecord ReadPortfolio(const Statement& row) {
  PortfolioRecord portfolio;
  portfolio.id = row.ColumnInt(0);
  portfolio.name = row.ColumnText(1);
  portfolio.messaging_tier = row.ColumnText(2);
  if (!row.ColumnIsNull(3)) portfolio.restricted_until = FromUnixMillis(row.ColumnInt(3));
  portfolio.restriction_type = row.ColumnText(4);
  portfolio.created_at = FromUnixMillis(row.ColumnInt(5));
  portfolio.updated_at = FromUnixMillis(row.ColumnInt(6));
  return portfolio;
}

constexpr std::string_view kSenderColumns =
    "SELECT s.id, s.phone_number_id, s.display_phone_number, p.name, s.throughput_per_s, "
    "s.quality, s.state, s.state_reason, s.warmup_started_at, s.created_at, s.updated_at "
    "FROM senders s LEFT JOIN portfolios p ON p.id = s.portfolio_id ";

SenderRecord ReadSender(const Statement& row) {
  SenderRecord sender;
  sender.id = SenderId{row.ColumnInt(0)};
  sender.phone_number_id = row.ColumnText(1);
  sender.display_phone_number = row.ColumnText(2);
  sender.portfolio = row.ColumnText(3);
  sender.throughput_per_s = row.ColumnDouble(4);
  sender.quality = row.ColumnText(5);
  sender.state = row.ColumnText(6);
  sender.state_reason = row.ColumnText(7);
  if (!row.ColumnIsNull(8)) sender.warmup_started_at = FromUnixMillis(row.ColumnInt(8));
  sender.created_at = FromUnixMillis(row.ColumnInt(9));
  sender.updated_at = FromUnixMillis(row.ColumnInt(10));
  return sender;
}

std::string SenderDetail(const SenderRecord& sender) {
  boost::json::object detail{{"display_phone_number", sender.display_phone_number},
                             {"portfolio", sender.portfolio},
                             {"throughput", sender.throughput_per_s},
                             {"quality", sender.quality},
                             {"state", sender.state}};
  if (!sender.state_reason.empty()) detail["state_reason"] = sender.state_reason;
  if (sender.warmup_started_at) {
    detail["warmup_started_at"] = FormatRfc3339(*sender.warmup_started_at);
  }
  return boost::json::serialize(detail);
}

void BindOptionalTime(Statement& statement, int index, const std::optional<SysTime>& time) {
  if (time) {
    statement.Bind(index, ToUnixMillis(*time));
  } else {
    statement.BindNull(index);
  }
}

void BindOptionalText(Statement& statement, int index, std::string_view text) {
  if (text.empty()) {
    statement.BindNull(index);
  } else {
    statement.Bind(index, text);
  }
}

// ?1 phone_number_id, ?2 display number, ?3 portfolio id, ?4 throughput, ?5 quality, ?6 state,
// ?7 state reason, ?8 warm-up start, ?9 the time of the change: the same in INSERT and UPDATE.
void BindSender(Statement& statement, const SenderRecord& sender, std::int64_t portfolio_id,
                SysTime at) {
  statement.Bind(1, sender.phone_number_id)
      .Bind(2, sender.display_phone_number)
      .Bind(3, portfolio_id)
      .Bind(4, sender.throughput_per_s)
      .Bind(5, sender.quality)
      .Bind(6, sender.state)
      .Bind(9, ToUnixMillis(at));
  BindOptionalText(statement, 7, sender.state_reason);
  BindOptionalTime(statement, 8, sender.warmup_started_at);
}

}  // namespace

Result<std::vector<PortfolioRecord>> SqliteSenderRepository::ListPortfolios() {
  auto list = connection_.Prepare(std::string(kPortfolioColumns) + "ORDER BY name");
  if (!list.ok()) return list.error();
  std::vector<PortfolioRecord> portfolios;
  for (;;) {
    auto row = list->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    portfolios.push_back(ReadPortfolio(*list));
  }
  return portfolios;
}

Result<std::optional<PortfolioRecord>> SqliteSenderRepository::FindPortfolio(
    std::string_view name) {
  auto find = connection_.Prepare(std::string(kPortfolioColumns) + "WHERE name = ?1");
  if (!find.ok()) return find.error();
  find->Bind(1, name);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<PortfolioRecord>();
  return std::optional<PortfolioRecord>(ReadPortfolio(*find));
}

Status SqliteSenderRepository::SavePortfolio(const PortfolioRecord& portfolio,
                                             const Change& change) {
  auto save = connection_.Prepare(
      "INSERT INTO portfolios (name, messaging_tier, restricted_until, restriction_type, "
      "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (name) DO UPDATE SET "
      "messaging_tier = excluded.messaging_tier, restricted_until = excluded.restricted_until, "
      "restriction_type = excluded.restriction_type, updated_at = excluded.updated_at");
  if (!save.ok()) return save.error();
  save->Bind(1, portfolio.name).Bind(2, portfolio.messaging_tier).Bind(5, ToUnixMillis(change.at));
  BindOptionalTime(*save, 3, portfolio.restricted_until);
  BindOptionalText(*save, 4, portfolio.restriction_type);
  if (Status saved = save->Run(); !saved.ok()) return saved;
  boost::json::object detail{{"messaging_tier", portfolio.messaging_tier}};
  if (portfolio.restricted_until) {
    detail["restricted_until"] = FormatRfc3339(*portfolio.restricted_until);
    detail["restriction_type"] = portfolio.restriction_type;
  }
  return audit_.Append({change.at, change.actor, "portfolio.save", "portfolio", portfolio.name,
                        change.reason, boost::json::serialize(detail)});
}

Result<std::vector<SenderRecord>> SqliteSenderRepository::Select(std::string_view where,
                                                                 const std::string* text,
                                                                 std::int64_t id) {
  auto select = connection_.Prepare(std::string(kSenderColumns) + std::string(where));
  if (!select.ok()) return select.error();
  if (text != nullptr) {
    select->Bind(1, *text);
  } else if (id != 0) {
    select->Bind(1, id);
  }
  std::vector<SenderRecord> senders;
  for (;;) {
    auto row = select->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    senders.push_back(ReadSender(*select));
  }
  return senders;
}

Result<std::vector<SenderRecord>> SqliteSenderRepository::List() {
  return Select("ORDER BY s.phone_number_id", nullptr, 0);
}

Result<std::optional<SenderRecord>> SqliteSenderRepository::Find(std::string_view phone_number_id) {
  const std::string key(phone_number_id);
  auto found = Select("WHERE s.phone_number_id = ?1", &key, 0);
  if (!found.ok()) return found.error();
  if (found->empty()) return std::optional<SenderRecord>();
  return std::optional<SenderRecord>(std::move(found->front()));
}

Result<std::optional<SenderRecord>> SqliteSenderRepository::FindById(SenderId id) {
  auto found = Select("WHERE s.id = ?1", nullptr, id.value);
  if (!found.ok()) return found.error();
  if (found->empty()) return std::optional<SenderRecord>();
  return std::optional<SenderRecord>(std::move(found->front()));
}

Result<std::int64_t> SqliteSenderRepository::PortfolioId(std::string_view name) {
  auto portfolio = FindPortfolio(name);
  if (!portfolio.ok()) return portfolio.error();
  if (!*portfolio) {
    return MakeError(ErrorCode::kNotFound, "no portfolio named " + std::string(name), "portfolio");
  }
  return (*portfolio)->id;
}

Result<SenderId> SqliteSenderRepository::Insert(const SenderRecord& sender, const Change& change) {
  auto portfolio_id = PortfolioId(sender.portfolio);
  if (!portfolio_id.ok()) return portfolio_id.error();
  auto insert = connection_.Prepare(
      "INSERT INTO senders (phone_number_id, display_phone_number, portfolio_id, "
      "throughput_per_s, quality, state, state_reason, warmup_started_at, created_at, "
      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
      "ON CONFLICT (phone_number_id) DO NOTHING RETURNING id");
  if (!insert.ok()) return insert.error();
  BindSender(*insert, sender, *portfolio_id, change.at);
  auto row = insert->Step();
  if (!row.ok()) return row.error();
  if (!*row) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "a sender with phone_number_id " + sender.phone_number_id + " exists",
                     "phone_number_id");
  }
  SenderId id{insert->ColumnInt(0)};
  if (Status done = insert->Run(); !done.ok()) return done.error();
  if (Status audited = audit_.Append({change.at, change.actor, "sender.create", "sender",
                                      sender.phone_number_id, change.reason, SenderDetail(sender)});
      !audited.ok()) {
    return audited.error();
  }
  return id;
}

Status SqliteSenderRepository::Update(const SenderRecord& sender, std::string_view action,
                                      const Change& change) {
  auto portfolio_id = PortfolioId(sender.portfolio);
  if (!portfolio_id.ok()) return portfolio_id.error();
  auto update = connection_.Prepare(
      "UPDATE senders SET display_phone_number = ?2, portfolio_id = ?3, throughput_per_s = ?4, "
      "quality = ?5, state = ?6, state_reason = ?7, warmup_started_at = ?8, updated_at = ?9 "
      "WHERE phone_number_id = ?1");
  if (!update.ok()) return update.error();
  BindSender(*update, sender, *portfolio_id, change.at);
  if (Status updated = update->Run(); !updated.ok()) return updated;
  if (connection_.Changes() == 0) {
    return MakeError(ErrorCode::kNotFound,
                     "no sender with phone_number_id " + sender.phone_number_id, "phone_number_id");
  }
  return audit_.Append({change.at, change.actor, action, "sender", sender.phone_number_id,
                        change.reason, SenderDetail(sender)});
}

}  // namespace herald::storage
