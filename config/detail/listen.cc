#include "config/detail/listen.h"

#include <arpa/inet.h>

#include <charconv>

namespace herald::config::detail {
namespace {

constexpr std::string_view kExamples = R"(e.g. "127.0.0.1:8420" or "[::1]:8420")";

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<std::uint16_t> ParsePort(std::string_view port) {
  unsigned value = 0;
  const char* end = port.data() + port.size();
  auto [stop, error] = std::from_chars(port.data(), end, value);
  if (port.empty() || error != std::errc() || stop != end || value > 65535) {
    return Invalid("invalid port \"" + std::string(port) + "\"; expected a number from 0 to 65535");
  }
  return static_cast<std::uint16_t>(value);
}

bool IsIpLiteral(const std::string& host, int family) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(family, host.c_str(), buffer) == 1;
}

Result<std::string> ParseHost(std::string_view host, bool bracketed) {
  const std::string text(host);
  if (bracketed) {
    if (IsIpLiteral(text, AF_INET6)) return text;
    return Invalid("invalid IPv6 address \"" + text + "\" in brackets");
  }
  if (text.find(':') != std::string::npos) {
    return Invalid("IPv6 addresses must be in brackets, e.g. \"[::1]:8420\"");
  }
  if (text == "localhost" || IsIpLiteral(text, AF_INET)) return text;
  if (text.empty()) return Invalid("missing host; use \"0.0.0.0\" to listen on every IPv4 address");
  return Invalid("invalid host \"" + text +
                 "\"; expected an IPv4 address, an IPv6 address in brackets, or \"localhost\"");
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  const bool bracketed = text.starts_with('[');
  const std::size_t close = text.find(']');
  const bool well_formed = bracketed ? (close != std::string_view::npos && colon == close + 1)
                                     : colon != std::string_view::npos;
  if (!well_formed) {
    return Invalid("invalid address \"" + std::string(text) + "\"; expected host:port, " +
                   std::string(kExamples));
  }
  auto host = bracketed ? ParseHost(text.substr(1, close - 1), true)
                        : ParseHost(text.substr(0, colon), false);
  if (!host) return std::move(host).error();
  auto port = ParsePort(text.substr(colon + 1));
  if (!port) return std::move(port).error();
  return ListenAddress{std::move(host).value(), *port};
}

}  // namespace herald::config::detail
