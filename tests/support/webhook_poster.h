// The platform's side of webhooks, for tests and benchmarks: posts notifications to a Herald
// listener signed with the app secret (X-Hub-Signature-256) and, like the platform, sends a
// request again until it is answered 200 (a refused connection, a daemon killed mid-request, a
// 5xx). Bodies are built from the same shapes the platform uses (reference/whatsapp.md).
//
// Thread rules: a poster is a plain value; PostUntilAccepted blocks (one request at a time).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace herald::testing {

// {"object":"whatsapp_business_account","entry":[{"id":…,"changes":[{"field":"messages",
// "value":{…,"statuses":[ `statuses` ]}}]}]} for business number `phone_number_id`.
std::string StatusNotification(const std::string& phone_number_id, const std::string& statuses);
// One status object: {"id":wamid,"status":…,"timestamp":"…","recipient_id":…} plus `extra`
// members (`,"errors":[…]`).
std::string StatusObject(const std::string& wamid, const std::string& status,
                         std::int64_t unix_seconds, const std::string& extra = {});

class WebhookPoster {
 public:
  // `port` may change (a restarted daemon): it is asked for before every attempt.
  WebhookPoster(std::function<int()> port, std::string app_secret)
      : port_(std::move(port)), app_secret_(std::move(app_secret)) {}

  // Posts `body` until a 200 comes back or `deadline` passes; false then. Counts the attempts.
  bool PostUntilAccepted(const std::string& body, std::chrono::steady_clock::time_point deadline);

  std::uint64_t attempts() const { return attempts_; }
  std::uint64_t retries() const { return retries_; }

 private:
  std::function<int()> port_;
  std::string app_secret_;
  std::uint64_t attempts_ = 0;
  std::uint64_t retries_ = 0;
};

}  // namespace herald::testing
