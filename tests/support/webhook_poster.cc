#include "tests/support/webhook_poster.h"

#include <thread>

#include "tests/support/daemon_process.h"
#include "webhooks/signature.h"

namespace herald::testing {

std::string StatusNotification(const std::string& phone_number_id, const std::string& statuses) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[{"field":)"
         R"("messages","value":{"messaging_product":"whatsapp","metadata":{)"
         R"("display_phone_number":"4930123","phone_number_id":")" +
         phone_number_id + R"("},"statuses":[)" + statuses + "]}}]}]}";
}

std::string StatusObject(const std::string& wamid, const std::string& status,
                         std::int64_t unix_seconds, const std::string& extra) {
  return R"({"id":")" + wamid + R"(","status":")" + status + R"(","timestamp":")" +
         std::to_string(unix_seconds) + R"(","recipient_id":"4915100000001")" + extra + "}";
}

bool WebhookPoster::PostUntilAccepted(const std::string& body,
                                      std::chrono::steady_clock::time_point deadline) {
  const HttpHeaders headers = {{"X-Hub-Signature-256", webhooks::SignBody(app_secret_, body)},
                               {"Content-Type", "application/json"}};
  for (bool first = true;; first = false) {
    if (!first) ++retries_;
    ++attempts_;
    const int port = port_();
    if (port > 0) {
      const HttpResult result = HttpRequest(port, "POST", "/webhooks/whatsapp", {}, body,
                                            std::chrono::seconds(5), headers);
      if (result.status == 200) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace herald::testing
