// libFuzzer target: the webhook parser (webhooks/notification.h) and the signature check
// (webhooks/signature.h) must never crash, hang or read out of bounds on any body the internet can
// send, and what the parser accepts must keep its promises: every status has an id, a status and a
// timestamp within years 1970-9999; every inbound message an id and a sender; the summary names
// every event. The signature check must refuse anything not signed with the secret, and accept the
// body's own signature.
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DHERALD_FUZZ=ON
//     -DHERALD_BUILD_TESTS=OFF -DHERALD_BUILD_BENCH=OFF
//   ninja -C build-fuzz webhook_fuzz &&
//     build-fuzz/tests/fuzz/webhook_fuzz -max_total_time=600 tests/fuzz/corpus/webhook
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "webhooks/notification.h"
#include "webhooks/signature.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  using herald::webhooks::SignatureCheck;

  // The signature: a header made of the input's first bytes never validates under another
  // secret, and the body's own signature always does.
  constexpr std::string_view kSecret = "fuzz-app-secret";
  const std::string_view header = body.substr(0, std::min<std::size_t>(body.size(), 71));
  Check(herald::webhooks::CheckSignature(kSecret, body, header) != SignatureCheck::kValid ||
        header == herald::webhooks::SignBody(kSecret, body));
  Check(herald::webhooks::CheckSignature(
            kSecret, body, herald::webhooks::SignBody(kSecret, body)) == SignatureCheck::kValid);

  auto parsed = herald::webhooks::ParseNotification(body);
  if (!parsed.ok()) {
    Check(!parsed.error().message.empty());
    return 0;
  }
  const auto year_9999 = herald::SysTime(std::chrono::seconds(253402300799));
  for (const auto& status : parsed->statuses) {
    Check(!status.message_id.empty() && !status.status.empty());
    Check(status.timestamp >= herald::SysTime() && status.timestamp <= year_9999);
  }
  for (const auto& message : parsed->messages) {
    Check(!message.message_id.empty() && !message.from.empty());
    Check(message.timestamp >= herald::SysTime() && message.timestamp <= year_9999);
  }
  const std::string summary = herald::webhooks::Summarise(*parsed);
  Check(!summary.empty());
  Check(parsed->statuses.empty() || summary.find("statuses=") != std::string::npos);
  Check(parsed->messages.empty() || summary.find("messages=") != std::string::npos);
  return 0;
}
