#include "app/hook_transport.h"

#include <curl/curl.h>

#include <map>
#include <stdexcept>

namespace herald::app {
namespace {

struct Transfer {
  HookRequest request;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
};

// The answer's body is not kept: only the status counts.
std::size_t DiscardBody(char*, std::size_t size, std::size_t count, void*) { return size * count; }

std::string Describe(CURLcode code, const char* detail) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out";
    case CURLE_COULDNT_CONNECT:
      return "connection refused or unreachable";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve host";
    default:
      break;
  }
  std::string text = curl_easy_strerror(code);
  if (detail != nullptr && detail[0] != '\0') text += ": " + std::string(detail);
  return text;
}

}  // namespace

struct HookTransport::State {
  CURLM* multi = nullptr;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers;
};

HookTransport::HookTransport() : state_(std::make_unique<State>()) {
  static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (initialised != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  state_->multi = curl_multi_init();
  if (state_->multi == nullptr) throw std::runtime_error("curl_multi_init failed");
}

HookTransport::~HookTransport() {
  for (auto& [easy, transfer] : state_->transfers) {
    curl_multi_remove_handle(state_->multi, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(transfer->headers);
  }
  curl_multi_cleanup(state_->multi);
}

void HookTransport::Add(HookRequest request) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  CURL* h = curl_easy_init();
  if (h == nullptr) throw std::runtime_error("curl_easy_init failed");
  transfer->easy = h;
  for (const std::string& header : transfer->request.headers) {
    transfer->headers = curl_slist_append(transfer->headers, header.c_str());
  }
  const bool plain_http = transfer->request.url.starts_with("http://");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_URL, transfer->request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, transfer->headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, transfer->request.body.data());  // lives as long
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(transfer->request.body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &DiscardBody);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, transfer->error);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(transfer->request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, plain_http ? "http" : "https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "herald-hooks");
  curl_easy_setopt(h, CURLOPT_PRIVATE, transfer.get());
  curl_multi_add_handle(state_->multi, h);
  state_->transfers.emplace(h, std::move(transfer));
}

std::vector<HookResponse> HookTransport::Poll(std::chrono::milliseconds wait) {
  int running = 0;
  curl_multi_perform(state_->multi, &running);
  curl_multi_poll(state_->multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  curl_multi_perform(state_->multi, &running);
  std::vector<HookResponse> finished;
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(state_->multi, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    auto found = state_->transfers.find(easy);
    if (found == state_->transfers.end()) continue;
    Transfer& transfer = *found->second;
    HookResponse response;
    response.id = transfer.request.id;
    if (message->data.result != CURLE_OK) {
      response.error = Describe(message->data.result, transfer.error);
    } else {
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.http_status);
      if (response.http_status < 200 || response.http_status > 299) {
        response.error = "HTTP " + std::to_string(response.http_status);
      }
    }
    finished.push_back(std::move(response));
    curl_multi_remove_handle(state_->multi, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(transfer.headers);
    state_->transfers.erase(found);
  }
  return finished;
}

void HookTransport::Wakeup() { curl_multi_wakeup(state_->multi); }

std::size_t HookTransport::running() const { return state_->transfers.size(); }

}  // namespace herald::app
