#include "provider/factory.h"

#include <boost/asio/io_context.hpp>

#include "common/log.h"
#include "provider/cloud_api.h"

namespace herald::provider {

Result<std::unique_ptr<Provider>> MakeProvider(const config::ProviderConfig& config,
                                               boost::asio::io_context& io,
                                               const std::string& cloud_api_token,
                                               WebhookSink webhooks, const Clock& clock) {
  if (config.kind == config::ProviderKind::kSandbox) {
    log::Info("event=provider_ready kind={} seed={} throughput={}", log::Quoted("sandbox"),
              config.sandbox.seed, config.sandbox.throughput);
    return std::unique_ptr<Provider>(
        std::make_unique<SandboxProvider>(io, config.sandbox, std::move(webhooks), clock));
  }
  auto provider =
      CloudApiProvider::Create(io, CloudApiOptions::FromConfig(config.cloud_api, cloud_api_token));
  if (!provider) return std::move(provider).error();
  log::Info("event=provider_ready kind={} base_url={} api_version={} max_in_flight={}",
            log::Quoted("cloud_api"), log::Quoted(config.cloud_api.base_url),
            log::Quoted(config.cloud_api.api_version), config.cloud_api.max_in_flight);
  return std::unique_ptr<Provider>(std::move(provider).value());
}

}  // namespace herald::provider
