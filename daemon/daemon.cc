#include "daemon/daemon.h"

#include <sys/stat.h>

#include <atomic>
#include <boost/asio.hpp>
#include <csignal>
#include <ostream>
#include <vector>

#include "app/campaign_runner.h"
#include "app/campaign_service.h"
#include "app/compliance_service.h"
#include "app/contact_service.h"
#include "app/event_hooks.h"
#include "app/forecast_service.h"
#include "app/message_service.h"
#include "app/pricing_service.h"
#include "app/sender_service.h"
#include "app/webhook_events.h"
#include "app/webhook_inbound.h"
#include "app/webhook_service.h"
#include "common/log.h"
#include "common/metrics.h"
#include "config/config.h"
#include "contacts/phone_number.h"
#include "daemon/admin_token.h"
#include "daemon/lifecycle.h"
#include "daemon/logging.h"
#include "daemon/notify.h"
#include "daemon/version.h"
#include "http/admin_api.h"
#include "http/campaigns_api.h"
#include "http/contacts_api.h"
#include "http/forecasts_api.h"
#include "http/hooks_api.h"
#include "http/http_server.h"
#include "http/imports_api.h"
#include "http/messages_api.h"
#include "http/prices_api.h"
#include "http/router.h"
#include "http/segments_api.h"
#include "http/senders_api.h"
#include "http/tags_api.h"
#include "http/templates_api.h"
#include "http/webhooks_api.h"
#include "http/wordlists_api.h"
#include "provider/factory.h"
#include "storage/store.h"

namespace herald::daemon {
namespace {

// Audience cost estimates: the pricing in force, and the category the platform bills a
// campaign's content under (its template's category; service for free text).
app::CostModel CostModelFor(app::PricingService& pricing, app::ComplianceService& compliance) {
  app::CostModel model;
  model.pricing = [&pricing] { return pricing.Snapshot(); };
  model.category =
      [&compliance](const app::CampaignContent& content) -> std::optional<campaign::PriceCategory> {
    if (!content.is_template) return campaign::PriceCategory::kService;
    const auto gate = compliance.gate();
    if (gate == nullptr) return std::nullopt;
    const compliance::CompiledTemplate* found = gate->templates().Resolve(
        content.template_name, content.template_language, gate->policy().config().default_language);
    // Without a language (each recipient's own), any language tells the category.
    if (found == nullptr && content.template_language.empty()) {
      found = gate->templates().AnyLanguage(content.template_name);
    }
    if (found == nullptr) return std::nullopt;
    switch (found->source.category) {
      case compliance::TemplateCategory::kMarketing:
        return campaign::PriceCategory::kMarketing;
      case compliance::TemplateCategory::kUtility:
        return campaign::PriceCategory::kUtility;
      case compliance::TemplateCategory::kAuthentication:
        return campaign::PriceCategory::kAuthentication;
    }
    return std::nullopt;
  };
  return model;
}

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using app::ComplianceService;
using app::ContactService;
using app::FilterOptionsFromConfig;
using app::PolicyFromConfig;
using http::DaemonSnapshot;
using http::HttpLimits;
using http::HttpServer;
using http::Router;

app::RunnerOptions RunnerOptionsFrom(const config::SendingConfig& sending) {
  app::RunnerOptions options;
  options.max_attempts = static_cast<int>(sending.max_attempts);
  options.retry_base = sending.retry_base;
  options.retry_max = sending.retry_max;
  options.max_in_flight = sending.max_in_flight;
  options.claim_batch = sending.claim_batch;
  return options;
}

HttpLimits LimitsOf(const config::ServerConfig& server) {
  HttpLimits limits;
  limits.max_body_bytes = server.max_body_bytes;
  limits.max_bulk_body_bytes = server.max_import_bytes;
  limits.header_timeout = server.header_timeout;
  limits.read_timeout = server.read_timeout;
  limits.idle_timeout = server.idle_timeout;
  limits.max_connections = server.max_connections;
  return limits;
}

// Where heraldd keeps the token it generates when none is configured: next to the database.
std::filesystem::path GeneratedTokenPath(const config::Config& config) {
  return std::filesystem::absolute(config.storage.path).parent_path() / "admin.token";
}

// The admin token from config, environment or credential; else a generated one by the database.
Result<AdminToken> ResolveAdminToken(const config::Config& config) {
  auto secrets = config::LoadSecrets(config, config::ProcessEnvironment());
  if (!secrets.ok()) return secrets.error();
  if (!secrets->admin_token.empty()) {
    std::string source = config.server.admin_token_file.empty()
                             ? "environment or credential"
                             : config.server.admin_token_file.string();
    return AdminToken{secrets->admin_token, source, std::move(secrets->warnings)};
  }
  return ReadOrCreateTokenFile(GeneratedTokenPath(config));
}

// A secret other users can read stays usable (refusing to start would take the API down over a
// mode bit), but the operator hears about it at every start and reload.
void LogSecretFileWarnings(const AdminToken& token) {
  for (const config::SecretFileWarning& warning : token.warnings) {
    log::Warn("event=secret_file_insecure source={} path={} mode={} fix={}",
              log::Quoted(warning.source), log::Quoted(warning.path.string()),
              log::Quoted(warning.ModeString()), log::Quoted(warning.Fix()));
  }
}

class Daemon {
 public:
  Daemon(std::optional<std::filesystem::path> config_path, config::Config config)
      : signals_(io_, SIGTERM, SIGINT, SIGHUP),
        watchdog_timer_(io_),
        grace_timer_(io_),
        config_path_(std::move(config_path)),
        config_(std::move(config)),
        started_(SteadyClock::now()) {}

  int Run();

 private:
  Status Start();
  void WaitForSignal();
  void Reload();
  void BeginShutdown(int signal_number);
  void FinishShutdown();
  void WaitForSending(std::function<void()> then);
  void ScheduleWatchdog(std::chrono::microseconds interval);
  void RegisterMetrics();
  Status Readiness() const;
  DaemonSnapshot Snapshot() const;
  std::string StatusText() const;

  // First, so that it outlives everything that updates it: sessions that io_ destroys, too.
  metrics::Registry metrics_;
  asio::io_context io_{1};
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer grace_timer_;
  asio::steady_timer sending_timer_{io_};
  std::optional<std::filesystem::path> config_path_;
  config::Config config_;
  SteadyClock::time_point started_;
  SystemClock clock_;
  std::unique_ptr<storage::Store> store_;
  // The outbound event hooks: the services publish to it from their write jobs, so it exists
  // before them; its delivery thread starts once the secrets are loaded ("hooks").
  std::unique_ptr<app::HookService> hooks_;
  std::unique_ptr<ContactService> contacts_;
  std::unique_ptr<ComplianceService> compliance_;
  std::unique_ptr<app::SenderService> senders_;
  std::unique_ptr<app::PricingService> pricing_;
  std::unique_ptr<app::ForecastService> forecasts_;
  std::unique_ptr<app::CampaignService> campaigns_;
  std::unique_ptr<provider::Provider> provider_;
  std::unique_ptr<app::CampaignRunner> runner_;
  std::unique_ptr<app::MessageService> messages_;
  std::unique_ptr<app::WebhookService> webhooks_;
  config::Secrets secrets_;
  LifecycleStack components_;  // storage, then the services: stopped in reverse
  Router router_;
  std::unique_ptr<HttpServer> server_;
  // [webhooks] listen: the webhook endpoints alone, on a listener of their own.
  Router webhook_router_;
  std::unique_ptr<HttpServer> webhook_server_;
  std::string listen_address_;
  bool stopping_ = false;
  // When the daemon means to be gone: SIGTERM plus the shutdown grace.
  SteadyClock::time_point stop_deadline_ = SteadyClock::now();
  // Read the members above at scrape time: destroyed before them.
  std::vector<metrics::CallbackRegistration> metric_callbacks_;
};

int Daemon::Run() {
  if (Status started = Start(); !started.ok()) {
    log::Critical("event=start_failed error={}", log::Quoted(started.error().ToString()));
    notify::Status("failed to start: " + started.error().ToString());
    components_.StopAll(SteadyClock::now() + config_.daemon.shutdown_grace);
    return 1;
  }
  notify::Ready(StatusText());
  log::Info(
      "event=ready listen={} version={} startup_ms={}", log::Quoted(listen_address_),
      log::Quoted(herald::kVersion),
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started_).count());
  io_.run();
  // The services stop before storage: an import records how it ended, queued writes flush.
  components_.StopAll(stop_deadline_);
  log::Info("event=stopped");
  return 0;
}

// Checks what the config parser cannot know: the region must be one libphonenumber knows.
Status CheckRegion(const config::Config& config) {
  const std::string& region = config.contacts.default_region;
  if (region.empty() || contacts::PhoneNormaliser::IsKnownRegion(region)) return Status::Ok();
  return MakeError(ErrorCode::kInvalidArgument, "unknown region \"" + region + "\"",
                   "contacts.default_region");
}

Status Daemon::Start() {
  if (Status region = CheckRegion(config_); !region.ok()) return region;
  Status started = components_.Start(
      "storage",
      [this]() -> Status {
        auto store = storage::Store::Open({config_.storage.path, config_.storage.busy_timeout,
                                           config_.storage.max_batch, config_.storage.cache_bytes});
        if (!store.ok()) return store.error();
        store_ = std::move(store).value();
        log::Info("event=storage_open path={} schema_version={}", log::Quoted(store_->location()),
                  store_->schema_version());
        return Status::Ok();
      },
      [this](LifecycleStack::Deadline) { store_->Stop(); });  // flushes every queued write
  if (!started.ok()) return started;
  RegisterMetrics();
  hooks_ = std::make_unique<app::HookService>(*store_, clock_, config_.hooks, &metrics_);

  started = components_.Start(
      "contacts",
      [this]() -> Status {
        contacts_ =
            std::make_unique<ContactService>(*store_, clock_, config_.contacts.max_running_imports);
        contacts_->SetEventPublisher(hooks_.get());
        auto index_started = SteadyClock::now();
        if (Status indexed = contacts_->Start(); !indexed.ok()) {
          contacts_->Stop();
          return indexed;
        }
        log::Info("event=index_built contacts={} ms={}", contacts_->indexed_contacts(),
                  std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() -
                                                                        index_started)
                      .count());
        return Status::Ok();
      },
      [this](LifecycleStack::Deadline deadline) { contacts_->Stop(deadline); });
  if (!started.ok()) return started;

  started = components_.Start(
      "compliance",
      [this]() -> Status {
        compliance_ = std::make_unique<ComplianceService>(
            *store_, clock_, metrics_, FilterOptionsFromConfig(config_.compliance));
        Status ready = compliance_->Start(PolicyFromConfig(config_.compliance));
        if (!ready.ok()) compliance_->Stop();
        return ready;
      },
      [this](LifecycleStack::Deadline) { compliance_->Stop(); });
  if (!started.ok()) return started;

  started = components_.Start(
      "senders",
      [this]() -> Status {
        senders_ = std::make_unique<app::SenderService>(*store_, clock_);
        return senders_->Start();
      },
      [](LifecycleStack::Deadline) {});
  if (!started.ok()) return started;

  started = components_.Start(
      "pricing",
      [this]() -> Status {
        pricing_ = std::make_unique<app::PricingService>(*store_, clock_);
        return pricing_->Start();
      },
      [this](LifecycleStack::Deadline) { pricing_->Stop(); });
  if (!started.ok()) return started;

  started = components_.Start(
      "campaigns",
      [this]() -> Status {
        campaigns_ = std::make_unique<app::CampaignService>(*store_, clock_, *contacts_, *senders_);
        campaigns_->SetEventPublisher(hooks_.get());
        campaigns_->SetCostModel(CostModelFor(*pricing_, *compliance_));
        return campaigns_->Start();
      },
      [this](LifecycleStack::Deadline) { campaigns_->Stop(); });
  if (!started.ok()) return started;

  started = components_.Start(
      "forecasts",
      [this]() -> Status {
        forecasts_ = std::make_unique<app::ForecastService>(*store_, clock_, *contacts_, *pricing_,
                                                            *senders_,
                                                            CostModelFor(*pricing_, *compliance_));
        return forecasts_->Start();
      },
      [this](LifecycleStack::Deadline) { forecasts_->Stop(); });
  if (!started.ok()) return started;

  started = components_.Start(
      "webhooks",
      [this]() -> Status {
        auto secrets = config::LoadSecrets(config_, config::ProcessEnvironment());
        if (!secrets.ok()) return secrets.error();
        secrets_ = std::move(*secrets);
        webhooks_ = std::make_unique<app::WebhookService>(
            *store_, clock_,
            app::WebhookSecrets{secrets_.webhook_app_secret, secrets_.webhook_verify_token},
            &metrics_);
        webhooks_->SetHandlers({
            .inbound =
                app::MakeInboundHandler(*contacts_, *compliance_, config_.webhooks.reply_tags),
            .templates = app::MakeTemplateEventHandler(*compliance_, *campaigns_),
            .numbers = app::MakeNumberEventHandler(*senders_),
            .accounts = app::MakeAccountEventHandler(*senders_),
        });
        if (!webhooks_->configured()) {
          log::Warn(
              "event=webhooks_not_configured reason=\"no app secret: signed webhooks are "
              "refused; set webhooks.app_secret_file or HERALD_WEBHOOK_APP_SECRET\"");
        }
        return webhooks_->Start();
      },
      [this](LifecycleStack::Deadline) { webhooks_->Stop(); });
  if (!started.ok()) return started;

  // After the secrets (loaded with the webhooks'); what was pending before a stop or crash is
  // sent first. Events staged while it is stopped wait in the outbox.
  started = components_.Start(
      "hooks", [this]() -> Status { return hooks_->Start(secrets_.hook_secrets); },
      [this](LifecycleStack::Deadline) { hooks_->Stop(); });
  if (!started.ok()) return started;

  started = components_.Start(
      "sending",
      [this]() -> Status {
        // The sandbox's statuses and replies take the path of real webhooks.
        auto made = provider::MakeProvider(
            config_.provider, io_, secrets_.cloud_api_token,
            [this](std::string body) { webhooks_->ReceiveTrusted(std::move(body)); }, clock_);
        if (!made.ok()) return made.error();
        provider_ = std::move(made).value();
        runner_ = std::make_unique<app::CampaignRunner>(
            *store_, clock_, *campaigns_, *senders_, *compliance_, *provider_,
            [this](std::function<void()> task) { asio::post(io_, std::move(task)); },
            RunnerOptionsFrom(config_.sending), &metrics_);
        runner_->SetEventPublisher(hooks_.get());
        if (Status running = runner_->Start(); !running.ok()) return running;
        messages_ = std::make_unique<app::MessageService>(*store_, clock_, *senders_, *compliance_);
        messages_->SetEventPublisher(hooks_.get());
        if (Status ready = messages_->Start(); !ready.ok()) return ready;
        messages_->SetQueuedListener([this] { runner_->NudgeSingles(); });
        log::Info("event=sending_started provider={} owner={}", log::Quoted(provider_->kind()),
                  log::Quoted(runner_->owner()));
        return Status::Ok();
      },
      [this](LifecycleStack::Deadline deadline) {
        if (messages_) messages_->Stop();
        if (runner_) runner_->Stop(deadline);
        if (provider_) provider_->Stop();
      });
  if (!started.ok()) return started;

  auto token = ResolveAdminToken(config_);
  if (!token.ok()) return token.error();
  router_.SetAdminToken(token->token);
  log::Info("event=admin_token source={}", log::Quoted(token->source));
  LogSecretFileWarnings(*token);

  http::RegisterAdminRoutes(router_, metrics_, [this] { return Snapshot(); });
  auto default_region = [this] { return config_.contacts.default_region; };
  http::RegisterImportsApi(router_, *contacts_, default_region);  // before /v1/contacts/{phone}
  http::RegisterContactsApi(router_, *contacts_, default_region);
  http::RegisterTagsApi(router_, *contacts_);
  http::RegisterSegmentsApi(router_, *contacts_);
  http::RegisterWordListsApi(router_, *compliance_);
  http::RegisterTemplatesApi(router_, *compliance_);
  http::RegisterSendersApi(router_, *senders_);
  http::RegisterPricesApi(router_, *pricing_);
  http::RegisterForecastsApi(router_, *forecasts_);
  http::RegisterCampaignsApi(router_, *campaigns_);
  http::RegisterMessagesApi(router_, *messages_);
  http::RegisterWebhooksApi(router_, *webhooks_);
  http::RegisterHooksApi(router_, *hooks_);
  if (!config_.webhooks.own_listener()) http::RegisterWebhookEndpoints(router_, *webhooks_);
  server_ = std::make_unique<HttpServer>(io_, router_, LimitsOf(config_.server), metrics_);
  auto bound = server_->Listen(config_.server.listen_host, config_.server.listen_port);
  if (!bound.ok()) return bound.error();
  listen_address_ = *bound;
  if (config_.webhooks.own_listener()) {
    http::RegisterWebhookEndpoints(webhook_router_, *webhooks_);
    webhook_server_ =
        std::make_unique<HttpServer>(io_, webhook_router_, LimitsOf(config_.server), metrics_);
    auto webhook_bound =
        webhook_server_->Listen(config_.webhooks.listen_host, config_.webhooks.listen_port);
    if (!webhook_bound.ok()) return webhook_bound.error();
    log::Info("event=webhooks_listening listen={}", log::Quoted(*webhook_bound));
  }

  WaitForSignal();
  if (auto interval = notify::WatchdogInterval()) ScheduleWatchdog(*interval);
  return Status::Ok();
}

void Daemon::WaitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;  // cancelled at shutdown
    if (signal_number == SIGHUP && !stopping_) {
      Reload();
    } else if (signal_number == SIGHUP) {
      log::Info("event=reload_ignored reason=\"stopping\"");
    } else if (!stopping_) {
      BeginShutdown(signal_number);
    } else {
      log::Warn("event=forced_stop signal={}", signal_number);  // a second TERM: don't wait
      FinishShutdown();
      return;
    }
    WaitForSignal();
  });
}

void Daemon::Reload() {
  notify::Reloading();
  log::Info("event=reload_started config={}",
            log::Quoted(config_path_ ? config_path_->string() : std::string("(defaults)")));
  config::Config next;
  if (config_path_) {
    auto loaded = config::LoadConfigFile(*config_path_);
    if (!loaded.ok()) {
      for (const auto& error : loaded.errors) {
        log::Error("event=reload_rejected error={}", log::Quoted(error.ToString()));
      }
      notify::Ready(StatusText() + "; last reload failed, kept the previous config");
      return;
    }
    next = *loaded.config;
  }
  auto token = ResolveAdminToken(next);
  if (Status region = CheckRegion(next); !region.ok()) token = region.error();
  if (!token.ok()) {
    log::Error("event=reload_rejected error={}", log::Quoted(token.error().ToString()));
    notify::Ready(StatusText() + "; last reload failed, kept the previous config");
    return;
  }
  if (next.server.listen_host != config_.server.listen_host ||
      next.server.listen_port != config_.server.listen_port) {
    log::Warn("event=reload_partial key=\"server.listen\" reason=\"takes effect after a restart\"");
  }
  if (next.storage != config_.storage) {
    log::Warn("event=reload_partial key=\"storage\" reason=\"takes effect after a restart\"");
  }
  if (next.compliance != config_.compliance) {
    if (Status policy = compliance_->Reconfigure(PolicyFromConfig(next.compliance)); !policy.ok()) {
      log::Error("event=reload_rejected error={}", log::Quoted(policy.error().ToString()));
      notify::Ready(StatusText() + "; last reload failed, kept the previous config");
      return;
    }
  }
  if (next.compliance.word_filter != config_.compliance.word_filter) {
    log::Warn(
        "event=reload_partial key=\"compliance.word_filter\" reason=\"takes effect after a "
        "restart\"");
  }
  if (next.log.format != config_.log.format) ConfigureLogging(next.log);
  SetLogLevel(next.log.level);
  server_->SetLimits(LimitsOf(next.server));
  router_.SetAdminToken(token->token);
  config_ = std::move(next);
  log::Info("event=reloaded admin_token_source={}", log::Quoted(token->source));
  LogSecretFileWarnings(*token);
  notify::Ready(StatusText());
}

void Daemon::BeginShutdown(int signal_number) {
  stopping_ = true;
  notify::Stopping("stopping: draining connections");
  log::Info("event=stopping signal={} grace_ms={}", signal_number,
            config_.daemon.shutdown_grace.count());
  watchdog_timer_.cancel();
  server_->StopAccepting();
  if (webhook_server_) webhook_server_->StopAccepting();
  stop_deadline_ = SteadyClock::now() + config_.daemon.shutdown_grace;
  grace_timer_.expires_at(stop_deadline_);
  grace_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    log::Warn("event=grace_expired open_connections={}", server_->open_connections());
    FinishShutdown();
  });
  // Sending stops first, while this thread still delivers the provider's answers, so that what
  // is in flight is recorded rather than left uncertain.
  if (runner_) runner_->BeginStop(stop_deadline_);
  WaitForSending([this] { server_->Drain([this] { FinishShutdown(); }); });
}

void Daemon::WaitForSending(std::function<void()> then) {
  if (!runner_ || runner_->Finished() || SteadyClock::now() >= stop_deadline_) return then();
  sending_timer_.expires_after(std::chrono::milliseconds(20));
  sending_timer_.async_wait([this, then = std::move(then)](const boost::system::error_code& ec) {
    if (ec) return;
    WaitForSending(then);
  });
}

void Daemon::FinishShutdown() {
  grace_timer_.cancel();
  sending_timer_.cancel();
  watchdog_timer_.cancel();
  signals_.cancel();
  server_->StopAccepting();
  server_->CloseAll();
  if (webhook_server_) {
    webhook_server_->StopAccepting();
    webhook_server_->CloseAll();
  }
  // Let the close completions run, then leave io_.run() even if a handler still holds work.
  asio::post(io_, [this] { io_.stop(); });
}

void Daemon::ScheduleWatchdog(std::chrono::microseconds interval) {
  watchdog_timer_.expires_after(interval / 2);
  watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    // This timer proves the network thread is alive; the writer's heartbeat proves storage is.
    auto writer_silence = SteadyClock::now() - store_->LastHeartbeat();
    if (writer_silence < interval) {
      notify::Watchdog();
    } else {
      log::Error("event=watchdog_skipped reason=\"storage writer silent for {} ms\"",
                 std::chrono::duration_cast<std::chrono::milliseconds>(writer_silence).count());
    }
    ScheduleWatchdog(interval);
  });
}

// The daemon's own series, and the storage writer's: storage::Writer keeps its counts in its
// Stats (storage/ knows nothing of metrics), read here at scrape time.
void Daemon::RegisterMetrics() {
  metrics_.AddGauge("herald_build_info", "Build information.")
      .With({{"version", std::string(herald::kVersion)}})
      .Set(1);
  metric_callbacks_.push_back(
      metrics_.AddCallbackGauge("herald_ready", "1 when the daemon is ready to serve.",
                                [this] { return Readiness().ok() ? 1.0 : 0.0; }));
  metric_callbacks_.push_back(metrics_.AddCallbackGauge(
      "herald_uptime_seconds", "Seconds since the daemon started.",
      [this] { return std::chrono::duration<double>(SteadyClock::now() - started_).count(); }));
  struct WriterSeries {
    const char* name;
    const char* help;
    std::uint64_t storage::WriterStats::*count;
  };
  using Stats = storage::WriterStats;
  static constexpr WriterSeries kWriterSeries[] = {
      {"herald_storage_batches_committed_total", "Write batches committed to SQLite.",
       &Stats::batches_committed},
      {"herald_storage_jobs_committed_total", "Write jobs committed to SQLite.",
       &Stats::jobs_committed},
      {"herald_storage_jobs_failed_total",
       "Write jobs not committed because storage failed (a commit, I/O or database error).",
       &Stats::jobs_failed},
      {"herald_storage_jobs_rejected_total",
       "Write jobs that refused their input (invalid, missing, duplicate, wrong state).",
       &Stats::jobs_rejected},
      {"herald_storage_commit_failures_total",
       "Write batches whose transaction could not begin or commit.", &Stats::commits_failed},
  };
  const storage::Store& store = *store_;
  for (const WriterSeries& series : kWriterSeries) {
    metric_callbacks_.push_back(
        metrics_.AddCallbackCounter(series.name, series.help, [&store, count = series.count] {
          return static_cast<double>(store.writer_stats().*count);
        }));
  }
}

Status Daemon::Readiness() const {
  return stopping_ ? Status(MakeError(ErrorCode::kUnavailable, "stopping")) : store_->CheckReady();
}

DaemonSnapshot Daemon::Snapshot() const {
  DaemonSnapshot snapshot;
  snapshot.version = std::string(herald::kVersion);
  Status ready = Readiness();
  snapshot.ready = ready.ok();
  if (!ready.ok()) snapshot.not_ready_reason = ready.error().message;
  snapshot.uptime_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started_).count();
  snapshot.schema_version = store_->schema_version();
  snapshot.listen = listen_address_;
  snapshot.storage_path = store_->location();
  snapshot.open_connections = server_->open_connections();
  return snapshot;
}

std::string Daemon::StatusText() const {
  return "ready; listening on " + listen_address_ + "; schema " +
         std::to_string(store_->schema_version());
}

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  config::Config config;
  if (options.config_path) {
    auto loaded = config::LoadConfigFile(*options.config_path);
    if (!loaded.ok()) {
      ConfigureLogging(config.log);
      for (const auto& error : loaded.errors)
        log::Critical("event=config_invalid error={}", log::Quoted(error.ToString()));
      notify::Status("invalid config: " + loaded.ErrorsToString());
      return 1;
    }
    config = *loaded.config;
  }
  ConfigureLogging(config.log);
  // The signals are handled by the io_context; a SIGPIPE from a closed peer must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  // Everything heraldd creates (database, WAL, token) holds personal data or secrets.
  ::umask(0077);
  Daemon daemon(options.config_path, std::move(config));
  return daemon.Run();
}

int CheckConfig(const std::filesystem::path& path, std::ostream& out, std::ostream& err) {
  auto loaded = config::LoadConfigFile(path);
  if (!loaded.ok()) {
    err << loaded.ErrorsToString() << '\n';
    return 1;
  }
  auto secrets = config::LoadSecrets(*loaded.config, config::ProcessEnvironment());
  if (!secrets.ok()) {
    err << path.string() << ": " << secrets.error().ToString() << '\n';
    return 1;
  }
  if (Status region = CheckRegion(*loaded.config); !region.ok()) {
    err << path.string() << ": " << region.error().ToString() << '\n';
    return 1;
  }
  std::vector<config::SecretFileWarning> warnings = std::move(secrets->warnings);
  if (secrets->admin_token.empty()) {  // the daemon would use (or create) the generated token
    if (auto warning = config::CheckSecretFileMode(GeneratedTokenPath(*loaded.config),
                                                   "generated admin token")) {
      warnings.push_back(std::move(*warning));
    }
  }
  for (const config::SecretFileWarning& warning : warnings) {
    err << path.string() << ": warning: " << warning.ToString() << '\n';
  }
  out << path.string() << ": OK" << (warnings.empty() ? "" : " (with warnings)") << '\n';
  return 0;
}

}  // namespace herald::daemon
