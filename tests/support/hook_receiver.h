// A receiver of Herald's outbound event hooks for tests (docs/hooks.md): an HTTP/1.1 server on
// loopback (Boost.Beast, one thread per connection) that checks every request the way a receiver
// should: X-Herald-Signature against its own HMAC-SHA256 of "<X-Herald-Timestamp>.<body>" (OpenSSL,
// computed here independently of Herald's code) and the timestamp within five minutes of now. It
// answers 200 to good requests, 401 to badly signed or stale ones, and can fail on purpose: the
// first `fail_first` requests, or every one (`always_fail`), answered 500.
//
// Thread rules: its own threads; every public method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace herald::testing {

struct ReceivedHook {
  std::string event;     // X-Herald-Event
  std::string event_id;  // X-Herald-Event-Id
  std::string attempt;   // X-Herald-Attempt
  std::string body;
  bool signature_valid = false;
  bool fresh = false;  // the timestamp is within five minutes of now
  int answered = 0;    // the status it was answered with
};

class HookReceiver {
 public:
  explicit HookReceiver(std::string secret);
  ~HookReceiver();  // Stop()
  HookReceiver(const HookReceiver&) = delete;
  HookReceiver& operator=(const HookReceiver&) = delete;

  // "http://127.0.0.1:<port>/events"
  std::string url() const;
  void SetFailFirst(int count);
  void SetAlwaysFail(bool fail);
  std::vector<ReceivedHook> Received() const;
  // Those answered 200.
  std::vector<ReceivedHook> Accepted() const;
  // Waits (polling, up to `timeout`) until `count` requests were answered 200.
  bool WaitForAccepted(std::size_t count,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  bool WaitForReceived(std::size_t count,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  void Stop();

  // The checks themselves, for tests of them.
  static std::string Sign(const std::string& secret, const std::string& timestamp,
                          const std::string& body);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace herald::testing
