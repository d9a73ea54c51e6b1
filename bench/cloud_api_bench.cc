// The cloud_api provider end to end (issue 16): messages per second through CloudApiProvider to
// the fake Cloud API server (tests/support/fake_cloud_api.h) over loopback, limits off, with
// --in-flight requests open; beside it, in the same run and against the same server, raw libcurl
// multi (curl_multi_poll, no Asio, no answer parsing), a wrk-like socket loop (SocketLoop: one
// pre-built request on kept-alive connections, epoll) and, when it is installed, wrk posting the
// same body. Ratios: provider / wrk (target >= 0.5), provider / raw libcurl, provider / loop.
//
//   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
//   ninja -C build-rel cloud_api_bench
//   build-rel/bench/cloud_api_bench [--messages=100000] [--in-flight=256] [--runs=3] [--rounds=5]
//       [--server-threads=1] [--wrk-seconds=10] [--wrk-threads=1] [--raw=1]
//
// The server runs on its own thread(s) in this process and records nothing (it still counts
// requests per recipient); the provider and raw libcurl run on the main thread, one at a time;
// wrk runs as a child process. Each message goes to a new recipient; its JSON is built with
// ToCloudApiJson in both client loops. Figures are medians over the runs.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "provider/cloud_api.h"
#include "tests/support/fake_cloud_api.h"

namespace herald::bench {
namespace {

using Steady = std::chrono::steady_clock;

struct Options {
  std::size_t messages = 100000;
  std::size_t in_flight = 256;
  int runs = 3;
  int rounds = 5;  // per run: the clients take turns, messages / rounds each
  std::size_t server_threads = 1;
  int wrk_seconds = 10;
  int wrk_threads = 1;
  bool raw = true;  // --raw=0 leaves out the raw libcurl loop (e.g. to profile the provider)
};

provider::Message MessageFor(std::size_t i) {
  provider::Message message;
  message.delivery = DeliveryId{static_cast<std::int64_t>(i)};
  message.phone_number_id = "1234567890";
  message.to = "49170" + std::to_string(10000000 + i);
  message.content = provider::TemplateContent{"spring_sale", "de", {}, {{"", "Anna"}, {"", "20%"}}};
  message.callback_data = std::to_string(i);
  return message;
}

double Seconds(Steady::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Messages per second through the provider, `in_flight` kept open until `messages` were answered.
double RunProvider(const testing::FakeCloudApi& server, const Options& options) {
  boost::asio::io_context io;
  provider::CloudApiOptions settings;
  settings.base_url = server.base_url();
  settings.access_token = server.token();
  settings.max_in_flight = options.in_flight;
  auto created = provider::CloudApiProvider::Create(io, settings);
  if (!created) {
    std::fprintf(stderr, "cloud_api: %s\n", created.error().ToString().c_str());
    std::exit(1);
  }
  auto provider = std::move(created).value();
  std::size_t sent = 0;
  std::size_t answered = 0;
  std::size_t accepted = 0;
  std::function<void(provider::SendResult)> on_done;
  const auto send_next = [&] { provider->Send(MessageFor(sent++), on_done); };
  on_done = [&](provider::SendResult result) {
    ++answered;
    accepted += result.outcome == provider::Outcome::kAccepted ? 1 : 0;
    if (sent < options.messages) send_next();
  };
  const auto start = Steady::now();
  while (sent < std::min(options.in_flight, options.messages)) send_next();
  while (answered < options.messages) io.run_one();
  const double seconds = Seconds(Steady::now() - start);
  if (accepted != options.messages) {
    std::fprintf(stderr, "cloud_api: only %zu of %zu accepted\n", accepted, options.messages);
  }
  return static_cast<double>(options.messages) / seconds;
}

std::size_t Discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

// The same load through libcurl multi alone: curl_multi_poll, POSTFIELDS, answers not parsed.
double RunRawCurl(const testing::FakeCloudApi& server, const Options& options) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.in_flight));
  curl_slist* headers =
      curl_slist_append(nullptr, ("Authorization: Bearer " + server.token()).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  const std::string url = server.base_url() + "/v23.0/1234567890/messages";
  const std::size_t handles = std::min(options.in_flight, options.messages);
  std::vector<CURL*> easies(handles);
  std::vector<std::string> bodies(handles);
  std::size_t started = 0;
  const auto start_on = [&](std::size_t slot) {
    bodies[slot] = provider::ToCloudApiJson(MessageFor(started++));
    curl_easy_setopt(easies[slot], CURLOPT_POSTFIELDS, bodies[slot].c_str());
    curl_easy_setopt(easies[slot], CURLOPT_POSTFIELDSIZE, static_cast<long>(bodies[slot].size()));
    curl_multi_add_handle(multi, easies[slot]);
  };
  for (std::size_t slot = 0; slot < handles; ++slot) {
    easies[slot] = curl_easy_init();
    curl_easy_setopt(easies[slot], CURLOPT_URL, url.c_str());
    curl_easy_setopt(easies[slot], CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easies[slot], CURLOPT_WRITEFUNCTION, &Discard);
    curl_easy_setopt(easies[slot], CURLOPT_PRIVATE, reinterpret_cast<char*>(slot));
  }
  const auto start = Steady::now();
  for (std::size_t slot = 0; slot < handles; ++slot) start_on(slot);
  std::size_t done = 0;
  while (done < options.messages) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      ++done;
      char* slot = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &slot);
      curl_multi_remove_handle(multi, message->easy_handle);
      if (started < options.messages) start_on(reinterpret_cast<std::size_t>(slot));
    }
    curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  const double seconds = Seconds(Steady::now() - start);
  for (CURL* easy : easies) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
  return static_cast<double>(options.messages) / seconds;
}

// A wrk-like client, for machines without wrk: one thread, `in_flight` kept-alive connections,
// one pre-built request (the same JSON, the same headers), epoll, answers framed by
// Content-Length and otherwise not read. Requests per second for `messages` requests.
class SocketLoop {
 public:
  SocketLoop(std::uint16_t port, std::string request) : port_(port), request_(std::move(request)) {}

  double Run(std::size_t connections, std::size_t messages) {
    const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<Connection> open(connections);
    const auto start = Steady::now();
    for (std::size_t i = 0; i < connections && sent_ < messages; ++i) {
      open[i].fd = Connect();
      epoll_event event{EPOLLIN, {.ptr = &open[i]}};
      ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, open[i].fd, &event);
      SendRequest(open[i]);
    }
    epoll_event events[256];
    while (answered_ < messages) {
      const int ready = ::epoll_wait(epoll_fd, events, 256, 1000);
      for (int i = 0; i < ready; ++i) {
        Read(*static_cast<Connection*>(events[i].data.ptr), messages);
      }
    }
    const double seconds = Seconds(Steady::now() - start);
    for (Connection& connection : open) ::close(connection.fd);
    ::close(epoll_fd);
    return static_cast<double>(messages) / seconds;
  }

 private:
  struct Connection {
    int fd = -1;
    std::string input;
  };

  int Connect() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
  }
  void SendRequest(Connection& connection) {
    ++sent_;
    if (::send(connection.fd, request_.data(), request_.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request_.size())) {
      std::fprintf(stderr, "socket loop: short send\n");
      std::exit(1);
    }
  }
  void Read(Connection& connection, std::size_t messages) {
    char buffer[16384];
    const ssize_t n = ::recv(connection.fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      std::fprintf(stderr, "socket loop: connection closed\n");
      std::exit(1);
    }
    connection.input.append(buffer, static_cast<std::size_t>(n));
    for (;;) {
      const std::size_t header_end = connection.input.find("\r\n\r\n");
      if (header_end == std::string::npos) return;
      const std::size_t length_at = connection.input.find("Content-Length: ");
      const std::size_t length =
          std::strtoul(connection.input.c_str() + length_at + 16, nullptr, 10);
      if (connection.input.size() < header_end + 4 + length) return;
      connection.input.erase(0, header_end + 4 + length);
      ++answered_;
      if (sent_ < messages) SendRequest(connection);
    }
  }

  std::uint16_t port_;
  std::string request_;
  std::size_t sent_ = 0;
  std::size_t answered_ = 0;
};

std::string BuiltRequest(const testing::FakeCloudApi& server) {
  const std::string body = provider::ToCloudApiJson(MessageFor(0));
  return "POST /v23.0/1234567890/messages HTTP/1.1\r\nHost: 127.0.0.1:" +
         std::to_string(server.port()) + "\r\nAuthorization: Bearer " + server.token() +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

std::optional<std::string> FindWrk() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const auto candidate = std::filesystem::path(dirs.substr(start, end - start)) / "wrk";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return std::nullopt;
}

// wrk's requests per second, posting one message's JSON with the same headers.
std::optional<double> RunWrk(const std::string& wrk, const testing::FakeCloudApi& server,
                             const Options& options) {
  const auto script = std::filesystem::temp_directory_path() / "herald_cloud_api_bench.lua";
  std::string body = provider::ToCloudApiJson(MessageFor(0));
  std::string escaped;
  for (char c : body)
    escaped += (c == '\\' || c == '"') ? std::string("\\") + c : std::string(1, c);
  std::ofstream(script) << "wrk.method = \"POST\"\n"
                        << "wrk.body = \"" << escaped << "\"\n"
                        << "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                        << "wrk.headers[\"Authorization\"] = \"Bearer " << server.token() << "\"\n";
  const std::string command = wrk + " -t" + std::to_string(options.wrk_threads) + " -c" +
                              std::to_string(options.in_flight) + " -d" +
                              std::to_string(options.wrk_seconds) + "s -s " + script.string() +
                              " " + server.base_url() + "/v23.0/1234567890/messages";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::optional<double> rate;
  char line[512];
  while (std::fgets(line, sizeof(line), pipe) != nullptr) {
    double value = 0;
    if (std::sscanf(line, "Requests/sec: %lf", &value) == 1) rate = value;
  }
  ::pclose(pipe);
  std::filesystem::remove(script);
  return rate;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

bool ParseOptions(int argc, char** argv, Options& options) {
  const std::pair<const char*, std::function<void(long)>> known[] = {
      {"--messages", [&](long v) { options.messages = static_cast<std::size_t>(v); }},
      {"--in-flight", [&](long v) { options.in_flight = static_cast<std::size_t>(v); }},
      {"--runs", [&](long v) { options.runs = static_cast<int>(v); }},
      {"--rounds", [&](long v) { options.rounds = static_cast<int>(v); }},
      {"--server-threads", [&](long v) { options.server_threads = static_cast<std::size_t>(v); }},
      {"--wrk-seconds", [&](long v) { options.wrk_seconds = static_cast<int>(v); }},
      {"--wrk-threads", [&](long v) { options.wrk_threads = static_cast<int>(v); }},
      {"--raw", [&](long v) { options.raw = v != 0; }},
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    bool matched = false;
    for (const auto& [name, set] : known) {
      const std::string prefix = std::string(name) + "=";
      if (arg.rfind(prefix, 0) != 0) continue;
      set(std::strtol(arg.c_str() + prefix.size(), nullptr, 10));
      matched = true;
    }
    if (!matched) {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return false;
    }
  }
  return options.messages > 0 && options.in_flight > 0 && options.runs > 0 && options.rounds > 0;
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, options)) return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const auto wrk = FindWrk();
  std::printf("messages=%zu in_flight=%zu server_threads=%zu runs=%d wrk=%s\n", options.messages,
              options.in_flight, options.server_threads, options.runs,
              wrk ? wrk->c_str() : "not installed");
  std::vector<double> provider_rates, raw_rates, loop_rates, wrk_rates;
  for (int run = 0; run < options.runs; ++run) {
    testing::FakeCloudApiOptions server_options;
    server_options.threads = options.server_threads;
    server_options.record_messages = false;
    testing::FakeCloudApi server(server_options);
    // The clients take turns in short rounds, so that a change in the machine's load (it is
    // shared) falls on all of them alike; each rate is all its messages over all its time.
    Options round = options;
    round.messages = std::max<std::size_t>(1, options.messages / options.rounds);
    double provider_seconds = 0, raw_seconds = 0, loop_seconds = 0;
    const double count = static_cast<double>(round.messages);
    for (int i = 0; i < options.rounds; ++i) {
      provider_seconds += count / RunProvider(server, round);
      if (!options.raw) continue;
      raw_seconds += count / RunRawCurl(server, round);
      loop_seconds +=
          count /
          SocketLoop(server.port(), BuiltRequest(server)).Run(round.in_flight, round.messages);
    }
    const double total = count * options.rounds;
    provider_rates.push_back(total / provider_seconds);
    raw_rates.push_back(options.raw ? total / raw_seconds : 0.0);
    loop_rates.push_back(options.raw ? total / loop_seconds : 0.0);
    std::optional<double> wrk_rate = wrk ? RunWrk(*wrk, server, options) : std::nullopt;
    if (wrk_rate) wrk_rates.push_back(*wrk_rate);
    std::printf(
        "run %d: cloud_api %.0f msg/s, raw libcurl multi %.0f req/s, socket loop %.0f "
        "req/s, wrk %s\n",
        run + 1, provider_rates.back(), raw_rates.back(), loop_rates.back(),
        wrk_rate ? std::to_string(static_cast<long>(*wrk_rate)).c_str() : "-");
  }
  const double provider = Median(provider_rates);
  const double raw = Median(raw_rates);
  const double loop = Median(loop_rates);
  std::printf("median: cloud_api %.0f msg/s (target >= 10000: %.2f)\n", provider,
              provider / 10000.0);
  std::printf("median: raw libcurl multi %.0f req/s, cloud_api/raw %.2f\n", raw, provider / raw);
  std::printf("median: socket loop %.0f req/s, cloud_api/loop %.2f, raw/loop %.2f\n", loop,
              provider / loop, raw / loop);
  if (!wrk_rates.empty()) {
    const double wrk_rate = Median(wrk_rates);
    std::printf("median: wrk %.0f req/s, cloud_api/wrk %.2f (target >= 0.5), raw/wrk %.2f\n",
                wrk_rate, provider / wrk_rate, raw / wrk_rate);
  } else {
    std::printf("wrk is not installed (Debian package wrk): no cloud_api/wrk ratio\n");
  }
  return 0;
}

}  // namespace
}  // namespace herald::bench

int main(int argc, char** argv) { return herald::bench::Main(argc, argv); }
