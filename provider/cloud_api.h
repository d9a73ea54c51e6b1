// provider/cloud_api.h: the WhatsApp Cloud API provider. POST
// {base_url}/{api_version}/{phone_number_id}/messages with the platform's JSON (ToCloudApiJson),
// over libcurl's multi interface driven by the daemon's io_context (provider/detail/curl_multi.h):
// no thread per request, kept-alive connections, HTTP/2 multiplexing where the server offers it
// (TLS with ALPN; PIPEWAIT, so concurrent sends share a connection instead of each opening one).
//
// Limits: at most `max_in_flight` transfers are handed to libcurl at once; later sends wait in
// order, and their `request_timeout` runs from Send, waiting included (one that expires before it
// got a slot is kNotSent). TLS certificates and host names are always verified; plain http:// is
// accepted only for a loopback host (config::CheckCloudApiBaseUrl), for tests.
//
// At most once: the platform has no idempotency key, so a request is never sent twice by this
// class. libcurl re-sends a request on its own when a reused connection dies before any answer
// ("Connection died, retrying a fresh connect"); a CURLOPT_PREREQFUNCTION, called before each
// request libcurl makes, lets the first through and aborts any other, so such a send ends
// kUncertain instead of reaching the platform twice. A send whose request libcurl never started is
// kNotSent (no connection, TLS failed, timed out before); see provider/detail/cloud_api_answer.h.
//
// Thread rules: as Provider (provider.h): construct, Send and Stop on the io_context's thread;
// in_flight() from any thread. Destroy it before the io_context; destruction Stops it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "provider/provider.h"

namespace boost::asio {
class io_context;
}

namespace herald::provider {

struct CloudApiOptions {
  std::string base_url = "https://graph.facebook.com";
  std::string api_version = "v23.0";
  std::string access_token;  // never logged, never in a SendResult
  std::size_t max_in_flight = 256;
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};

  static CloudApiOptions FromConfig(const config::CloudApiConfig& config, std::string access_token);
};

class CloudApiProvider final : public Provider {
 public:
  // Fails (kInvalidArgument, naming the config key) on a base_url that is not https:// or a
  // loopback http://, an empty token, or max_in_flight 0.
  static Result<std::unique_ptr<CloudApiProvider>> Create(boost::asio::io_context& io,
                                                          CloudApiOptions options);
  ~CloudApiProvider() override;
  CloudApiProvider(const CloudApiProvider&) = delete;
  CloudApiProvider& operator=(const CloudApiProvider&) = delete;

  std::string_view kind() const override { return "cloud_api"; }
  void Send(Message message, Done done) override;
  std::size_t in_flight() const override;
  void Stop() override;

  // Of in_flight(): transfers libcurl has now, and sends waiting for a slot (io_context thread).
  std::size_t transfers() const;
  std::size_t waiting() const;

  class Impl;  // defined in cloud_api.cc

 private:
  explicit CloudApiProvider(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace herald::provider
