// libFuzzer target: the HTTP API behind the router (every handler, the real services, a real
// SQLite file) answers every request exactly once, with a status in 200..599, a JSON error body
// for every 4xx/5xx, and never a 500; it never crashes, hangs or leaks. The request is built as
// the HTTP server builds it (http_server.cc), so no transport is involved: the fuzzer's thread is
// the network thread, and the services answer from their own threads as in the daemon.
//
// Once, on the first input: a temporary directory (also TMPDIR, so spooled uploads and exports go
// there) with herald.db, the store, the contact and compliance services and every route,
// registered as daemon/daemon.cc does. The database keeps what earlier inputs wrote (contacts,
// tags, word lists, templates), which is how handlers get to see data; a crash found late in a
// run may therefore need the inputs before it (replay the corpus, then the crash).
//
// Input (all of it optional; missing bytes read as 0):
//   byte 0   the route: kRoutes[b % size] when b < 0xF0; else a free target (a line, below)
//   byte 1   bits 0-2: method: 0-5 the route's, 6 kOtherMethods[bits 6-7], 7 a line
//            bits 3-4: Authorization: 0-1 "Bearer <token>", 2 "bearer <token>", 3 a line
//            bit 5:    the route's {params} percent-encoded (every byte not unreserved)
//            bit 6-7:  with method 6, which other method; else X-Herald-Actor from a line
//   then lines ('\n'), taken in this order when needed: the method, the Authorization header, the
//   free target, one per {param} of the route, the query string, the actor; the rest is the
//   body (at most 64 KiB). For POST /v1/contacts/imports a non-empty body is spooled to a
//   temporary file as the server does, and the fuzzer waits until the import has ended.
//
// Build and run (clang; the sanitizers cover every library, see the top CMakeLists.txt):
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
//     -DHERALD_FUZZ=ON -DHERALD_BUILD_TESTS=OFF -DHERALD_BUILD_BENCH=OFF
//   ninja -C build-fuzz -j2 http_fuzz
//   mkdir -p /tmp/http-corpus && cp tests/fuzz/corpus/http/* /tmp/http-corpus/
//   build-fuzz/tests/fuzz/http_fuzz -max_total_time=600 -rss_limit_mb=4096 -timeout=30
//     /tmp/http-corpus
// The seeds in tests/fuzz/corpus/http/ are written by tests/fuzz/corpus/make_http_seeds.sh.
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/compliance_service.h"
#include "app/contact_service.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/temp_file.h"
#include "config/config.h"
#include "http/admin_api.h"
#include "http/contacts_api.h"
#include "http/imports_api.h"
#include "http/router.h"
#include "http/segments_api.h"
#include "http/tags_api.h"
#include "http/templates_api.h"
#include "http/wordlists_api.h"
#include "storage/store.h"

namespace {

using namespace herald;
using std::chrono::steady_clock;

constexpr std::string_view kToken = "fuzz-admin-token-0123456789";
constexpr std::size_t kMaxBody = 64 * 1024;
// A handler that has not answered by then never will: that is a bug, not a slow input.
constexpr auto kAnswerTimeout = std::chrono::seconds(10);
constexpr auto kImportTimeout = std::chrono::seconds(20);

struct RouteTemplate {
  std::string_view method;
  std::string_view pattern;
};

// Every route the daemon registers (daemon/daemon.cc), in its order. Checked against the router at
// start-up: a route listed here that the router does not know aborts the fuzzer.
constexpr RouteTemplate kRoutes[] = {
    {"GET", "/healthz"},
    {"GET", "/readyz"},
    {"GET", "/metrics"},
    {"GET", "/v1/status"},
    {"POST", "/v1/contacts/imports"},
    {"GET", "/v1/contacts/imports"},
    {"GET", "/v1/contacts/imports/{id}"},
    {"GET", "/v1/contacts/imports/{id}/rejects"},
    {"GET", "/v1/contacts/{phone}"},
    {"DELETE", "/v1/contacts/{phone}"},
    {"POST", "/v1/contacts/{phone}/tags"},
    {"POST", "/v1/tags/apply"},
    {"POST", "/v1/tags/{name}/rename"},
    {"DELETE", "/v1/tags/{name}"},
    {"POST", "/v1/segments/preview"},
    {"POST", "/v1/segments/export"},
    {"GET", "/v1/segments"},
    {"GET", "/v1/segments/{name}"},
    {"PUT", "/v1/segments/{name}"},
    {"DELETE", "/v1/segments/{name}"},
    {"GET", "/v1/wordlists"},
    {"GET", "/v1/wordlists/{name}"},
    {"GET", "/v1/wordlists/{name}/versions"},
    {"GET", "/v1/wordlists/{name}/csv"},
    {"PUT", "/v1/wordlists/{name}/csv"},
    {"POST", "/v1/wordlists"},
    {"POST", "/v1/wordlists/{name}/terms"},
    {"POST", "/v1/wordlists/{name}/terms/remove"},
    {"POST", "/v1/wordlists/test"},
    {"GET", "/v1/templates"},
    {"PUT", "/v1/templates/{name}/{language}"},
};
constexpr std::string_view kOtherMethods[] = {"GET", "POST", "PATCH", "HEAD"};

[[noreturn]] void Fail(const std::string& what, const http::Request& request) {
  std::fprintf(stderr, "http_fuzz: %s\n  request: %s %s%s%s (body %zu bytes)\n", what.c_str(),
               request.method.c_str(), request.path.c_str(), request.query.empty() ? "" : "?",
               request.query.c_str(), request.body.size());
  std::abort();
}

// The daemon's components, built once and stopped at exit (so that LeakSanitizer sees them
// freed, and the temporary directory goes).
struct Environment {
  std::filesystem::path directory;
  metrics::Registry metrics;
  SystemClock clock;
  config::Config config;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<app::ContactService> contacts;
  std::unique_ptr<app::ComplianceService> compliance;
  http::Router router;

  ~Environment() {
    if (contacts) contacts->Stop(steady_clock::now() + std::chrono::seconds(5));
    if (compliance) compliance->Stop();
    if (store) store->Stop();
    compliance.reset();
    contacts.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory, ignored);
  }
};

Environment* environment = nullptr;

void StopEnvironment() {
  delete environment;
  environment = nullptr;
}

[[noreturn]] void StartFailed(const std::string& what) {
  std::fprintf(stderr, "http_fuzz: cannot start: %s\n", what.c_str());
  std::abort();
}

std::string FillPattern(std::string_view pattern, std::string_view value) {
  std::string path;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      path += value;
      i = pattern.find('}', i) + 1;
    } else {
      path += pattern[i++];
    }
  }
  return path;
}

Environment& Start() {
  auto env = std::make_unique<Environment>();
  char directory_template[] = "/tmp/herald-http-fuzz-XXXXXX";
  if (::mkdtemp(directory_template) == nullptr) StartFailed("mkdtemp");
  env->directory = directory_template;
  // TempFile puts spooled uploads, exports and rejects in the temporary directory: ours.
  ::setenv("TMPDIR", directory_template, 1);
  spdlog::set_level(spdlog::level::err);

  const config::Config& config = env->config;  // the embedded defaults, as heraldd without a file
  auto store = storage::Store::Open({env->directory / "herald.db", config.storage.busy_timeout,
                                     config.storage.max_batch, config.storage.cache_bytes});
  if (!store.ok()) StartFailed(store.error().ToString());
  env->store = std::move(store).value();
  env->contacts = std::make_unique<app::ContactService>(*env->store, env->clock,
                                                        config.contacts.max_running_imports);
  if (Status started = env->contacts->Start(); !started.ok()) {
    StartFailed(started.error().ToString());
  }
  env->compliance = std::make_unique<app::ComplianceService>(
      *env->store, env->clock, env->metrics, app::FilterOptionsFromConfig(config.compliance));
  if (Status started = env->compliance->Start(app::PolicyFromConfig(config.compliance));
      !started.ok()) {
    StartFailed(started.error().ToString());
  }

  Environment* raw = env.get();
  http::Router& router = env->router;
  router.SetAdminToken(std::string(kToken));
  http::RegisterAdminRoutes(router, env->metrics, [raw] {
    http::DaemonSnapshot snapshot;
    snapshot.version = "fuzz";
    Status ready = raw->store->CheckReady();
    snapshot.ready = ready.ok();
    if (!ready.ok()) snapshot.not_ready_reason = ready.error().message;
    snapshot.schema_version = raw->store->schema_version();
    snapshot.listen = "127.0.0.1:0";
    snapshot.storage_path = raw->store->location();
    return snapshot;
  });
  auto default_region = [raw] { return raw->config.contacts.default_region; };
  http::RegisterImportsApi(router, *env->contacts, default_region);
  http::RegisterContactsApi(router, *env->contacts, default_region);
  http::RegisterTagsApi(router, *env->contacts);
  http::RegisterSegmentsApi(router, *env->contacts);
  http::RegisterWordListsApi(router, *env->compliance);
  http::RegisterTemplatesApi(router, *env->compliance);

  for (const RouteTemplate& route : kRoutes) {
    auto info = router.Lookup(route.method, FillPattern(route.pattern, "x"));
    if (info.pattern != route.pattern || info.method != route.method) {
      StartFailed("the router has no route " + std::string(route.method) + " " +
                  std::string(route.pattern) + ": update kRoutes");
    }
  }
  environment = env.release();
  std::atexit(StopEnvironment);
  return *environment;
}

// Reads the input front to back; what is missing reads as 0 or empty.
class InputReader {
 public:
  InputReader(const std::uint8_t* data, std::size_t size)
      : text_(reinterpret_cast<const char*>(data), size) {}

  std::uint8_t Byte() {
    if (text_.empty()) return 0;
    auto byte = static_cast<std::uint8_t>(text_.front());
    text_.remove_prefix(1);
    return byte;
  }
  std::string_view Line() {
    std::size_t end = text_.find('\n');
    std::string_view line = text_.substr(0, end);
    text_.remove_prefix(end == std::string_view::npos ? text_.size() : end + 1);
    return line;
  }
  std::string_view Rest() const { return text_.substr(0, kMaxBody); }

 private:
  std::string_view text_;
};

// What Beast accepts in a request target: any octet but controls, space and DEL.
std::string TargetChars(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte > 0x20 && byte != 0x7F) out += c;
  }
  return out;
}

// What Beast hands over as a header value: no controls but HTAB, no surrounding white space.
std::string HeaderValue(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte >= 0x20 && byte != 0x7F) || c == '\t') out += c;
  }
  std::size_t first = out.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(" \t") - first + 1);
}

// A method token (RFC 9110 tchar); Beast refuses anything else before a handler runs.
std::string MethodToken(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) ||
        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos) {
      out += c;
    }
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

struct Decoded {
  http::Request request;
  bool authorized = false;  // carries the admin token
};

Decoded Decode(const std::uint8_t* data, std::size_t size) {
  InputReader in(data, size);
  const std::uint8_t route_byte = in.Byte();
  const std::uint8_t flags = in.Byte();
  const bool free_target = route_byte >= 0xF0;
  const RouteTemplate& route = kRoutes[route_byte % std::size(kRoutes)];

  Decoded decoded;
  http::Request& request = decoded.request;
  const unsigned method_choice = flags & 7;
  request.method = std::string(route.method);
  if (method_choice == 6) request.method = std::string(kOtherMethods[flags >> 6]);
  if (method_choice == 7) {
    std::string token = MethodToken(in.Line());
    if (!token.empty()) request.method = std::move(token);
  }
  switch ((flags >> 3) & 3) {
    case 0:
    case 1:
      request.authorization = "Bearer " + std::string(kToken);
      break;
    case 2:
      request.authorization = "bearer " + std::string(kToken);
      break;
    default:
      request.authorization = HeaderValue(in.Line());
  }
  decoded.authorized = request.authorization.size() == 7 + kToken.size() &&
                       request.authorization.substr(7) == kToken &&
                       (request.authorization.starts_with("Bearer ") ||
                        request.authorization.starts_with("bearer "));

  std::string target;
  if (free_target) {
    target = TargetChars(in.Line());
  } else {
    std::string_view pattern = route.pattern;
    std::size_t i = 0;
    while (i < pattern.size()) {
      if (pattern[i] != '{') {
        target += pattern[i++];
        continue;
      }
      std::string_view value = in.Line();
      target += (flags & 0x20) != 0 ? PercentEncode(value) : TargetChars(value);
      i = pattern.find('}', i) + 1;
    }
    if (std::string query = TargetChars(in.Line()); !query.empty()) target += "?" + query;
  }
  // As http_server.cc's ToRequestHeader splits the target.
  std::size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) request.query = target.substr(question + 1);
  if (method_choice != 6 && (flags >> 6) != 0) request.actor = HeaderValue(in.Line());
  request.body = std::string(in.Rest());

  request.headers.emplace_back("Host", "127.0.0.1");
  if (!request.authorization.empty()) {
    request.headers.emplace_back("Authorization", request.authorization);
  }
  if (!request.actor.empty()) request.headers.emplace_back("X-Herald-Actor", request.actor);
  return decoded;
}

// One request's answers. The responder's last copy going away sets `released`: after that no
// answer can come, so "exactly once" is checked, not sampled.
struct Exchange {
  std::mutex mutex;
  std::condition_variable changed;
  int answers = 0;
  bool released = false;
  http::Response response;
};

struct ReleaseNotice {
  explicit ReleaseNotice(std::shared_ptr<Exchange> of) : exchange(std::move(of)) {}
  ReleaseNotice(const ReleaseNotice&) = delete;
  ReleaseNotice& operator=(const ReleaseNotice&) = delete;
  std::shared_ptr<Exchange> exchange;
  ~ReleaseNotice() {
    std::lock_guard lock(exchange->mutex);
    exchange->released = true;
    exchange->changed.notify_all();
  }
};

http::Response DispatchAndWait(const http::Router& router, http::Request request) {
  auto exchange = std::make_shared<Exchange>();
  auto notice = std::make_shared<ReleaseNotice>(exchange);
  const http::Request copy = request;
  router.Dispatch(std::move(request), [notice](http::Response response) {
    Exchange& ex = *notice->exchange;
    std::lock_guard lock(ex.mutex);
    if (++ex.answers == 1) ex.response = std::move(response);
    ex.changed.notify_all();
  });
  notice.reset();
  std::unique_lock lock(exchange->mutex);
  if (!exchange->changed.wait_for(lock, kAnswerTimeout, [&] { return exchange->released; })) {
    Fail(exchange->answers == 0
             ? "no answer within 10 s: the handler never called its Responder"
             : "the Responder was still held 10 s after the answer (a copy kept alive)",
         copy);
  }
  if (exchange->answers != 1) {
    Fail("the Responder was called " + std::to_string(exchange->answers) + " times", copy);
  }
  return std::move(exchange->response);
}

// The promises every answer keeps, whatever the request.
void CheckResponse(const http::Request& request, bool authorized, const http::Response& response) {
  if (response.status < 200 || response.status > 599) {
    Fail("status " + std::to_string(response.status) + " outside 200..599", request);
  }
  if (response.status == 500) Fail("500: " + response.body, request);
  if (request.path.starts_with("/v1/") && !authorized && response.status != 401) {
    Fail("an unauthenticated /v1 request got " + std::to_string(response.status), request);
  }
  if (authorized && response.status == 401) Fail("the admin token was refused", request);
  if (!response.body_file.empty() && !std::filesystem::is_regular_file(response.body_file)) {
    Fail("the response's body_file does not exist: " + response.body_file.string(), request);
  }
  if (response.content_type != "application/json") return;
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(response.body, ec);
  if (ec) Fail("a JSON answer that does not parse: " + response.body, request);
  if (response.status < 400 || request.path == "/readyz") return;
  const boost::json::object* object = body.if_object();
  const boost::json::value* error = object != nullptr ? object->if_contains("error") : nullptr;
  const boost::json::object* fields = error != nullptr ? error->if_object() : nullptr;
  if (fields == nullptr || !fields->contains("code") || !fields->at("code").is_string() ||
      fields->at("code").as_string().empty() || !fields->contains("message") ||
      !fields->at("message").is_string()) {
    Fail("an error without {\"error\":{\"code\",\"message\"}}: " + response.body, request);
  }
}

// An accepted import runs on after its 202: wait until it has ended, so that imports do not pile
// up behind the service's slots and each input's effects are complete before the next.
void WaitForImport(app::ContactService& contacts, const http::Response& response,
                   const http::Request& request) {
  const std::string id(boost::json::parse(response.body).at("id").as_string());
  struct Poll {
    std::mutex mutex;
    std::condition_variable answered;
    std::optional<bool> running;
  };
  const auto deadline = steady_clock::now() + kImportTimeout;
  while (true) {
    auto poll = std::make_shared<Poll>();
    contacts.GetImport(id, [poll](Result<app::ImportStatus> status) {
      std::lock_guard lock(poll->mutex);
      poll->running = status.ok() && status->state == "running";
      poll->answered.notify_all();
    });
    std::unique_lock lock(poll->mutex);
    if (!poll->answered.wait_until(lock, deadline, [&] { return poll->running.has_value(); })) {
      Fail("GetImport(" + id + ") did not answer", request);
    }
    if (!*poll->running) return;
    if (steady_clock::now() > deadline) Fail("import " + id + " still running after 20 s", request);
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Environment& env = Start();
  Decoded decoded = Decode(data, size);
  http::Request& request = decoded.request;
  const bool spooled =
      env.router.Lookup(request.method, request.path).body_size == http::BodySize::kSpooled;
  std::shared_ptr<TempFile> spool;
  if (spooled && !request.body.empty()) {
    // As the server does for kSpooled routes: the body goes to a file, never into `body`.
    auto created = TempFile::Create("upload");
    if (!created.ok()) Fail("TempFile::Create: " + created.error().ToString(), request);
    spool = *created;
    std::ofstream(spool->path(), std::ios::binary) << request.body;
    request.body_file = spool;
    request.body.clear();
  }
  spool.reset();
  const http::Request copy = request;
  http::Response response = DispatchAndWait(env.router, std::move(request));
  CheckResponse(copy, decoded.authorized, response);
  if (!response.body_file.empty()) std::filesystem::remove(response.body_file);
  if (spooled && response.status == 202) WaitForImport(*env.contacts, response, copy);
  return 0;
}
