// Helpers for the provider tests: messages, and running an io_context until a condition holds.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "provider/provider.h"

namespace herald::provider::testing {

inline Message TemplateMessage(std::string to, std::string callback_data = "") {
  Message message;
  message.delivery = DeliveryId{42};
  message.phone_number_id = "1234567890";
  message.to = std::move(to);
  message.content = TemplateContent{"spring_sale", "de", {}, {{"", "Anna"}, {"", "20%"}}};
  message.callback_data = std::move(callback_data);
  return message;
}

inline Message TextMessage(std::string to, std::string body) {
  Message message;
  message.delivery = DeliveryId{7};
  message.phone_number_id = "1234567890";
  message.to = std::move(to);
  message.content = TextContent{std::move(body), false};
  return message;
}

// Runs `io` until `done()` holds; false after `timeout`.
inline bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_one_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Runs `io` for `duration` (to see that nothing more happens).
inline void RunFor(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
}

}  // namespace herald::provider::testing
