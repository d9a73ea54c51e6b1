// The `server.listen` address: "host:port" with an IP literal or "localhost" as host.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace herald::config::detail {

struct ListenAddress {
  std::string host;  // without brackets: "127.0.0.1", "::1", "localhost"
  std::uint16_t port = 0;
};

// Accepts "127.0.0.1:8420", "[::1]:8420", "localhost:0". IPv6 needs brackets so that the port is
// unambiguous; host names other than "localhost" are refused because the daemon binds, it does
// not resolve.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace herald::config::detail
