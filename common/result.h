// Errors as values at module boundaries (STYLE.md rule 5).
//
// `Error` carries a stable code, a human-readable message and, where one input is at fault, the
// name of that input (`field`: a config key, a JSON field, a CSV column). `Result<T>` holds either
// a value or an Error; `Status` is `Result<void>`. Modelled on LevelDB's Status and std::expected.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace herald {

enum class ErrorCode {
  kInvalidArgument,  // the caller's input is wrong; retrying the same input fails again
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,  // a limit was hit (size, count, rate)
  kUnavailable,        // transient: retrying later may succeed
  kIoError,
  kStorageFull,  // the database's disk (or its size limit) is full: free space, then retry
  kCorruption,   // stored data is not what this version can read
  kInternal,     // a bug: an invariant did not hold
};

// Stable lower-case name of a code, used in logs and JSON errors ("invalid_argument", ...).
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // empty when no single input is at fault

  // "message" or "field: message".
  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message, std::string field = {}) {
  return Error{code, std::move(message), std::move(field)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace herald
