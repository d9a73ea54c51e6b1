#include "cli/api_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#ifndef HERALD_VERSION
#define HERALD_VERSION "unknown"
#endif

namespace herald::cli {
namespace {

constexpr std::array kAllErrorCodes = {
    ErrorCode::kInvalidArgument,    ErrorCode::kNotFound,        ErrorCode::kAlreadyExists,
    ErrorCode::kFailedPrecondition, ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied,
    ErrorCode::kResourceExhausted,  ErrorCode::kUnavailable,     ErrorCode::kIoError,
    ErrorCode::kCorruption,         ErrorCode::kInternal,
};

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  for (ErrorCode code : kAllErrorCodes) {
    if (ErrorCodeName(code) == name) return code;
  }
  return std::nullopt;
}

ErrorCode ErrorCodeFromHttpStatus(int status) {
  switch (status) {
    case 400:
    case 422:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kAlreadyExists;
    case 412:
      return ErrorCode::kFailedPrecondition;
    case 413:
    case 429:
      return ErrorCode::kResourceExhausted;
    // A reverse proxy answers 502/504 when it cannot reach the daemon: the same as no answer.
    case 502:
    case 503:
    case 504:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

// The server's {"error":{"code","message","field"}}, when the body is one.
std::optional<Error> ErrorFromBody(std::string_view body, int status) {
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(body, ec);
  if (ec || !json.is_object()) return std::nullopt;
  const boost::json::value* error = json.as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return std::nullopt;
  const boost::json::object& fields = error->as_object();
  const boost::json::value* message = fields.if_contains("message");
  if (message == nullptr || !message->is_string() || message->as_string().empty()) {
    return std::nullopt;
  }
  Error result = MakeError(ErrorCodeFromHttpStatus(status), std::string(message->as_string()));
  if (const boost::json::value* code = fields.if_contains("code"); code && code->is_string()) {
    if (auto known = ErrorCodeFromName(code->as_string()); known) result.code = *known;
  }
  if (const boost::json::value* field = fields.if_contains("field"); field && field->is_string()) {
    result.field = std::string(field->as_string());
  }
  return result;
}

// The first line of a non-JSON error body (an HTML page from a proxy, a plain-text message),
// short and printable, for the error message.
std::string BodySnippet(std::string_view body) {
  constexpr size_t kMaxSnippet = 200;
  body = body.substr(0, body.find_first_of("\r\n"));
  std::string snippet;
  for (char c : body.substr(0, kMaxSnippet)) {
    snippet += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  while (!snippet.empty() && snippet.back() == ' ') snippet.pop_back();
  return snippet;
}

bool HasControlCharacters(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// RFC 9110 token characters: what a header name may consist of.
bool IsHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool alphanumeric =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alphanumeric && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHeaders = std::unique_ptr<curl_slist, CurlListDeleter>;

// curl_global_init is not thread-safe and must run before the first handle is made.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// libcurl calls this from curl_easy_perform; it must not throw across the C boundary.
size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  try {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
  } catch (...) {
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
}

bool AppendHeader(CurlHeaders& headers, const std::string& line) {
  curl_slist* head = headers.release();
  curl_slist* appended = curl_slist_append(head, line.c_str());
  headers.reset(appended != nullptr ? appended : head);
  return appended != nullptr;
}

}  // namespace

// The file PostFile sends; libcurl reads it through the callbacks below while sending.
struct ApiClient::Upload {
  int fd = -1;
  curl_off_t size = -1;  // -1: unknown, sent chunked
  int read_errno = 0;    // why reading failed, 0 when it did not

  // libcurl's CURLOPT_READFUNCTION.
  static size_t Read(char* buffer, size_t size, size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    for (;;) {
      ssize_t n = ::read(upload->fd, buffer, size * count);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      upload->read_errno = errno;
      return CURL_READFUNC_ABORT;
    }
  }

  // libcurl's CURLOPT_SEEKFUNCTION: it rewinds when it resends the request, e.g. after finding the
  // kept-alive connection closed by the server.
  static int Seek(void* user, curl_off_t offset, int origin) {
    auto* upload = static_cast<Upload*>(user);
    return ::lseek(upload->fd, static_cast<off_t>(offset), origin) < 0 ? CURL_SEEKFUNC_FAIL
                                                                       : CURL_SEEKFUNC_OK;
  }
};

Result<boost::json::value> ApiResponse::Json() const {
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(body, ec);
  if (ec) {
    return MakeError(ErrorCode::kInternal,
                     "the answer from " + url + " is not JSON (" + ec.message() + ")");
  }
  return json;
}

Error ApiResponse::ToError() const {
  std::optional<Error> error = ErrorFromBody(body, status);
  if (error) {
    // The exit code for authentication failures follows the HTTP status whatever the body says.
    if (status == 401 || status == 403) error->code = ErrorCodeFromHttpStatus(status);
    return std::move(*error);
  }
  std::string message = "HTTP " + std::to_string(status) + " from " + url;
  if (std::string snippet = BodySnippet(body); !snippet.empty()) message += ": " + snippet;
  return MakeError(ErrorCodeFromHttpStatus(status), std::move(message));
}

struct ApiClient::Impl {
  ApiClientOptions options;
  std::unique_ptr<CURL, CurlEasyDeleter> curl;
};

Result<ApiClient> ApiClient::Create(ApiClientOptions options) {
  std::string& url = options.base_url;
  if (!(url.starts_with("http://") || url.starts_with("https://")) || HasControlCharacters(url) ||
      url.find(' ') != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "'" + url + "' is not an http:// or https:// URL",
                     "url");
  }
  while (url.ends_with('/')) url.pop_back();
  // A newline in the token would let it inject request headers.
  if (options.token && (options.token->empty() || HasControlCharacters(*options.token))) {
    return MakeError(ErrorCode::kInvalidArgument, "the token is empty or has control characters",
                     "token");
  }
  for (const auto& [name, value] : options.headers) {
    if (!IsHeaderName(name) || value.empty() || HasControlCharacters(value)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "bad request header '" + name + "' (empty, or control characters)", name);
    }
  }
  InitCurlOnce();
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->curl.reset(curl_easy_init());
  if (!impl->curl) return MakeError(ErrorCode::kInternal, "curl_easy_init failed");
  return ApiClient(std::move(impl));
}

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::ApiClient(ApiClient&&) noexcept = default;
ApiClient& ApiClient::operator=(ApiClient&&) noexcept = default;
ApiClient::~ApiClient() = default;

const std::string& ApiClient::base_url() const { return impl_->options.base_url; }

Result<ApiResponse> ApiClient::Get(std::string_view path) {
  Result<ApiResponse> response = Send("GET", path);
  if (response.ok() && !response->ok()) return response->ToError();
  return response;
}

Result<ApiResponse> ApiClient::Post(std::string_view path, std::string_view body,
                                    std::string_view content_type) {
  Result<ApiResponse> response = Send("POST", path, body, content_type);
  if (response.ok() && !response->ok()) return response->ToError();
  return response;
}

Result<ApiResponse> ApiClient::Patch(std::string_view path, std::string_view body,
                                     std::string_view content_type) {
  Result<ApiResponse> response = Send("PATCH", path, body, content_type);
  if (response.ok() && !response->ok()) return response->ToError();
  return response;
}

Result<ApiResponse> ApiClient::Put(std::string_view path, std::string_view body,
                                   std::string_view content_type) {
  Result<ApiResponse> response = Send("PUT", path, body, content_type);
  if (response.ok() && !response->ok()) return response->ToError();
  return response;
}

Result<ApiResponse> ApiClient::Delete(std::string_view path) {
  Result<ApiResponse> response = Send("DELETE", path);
  if (response.ok() && !response->ok()) return response->ToError();
  return response;
}

Result<ApiResponse> ApiClient::PostFile(std::string_view path, const std::string& file_path,
                                        std::string_view content_type) {
  Upload upload;
  upload.fd = ::open(file_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (upload.fd < 0) {
    return MakeError(ErrorCode::kIoError,
                     "cannot read '" + file_path + "': " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(upload.fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(upload.fd);
    return MakeError(ErrorCode::kIoError, "cannot read '" + file_path + "': Is a directory");
  }
  // A regular file's size goes in Content-Length; anything else (a pipe) is sent chunked.
  upload.size = S_ISREG(info.st_mode) ? static_cast<curl_off_t>(info.st_size) : -1;
  Result<ApiResponse> response = Perform("POST", path, {}, content_type, &upload);
  ::close(upload.fd);
  if (upload.read_errno != 0) {
    return MakeError(ErrorCode::kIoError,
                     "cannot read '" + file_path + "': " + std::strerror(upload.read_errno));
  }
  if (response.ok() && !response->ok()) return response->ToError();
  return response;
}

Result<ApiResponse> ApiClient::Send(std::string_view method, std::string_view path,
                                    std::string_view body, std::string_view content_type) {
  return Perform(method, path, body, content_type, nullptr);
}

Result<ApiResponse> ApiClient::Perform(std::string_view method, std::string_view path,
                                       std::string_view body, std::string_view content_type,
                                       Upload* upload) {
  if (!path.starts_with('/') || HasControlCharacters(path)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad request path '" + std::string(path) + "'");
  }
  if (method != "GET" && method != "POST" && method != "PUT" && method != "PATCH" &&
      method != "DELETE") {
    return MakeError(ErrorCode::kInvalidArgument, "unsupported method " + std::string(method));
  }
  const ApiClientOptions& options = impl_->options;
  CURL* curl = impl_->curl.get();
  // Reset clears the previous request's options but keeps the open connection for reuse.
  curl_easy_reset(curl);

  ApiResponse response;
  response.url = options.base_url + std::string(path);

  CurlHeaders headers;
  bool headers_ok = AppendHeader(headers, "Accept: application/json") &&
                    AppendHeader(headers, "Expect:");  // no 100-continue round trip
  if (options.token)
    headers_ok = headers_ok && AppendHeader(headers, "Authorization: Bearer " + *options.token);
  for (const auto& [name, value] : options.headers) {
    headers_ok = headers_ok && AppendHeader(headers, name + ": " + value);
  }
  if (!content_type.empty()) {
    headers_ok = headers_ok && AppendHeader(headers, "Content-Type: " + std::string(content_type));
  }
  if (!headers_ok) return MakeError(ErrorCode::kInternal, "out of memory building request headers");

  char curl_error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, response.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  // Never route the admin API (and its bearer token) through a proxy from http_proxy & co.
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "herald/" HERALD_VERSION);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendToString);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  const std::string method_string(method);
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_string.c_str());
  }
  if (upload != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &Upload::Read);
    curl_easy_setopt(curl, CURLOPT_READDATA, upload);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, &Upload::Seek);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, upload);
    if (upload->size >= 0) curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, upload->size);
  } else if (method != "GET" && (method != "DELETE" || !body.empty())) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    // Never a null pointer: with none, curl would read the body from stdin.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
  }

  CURLcode result = curl_easy_perform(curl);
  // The header list and error buffer live on this stack frame: make curl forget them.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (result != CURLE_OK) {
    std::string reason = curl_error[0] != '\0' ? curl_error : curl_easy_strerror(result);
    // curl 7.88 says "Couldn't connect to server"; the system's reason ("Connection refused",
    // "No route to host") is what an operator needs.
    long os_errno = 0;
    if (curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK && os_errno != 0) {
      reason += " (" + std::string(std::strerror(static_cast<int>(os_errno))) + ")";
    }
    return MakeError(ErrorCode::kUnavailable,
                     "cannot reach heraldd at " + response.url + ": " + reason);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  char* received_type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &received_type);
  if (received_type != nullptr) response.content_type = received_type;
  return response;
}

}  // namespace herald::cli
