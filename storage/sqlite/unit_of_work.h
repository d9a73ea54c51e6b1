// storage/sqlite/unit_of_work.h: the SQLite UnitOfWork: the repositories of one write job or
// read session, all over one connection, made on first use.
//
// Thread rules: belongs to the thread that owns the connection.
#pragma once

#include <memory>

#include "storage/sqlite/connection.h"
#include "storage/store.h"

namespace herald::storage {

class SqliteCampaignRepository;
class SqliteContactRepository;
class SqliteDeliveryRepository;
class SqliteHookRepository;
class SqliteImportRepository;
class SqliteLeaseRepository;
class SqliteWebhookRepository;
class SqliteMarketRuleRepository;
class SqlitePriceRepository;
class SqliteRecipientRepository;
class SqliteReportRepository;
class SqliteRetentionRepository;
class SqliteSegmentRepository;
class SqliteSenderRepository;
class SqliteTemplateRepository;
class SqliteWordListRepository;

class SqliteUnitOfWork final : public UnitOfWork {
 public:
  explicit SqliteUnitOfWork(Connection& connection);
  // A read session that owns its connection.
  explicit SqliteUnitOfWork(std::unique_ptr<Connection> owned);
  ~SqliteUnitOfWork() override;

  CampaignRepository& campaigns() override;
  ContactRepository& contacts() override;
  DeliveryRepository& deliveries() override;
  HookRepository& hooks() override;
  ImportRepository& imports() override;
  LeaseRepository& leases() override;
  WebhookRepository& webhooks() override;
  MarketRuleRepository& market_rules() override;
  PriceRepository& prices() override;
  RecipientRepository& recipients() override;
  ReportRepository& reports() override;
  RetentionRepository& retention() override;
  SegmentRepository& segments() override;
  SenderRepository& senders() override;
  TemplateRepository& templates() override;
  WordListRepository& word_lists() override;

 private:
  std::unique_ptr<Connection> owned_;
  Connection& connection_;
  std::unique_ptr<SqliteCampaignRepository> campaigns_;
  std::unique_ptr<SqliteContactRepository> contacts_;
  std::unique_ptr<SqliteDeliveryRepository> deliveries_;
  std::unique_ptr<SqliteHookRepository> hooks_;
  std::unique_ptr<SqliteImportRepository> imports_;
  std::unique_ptr<SqliteLeaseRepository> leases_;
  std::unique_ptr<SqliteWebhookRepository> webhooks_;
  std::unique_ptr<SqliteMarketRuleRepository> market_rules_;
  std::unique_ptr<SqlitePriceRepository> prices_;
  std::unique_ptr<SqliteRecipientRepository> recipients_;
  std::unique_ptr<SqliteReportRepository> reports_;
  std::unique_ptr<SqliteRetentionRepository> retention_;
  std::unique_ptr<SqliteSegmentRepository> segments_;
  std::unique_ptr<SqliteSenderRepository> senders_;
  std::unique_ptr<SqliteTemplateRepository> templates_;
  std::unique_ptr<SqliteWordListRepository> word_lists_;
};

}  // namespace herald::storage
