// ApiClient: the `herald` CLI's way to talk to the heraldd admin API (JSON over HTTP, bearer
// token). Every subcommand goes through it, so transport failures, timeouts and the server's JSON
// errors are turned into `Error` values in one place:
//   - no HTTP response at all (connection refused, DNS, timeout): ErrorCode::kUnavailable, with a
//     message naming the URL and curl's reason;
//   - a non-2xx response: the server's {"error":{"code","message","field"}} as an Error (401 is
//     always kUnauthenticated and 403 kPermissionDenied); without such a body, an Error built from
//     the HTTP status.
//
// Thread rules: an ApiClient makes one blocking request at a time; use it from one thread. It keeps
// its connection open between requests (curl's connection cache) until it is destroyed.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace herald::cli {

inline constexpr std::string_view kDefaultApiUrl = "http://127.0.0.1:8420";

struct ApiClientOptions {
  std::string base_url{kDefaultApiUrl};  // http:// or https://, no path beyond an optional prefix
  std::optional<std::string> token;      // sent as "Authorization: Bearer <token>" when present
  // Further headers sent with every request, e.g. {"X-Herald-Actor", "alice"}. Create rejects a
  // name that is not an HTTP token and an empty value or one with control characters.
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds total_timeout{std::chrono::seconds(30)};
};

struct ApiResponse {
  std::string url;           // the full URL that was requested
  int status = 0;            // HTTP status code
  std::string content_type;  // empty when the server sent none
  std::string body;

  bool ok() const { return status >= 200 && status < 300; }

  // The body parsed as JSON; an Error naming the URL when it is not JSON.
  Result<boost::json::value> Json() const;

  // The Error a non-2xx response stands for (see the header comment).
  Error ToError() const;
};

class ApiClient {
 public:
  // Fails with kInvalidArgument (field "url") when the base URL is not http(s).
  static Result<ApiClient> Create(ApiClientOptions options);

  ApiClient(ApiClient&&) noexcept;
  ApiClient& operator=(ApiClient&&) noexcept;
  ~ApiClient();

  // `path` starts with '/' ("/v1/status"). Non-2xx responses become Errors.
  Result<ApiResponse> Get(std::string_view path);
  Result<ApiResponse> Post(std::string_view path, std::string_view body,
                           std::string_view content_type = "application/json");
  Result<ApiResponse> Put(std::string_view path, std::string_view body,
                          std::string_view content_type = "application/json");
  Result<ApiResponse> Patch(std::string_view path, std::string_view body,
                            std::string_view content_type = "application/json");
  Result<ApiResponse> Delete(std::string_view path);

  // POSTs the file at `file_path` as the body, read from disk while it is sent (a contacts import
  // may be larger than one wants in memory). A file that cannot be opened or read is kIoError
  // naming it. Non-2xx responses become Errors.
  Result<ApiResponse> PostFile(std::string_view path, const std::string& file_path,
                               std::string_view content_type);

  // Sends one request and returns the response whatever its HTTP status: fails only when no
  // response arrived. For endpoints whose non-2xx answers carry data (GET /readyz's 503).
  Result<ApiResponse> Send(std::string_view method, std::string_view path,
                           std::string_view body = {}, std::string_view content_type = {});

  const std::string& base_url() const;

 private:
  struct Impl;
  struct Upload;  // a body streamed from a file
  explicit ApiClient(std::unique_ptr<Impl> impl);

  // Send, with the body taken from `upload` when it is not null.
  Result<ApiResponse> Perform(std::string_view method, std::string_view path, std::string_view body,
                              std::string_view content_type, Upload* upload);

  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::cli
