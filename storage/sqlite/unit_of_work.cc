#include "storage/sqlite/unit_of_work.h"

#include "storage/sqlite/campaign_repository.h"
#include "storage/sqlite/contact_repository.h"
#include "storage/sqlite/delivery_repository.h"
#include "storage/sqlite/hook_repository.h"
#include "storage/sqlite/import_repository.h"
#include "storage/sqlite/lease_repository.h"
#include "storage/sqlite/price_repository.h"
#include "storage/sqlite/recipient_repository.h"
#include "storage/sqlite/report_repository.h"
#include "storage/sqlite/retention_repository.h"
#include "storage/sqlite/segment_repository.h"
#include "storage/sqlite/sender_repository.h"
#include "storage/sqlite/template_repository.h"
#include "storage/sqlite/webhook_repository.h"
#include "storage/sqlite/word_list_repository.h"

namespace herald::storage {
namespace {

template <typename T>
T& MadeOnce(std::unique_ptr<T>& slot, Connection& connection) {
  if (!slot) slot = std::make_unique<T>(connection);
  return *slot;
}

}  // namespace

SqliteUnitOfWork::SqliteUnitOfWork(Connection& connection) : connection_(connection) {}

SqliteUnitOfWork::SqliteUnitOfWork(std::unique_ptr<Connection> owned)
    : owned_(std::move(owned)), connection_(*owned_) {}

SqliteUnitOfWork::~SqliteUnitOfWork() = default;

CampaignRepository& SqliteUnitOfWork::campaigns() { return MadeOnce(campaigns_, connection_); }
ContactRepository& SqliteUnitOfWork::contacts() { return MadeOnce(contacts_, connection_); }
DeliveryRepository& SqliteUnitOfWork::deliveries() { return MadeOnce(deliveries_, connection_); }
HookRepository& SqliteUnitOfWork::hooks() { return MadeOnce(hooks_, connection_); }
ImportRepository& SqliteUnitOfWork::imports() { return MadeOnce(imports_, connection_); }
LeaseRepository& SqliteUnitOfWork::leases() { return MadeOnce(leases_, connection_); }
WebhookRepository& SqliteUnitOfWork::webhooks() { return MadeOnce(webhooks_, connection_); }
MarketRuleRepository& SqliteUnitOfWork::market_rules() {
  return MadeOnce(market_rules_, connection_);
}
PriceRepository& SqliteUnitOfWork::prices() { return MadeOnce(prices_, connection_); }
RecipientRepository& SqliteUnitOfWork::recipients() { return MadeOnce(recipients_, connection_); }
ReportRepository& SqliteUnitOfWork::reports() { return MadeOnce(reports_, connection_); }
RetentionRepository& SqliteUnitOfWork::retention() { return MadeOnce(retention_, connection_); }
SegmentRepository& SqliteUnitOfWork::segments() { return MadeOnce(segments_, connection_); }
SenderRepository& SqliteUnitOfWork::senders() { return MadeOnce(senders_, connection_); }
TemplateRepository& SqliteUnitOfWork::templates() { return MadeOnce(templates_, connection_); }
WordListRepository& SqliteUnitOfWork::word_lists() { return MadeOnce(word_lists_, connection_); }

}  // namespace herald::storage
