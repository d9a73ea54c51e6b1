// app/hook_transport.h: the HTTP side of the outbound event hooks: POSTs through a libcurl multi
// handle, several at once, driven by the hooks' delivery thread (never the network thread). No
// redirects are followed (a 3xx is a failed attempt); http:// is used only for URLs the config
// accepted as loopback (config::CheckHookUrl); TLS peers and host names are verified.
//
// Thread rules: everything on the one thread that owns the transport, except Wakeup (any thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace herald::app {

struct HookRequest {
  std::int64_t id = 0;  // the caller's: handed back with the response
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::chrono::milliseconds timeout{};
};

struct HookResponse {
  std::int64_t id = 0;
  long http_status = 0;  // 0: no HTTP answer (see error)
  std::string error;     // empty for a 2xx; else "HTTP 503", "timed out", "connection refused", …
  bool ok() const { return error.empty(); }
};

class HookTransport {
 public:
  HookTransport();
  ~HookTransport();  // abandons transfers still running
  HookTransport(const HookTransport&) = delete;
  HookTransport& operator=(const HookTransport&) = delete;

  void Add(HookRequest request);
  // Runs the transfers, waiting at most `wait` for one to make progress (or for Wakeup), and
  // returns those that finished.
  std::vector<HookResponse> Poll(std::chrono::milliseconds wait);
  // Ends a Poll early. Any thread.
  void Wakeup();
  std::size_t running() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace herald::app
