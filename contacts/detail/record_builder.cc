// RecordBuilder of field_rules.h: one record from checked fields.
#include <algorithm>
#include <numeric>
#include <utility>

#include "common/language_tag.h"
#include "contacts/detail/field_rules.h"

namespace herald::contacts::detail {
namespace {

std::string NotA(std::string_view value, std::string_view what) {
  return Quoted(value) + " is not " + std::string(what);
}

// Removes tags equal to an earlier one when case is ignored, keeping the first spelling.
void RemoveDuplicateTags(std::vector<std::string>& tags) {
  if (tags.size() < 2) return;
  std::vector<std::string> lower;
  lower.reserve(tags.size());
  for (const auto& tag : tags) lower.push_back(ToLowerAscii(tag));
  std::vector<std::size_t> order(tags.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return lower[a] < lower[b]; });
  std::vector<bool> duplicate(tags.size(), false);
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (lower[order[k]] == lower[order[k - 1]]) duplicate[order[k]] = true;
  }
  std::size_t kept = 0;
  for (std::size_t k = 0; k < tags.size(); ++k) {
    if (duplicate[k]) continue;
    if (kept != k) tags[kept] = std::move(tags[k]);
    ++kept;
  }
  tags.resize(kept);
}

std::optional<ConsentChange> MakeConsentChange(std::optional<bool> granted,
                                               std::optional<SysTime> at, std::string source) {
  if (!granted) return std::nullopt;
  return ConsentChange{*granted, at, std::move(source)};
}

}  // namespace

void RecordBuilder::Reset(std::int64_t line) {
  record_ = ContactRecord{};
  record_.line = line;
  marketing_ = PendingConsent{};
  utility_ = PendingConsent{};
}

std::optional<std::string> RecordBuilder::Set(Field field, std::string_view value) {
  switch (field) {
    case Field::kPhone:
      record_.phone = value;
      return std::nullopt;
    case Field::kName:
      record_.name = std::string(value);
      return std::nullopt;
    case Field::kTags: {
      for (std::size_t start = 0; start <= value.size();) {
        std::size_t end = value.find_first_of(kTagSeparators, start);
        if (end == std::string_view::npos) end = value.size();
        if (auto problem = AddTag(value.substr(start, end - start))) return problem;
        start = end + 1;
      }
      return std::nullopt;
    }
    case Field::kCountry:
      record_.country = NormaliseCountry(value);
      if (!record_.country) return NotA(value, "an ISO 3166 alpha-2 code");
      return std::nullopt;
    case Field::kLanguage: {
      const Result<LanguageTag> tag = LanguageTag::Parse(value);  // stored as "pt_BR"
      if (!tag.ok()) return NotA(value, "a language code like de, de_AT or pt-BR");
      record_.language = tag->canonical();
      return std::nullopt;
    }
    case Field::kTimezone:
      if (!IsKnownTimeZone(value)) return NotA(value, "an IANA time zone name like Europe/Berlin");
      record_.timezone = std::string(value);
      return std::nullopt;
    case Field::kAttribute:
      return "internal: attribute set as a field";  // callers use AddAttribute
    default:
      return SetConsentPart(field, value);
  }
}

std::optional<std::string> RecordBuilder::SetConsentPart(Field field, std::string_view value) {
  switch (field) {
    case Field::kConsentMarketing:
    case Field::kConsentUtility: {
      const std::optional<bool> granted = ParseConsentValue(value);
      if (!granted) {
        return NotA(value,
                    "a consent value (yes/no, true/false, 1/0, granted/revoked, opt-in/opt-out)");
      }
      ConsentFor(field).granted = granted;
      return std::nullopt;
    }
    case Field::kConsentMarketingAt:
    case Field::kConsentUtilityAt: {
      const std::optional<SysTime> at = ParseTimestamp(value);
      if (!at) return NotA(value, "an ISO 8601 date, or date and time with Z or an offset");
      ConsentFor(field).at = at;
      return std::nullopt;
    }
    default:  // kConsentMarketingSource, kConsentUtilitySource
      ConsentFor(field).source = value;
      return std::nullopt;
  }
}

std::optional<std::string> RecordBuilder::AddTag(std::string_view tag) {
  tag = TrimBlanks(tag);
  if (tag.empty()) return std::nullopt;
  if (!IsTagName(tag)) return NotA(tag, "a valid tag (1-64 letters, digits, '_', '-', '.')");
  record_.tags.emplace_back(tag);
  return std::nullopt;
}

void RecordBuilder::SetConsent(Field field, bool granted) { ConsentFor(field).granted = granted; }

RecordBuilder::PendingConsent& RecordBuilder::ConsentFor(Field field) {
  switch (field) {
    case Field::kConsentMarketing:
    case Field::kConsentMarketingAt:
    case Field::kConsentMarketingSource:
      return marketing_;
    default:
      return utility_;
  }
}

ContactRecord RecordBuilder::Finish() {
  RemoveDuplicateTags(record_.tags);
  record_.marketing =
      MakeConsentChange(marketing_.granted, marketing_.at, std::move(marketing_.source));
  record_.utility = MakeConsentChange(utility_.granted, utility_.at, std::move(utility_.source));
  return std::move(record_);
}

}  // namespace herald::contacts::detail
