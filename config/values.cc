// ParseDuration and ParseSize: one integer amount and one unit, nothing else.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "config/config.h"
#include "config/detail/format.h"

namespace herald::config {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::array<Unit, 5> kDurationUnits{
    {{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", 24 * 3600 * 1000}}};
constexpr std::uint64_t kKi = 1024;
constexpr std::array<Unit, 8> kSizeUnits{{{"", 1},
                                          {"B", 1},
                                          {"KB", 1000},
                                          {"MB", 1000 * 1000},
                                          {"GB", 1000 * 1000 * 1000},
                                          {"KiB", kKi},
                                          {"MiB", kKi* kKi},
                                          {"GiB", kKi* kKi* kKi}}};

constexpr std::string_view kDurationHelp =
    R"(expected an integer and a unit (ms, s, m, h or d), e.g. "250ms", "30s" or "5m")";
constexpr std::string_view kSizeHelp =
    "expected a number of bytes or an integer and a unit (B, KB, MB, GB, KiB, MiB or GiB), "
    R"(e.g. "512KiB" or "10MB")";

// A text split into its leading digits and the unit after them.
struct Amount {
  std::uint64_t value = 0;
  std::string_view unit;
};

// An error whose message is the reason a text is not a valid amount, e.g. "it is negative".
Error Because(std::string reason) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(reason));
}

Result<Amount> SplitAmount(std::string_view text) {
  if (text.empty()) return Because("it is empty");
  if (text.front() == '-') return Because("it is negative");
  const auto digits_end =
      std::find_if_not(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto digits = static_cast<std::size_t>(digits_end - text.begin());
  if (digits == 0) return Because("it does not start with a number");
  const std::string_view unit = text.substr(digits);
  if (unit.starts_with('.') || unit.starts_with(',')) {
    return Because("the amount must be a whole number; use a smaller unit");
  }
  if (unit.starts_with(' ')) return Because("there must be no space before the unit");
  Amount amount{0, unit};
  auto [stop, error] = std::from_chars(text.data(), text.data() + digits, amount.value);
  if (error != std::errc()) return Because("it is too large");
  return amount;
}

template <std::size_t N>
std::optional<std::uint64_t> FindFactor(const std::array<Unit, N>& units, std::string_view name) {
  for (const Unit& unit : units) {
    if (unit.name == name) return unit.factor;
  }
  return std::nullopt;
}

// The amount times its unit's factor, at most `max`.
template <std::size_t N>
Result<std::uint64_t> Scale(std::string_view text, const std::array<Unit, N>& units,
                            std::uint64_t max) {
  auto amount = SplitAmount(text);
  if (!amount) return std::move(amount).error();
  const auto factor = FindFactor(units, amount->unit);
  if (!factor && amount->unit.empty()) return Because("it has no unit");
  if (!factor) return Because("unknown unit \"" + std::string(amount->unit) + "\"");
  if (amount->value > max / *factor) return Because("it is too large");
  return amount->value * *factor;
}

Error Invalid(std::string_view kind, std::string_view text, const Error& reason,
              std::string_view help) {
  return MakeError(ErrorCode::kInvalidArgument, "invalid " + std::string(kind) + " \"" +
                                                    std::string(text) + "\" (" + reason.message +
                                                    "); " + std::string(help));
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  auto millis = Scale(text, kDurationUnits, kMax);
  if (!millis) return Invalid("duration", text, millis.error(), kDurationHelp);
  return std::chrono::milliseconds(static_cast<std::int64_t>(*millis));
}

Result<std::size_t> ParseSize(std::string_view text) {
  auto bytes = Scale(text, kSizeUnits, std::numeric_limits<std::size_t>::max());
  if (!bytes) return Invalid("size", text, bytes.error(), kSizeHelp);
  return static_cast<std::size_t>(*bytes);
}

namespace detail {

std::string FormatDuration(std::chrono::milliseconds duration) {
  const auto millis = static_cast<std::uint64_t>(duration.count());
  if (millis == 0) return "0s";
  for (auto unit = kDurationUnits.rbegin(); unit != kDurationUnits.rend(); ++unit) {
    if (millis % unit->factor == 0)
      return std::to_string(millis / unit->factor) + std::string(unit->name);
  }
  return std::to_string(millis) + "ms";
}

std::string FormatSize(std::size_t bytes) {
  for (std::string_view name : {"GiB", "MiB", "KiB"}) {
    const std::uint64_t factor = *FindFactor(kSizeUnits, name);
    if (bytes != 0 && bytes % factor == 0)
      return std::to_string(bytes / factor) + std::string(name);
  }
  return std::to_string(bytes) + "B";
}

}  // namespace detail
}  // namespace herald::config
