// provider/factory.h: the provider `[provider] kind` names, built from the config.
//
// Thread rules: call on the io_context's thread; the provider then follows provider.h's rules.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "provider/provider.h"
#include "provider/sandbox.h"

namespace boost::asio {
class io_context;
}

namespace herald::provider {

// `cloud_api_token` is config::Secrets::cloud_api_token (read by cloud_api only); `webhooks`
// receives the sandbox's status and reply webhook bodies (unused by cloud_api, whose statuses
// arrive at the webhook receiver); `clock` stamps the sandbox's webhooks. Errors name the config
// key at fault.
Result<std::unique_ptr<Provider>> MakeProvider(const config::ProviderConfig& config,
                                               boost::asio::io_context& io,
                                               const std::string& cloud_api_token,
                                               WebhookSink webhooks, const Clock& clock);

}  // namespace herald::provider
