// Drives a libcurl multi handle from an Asio io_context, with no thread per request and no thread
// of its own (the pattern of curl's docs/examples/multi-event.c and ephiperfifo.c):
// - libcurl's socket callback puts each socket it names, with the events it wants, into a private
//   level-triggered epoll set; the io_context waits on that set's descriptor. When it is ready,
//   the ready sockets are handed to curl_multi_socket_action, and the set is polled again
//   (without waiting) until it has nothing ready: the io_context's own epoll is edge-triggered, so
//   a socket libcurl did not drain would otherwise never be reported again.
// - libcurl's timer callback sets one non-repeating steady_timer (-1 cancels it).
// - Neither callback calls libcurl: they only record what libcurl asked for. libcurl is called
//   from Asio handlers only, and after every curl_multi_socket_action the finished transfers are
//   drained from curl_multi_info_read and reported through `Finished`.
//
// Thread rules: every method, and `Finished`, on the io_context's thread. `Finished` may Remove
// the finished handle and Add others; it must not destroy the CurlMulti.
#pragma once

#include <curl/curl.h>

#include <functional>
#include <memory>

#include "common/result.h"

namespace boost::asio {
class io_context;
}

namespace herald::provider::detail {

class CurlMulti {
 public:
  using Finished = std::function<void(CURL* easy, CURLcode result)>;

  // `max_connections` bounds libcurl's connection cache (kept-alive connections for reuse).
  static Result<std::unique_ptr<CurlMulti>> Create(boost::asio::io_context& io, Finished finished,
                                                   long max_connections);
  ~CurlMulti();  // the owner removes its easy handles first
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts a transfer (curl_multi_add_handle); it runs once the io_context runs.
  Status Add(CURL* easy);
  // Ends a transfer, finished or not (curl_multi_remove_handle).
  void Remove(CURL* easy);

  class State;  // defined in curl_multi.cc

 private:
  explicit CurlMulti(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace herald::provider::detail
