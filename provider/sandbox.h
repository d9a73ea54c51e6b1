// provider/sandbox.h: a provider with no network that behaves like the platform, so a fresh
// machine can run whole campaigns without an account ([provider] kind = "sandbox", the default).
//
// Each send is answered after `latency` (±50%): 131000 (HTTP 500) for a share of
// transient_error_rate, 130429 (HTTP 400) above `throughput` messages per second per number
// (counted in the clock's one-second windows), 131056 for a second message to the same recipient
// within `pair_interval`, else accepted with a wamid. An accepted message then gets the statuses
// the platform would send, each `status_delay` (±50%) after the last: sent; delivered, or failed
// with 131026 (undeliverable_rate); read (read_rate of delivered); and an inbound reply (reply_rate
// of read), "STOP" for stop_rate of them. Statuses and replies go to `webhooks` as the platform's
// webhook JSON (provider/detail/webhook_json.h), so they take the same path as real webhooks.
// Webhook timestamps come from `clock`.
//
// Seeded: every outcome is drawn at Send, in order, from `seed`; the same seed, clock readings
// and sends give the same answers, message ids and webhook bodies (their order in time follows
// the drawn delays). Pricing: templates are billed as "marketing" (a Message carries no template
// category), free-form text as free customer service. The webhook's account id is "sandbox" and
// the display number is the phone_number_id.
//
// Memory: an accepted message's statuses are a record of about 110 bytes and one 24-byte heap
// entry until its last status (not a closure and a copy of the message per status: a 1M-message
// campaign with statuses an hour away held about 1 KB per message). At most
// `SandboxLimits::max_pending_statuses` messages have statuses pending; the statuses of messages
// accepted beyond that are not simulated (their answers are as usual), counted in
// shed_statuses() and logged once (event=sandbox_statuses_shed), so a long status_delay at a high
// rate cannot grow the daemon without bound.
//
// Thread rules: as Provider (provider.h): construct, Send and Stop on the io_context's thread;
// `webhooks` runs there too, and so do pending_statuses() and shed_statuses(); in_flight() from
// any thread. One timer on the io_context, no threads. Destroy it before the io_context;
// destruction Stops it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "config/config.h"
#include "provider/provider.h"

namespace boost::asio {
class io_context;
}

namespace herald::provider {

// Receives a webhook body exactly as the platform would POST it.
using WebhookSink = std::function<void(std::string webhook_body)>;

struct SandboxLimits {
  // Accepted messages whose statuses may be pending at once: about 13 MB at the default.
  std::size_t max_pending_statuses = 100'000;
};

class SandboxProvider final : public Provider {
 public:
  SandboxProvider(boost::asio::io_context& io, config::SandboxConfig config, WebhookSink webhooks,
                  const Clock& clock, SandboxLimits limits = {});
  ~SandboxProvider() override;
  SandboxProvider(const SandboxProvider&) = delete;
  SandboxProvider& operator=(const SandboxProvider&) = delete;

  std::string_view kind() const override { return "sandbox"; }
  void Send(Message message, Done done) override;
  std::size_t in_flight() const override;
  // Unanswered sends get kUncertain (the simulated request had left); no webhooks follow.
  void Stop() override;

  // Accepted messages whose statuses are still to come, and those whose statuses were shed.
  std::size_t pending_statuses() const;
  std::uint64_t shed_statuses() const;

  class Impl;  // defined in sandbox.cc

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace herald::provider
