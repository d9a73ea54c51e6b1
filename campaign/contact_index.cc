// ContactIndex maintenance: moving a contact between bitmaps when its facts change, compaction
// and memory accounting. Evaluation is in index_evaluator.cc.
#include "campaign/contact_index.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "campaign/detail/index_state.h"
#include "campaign/detail/text.h"
#include "common/language_tag.h"

namespace herald::campaign {
namespace detail {

std::uint32_t StoredMinute(std::int64_t minute_since_epoch) {
  constexpr std::int64_t kMax = std::numeric_limits<std::uint32_t>::max();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(minute_since_epoch, 0, kMax));
}

namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

const ContactFacts kNoFacts{};

std::vector<std::string> NormalizedTags(const ContactFacts& facts) {
  std::vector<std::string> tags;
  tags.reserve(facts.tags.size());
  for (const std::string& tag : facts.tags) tags.push_back(NormalizeName(tag));
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

// Sorted by normalised key; of duplicated keys the last value wins.
Attributes NormalizedAttributes(const ContactFacts& facts) {
  Attributes attributes;
  attributes.reserve(facts.attributes.size());
  for (const auto& [key, value] : facts.attributes) {
    attributes.emplace_back(NormalizeName(key), value);
  }
  std::stable_sort(attributes.begin(), attributes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Attributes unique;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const bool last_of_key =
        i + 1 == attributes.size() || attributes[i + 1].first != attributes[i].first;
    if (last_of_key) unique.push_back(std::move(attributes[i]));
  }
  return unique;
}

std::optional<std::uint32_t> InboundMinute(const ContactFacts& facts) {
  if (!facts.last_inbound) return std::nullopt;
  const auto minutes = std::chrono::floor<std::chrono::minutes>(*facts.last_inbound);
  return StoredMinute(minutes.time_since_epoch().count());
}

template <typename Map, typename K>
void RemoveFrom(Map& map, const K& value, std::uint64_t key) {
  const auto it = map.find(value);
  if (it == map.end()) return;
  it->second.remove(key);
  if (it->second.isEmpty()) map.erase(it);
}

void UpdateFlag(Bitmap& bitmap, bool before, bool after, std::uint64_t key) {
  if (before == after) return;
  if (after) {
    bitmap.add(key);
  } else {
    bitmap.remove(key);
  }
}

template <typename Map>
void UpdateKeyed(Map& map, const std::string& before, const std::string& after, std::uint64_t key) {
  if (before == after) return;
  if (!before.empty()) RemoveFrom(map, before, key);
  if (!after.empty()) map[after].add(key);
}

void UpdateTags(IndexState& state, const ContactFacts& before, const ContactFacts& after,
                std::uint64_t key) {
  if (before.tags.empty() && after.tags.empty()) return;
  const std::vector<std::string> old_tags = NormalizedTags(before);
  const std::vector<std::string> new_tags = NormalizedTags(after);
  std::vector<std::string> changed;
  std::set_difference(old_tags.begin(), old_tags.end(), new_tags.begin(), new_tags.end(),
                      std::back_inserter(changed));
  for (const std::string& tag : changed) RemoveFrom(state.tags, tag, key);
  changed.clear();
  std::set_difference(new_tags.begin(), new_tags.end(), old_tags.begin(), old_tags.end(),
                      std::back_inserter(changed));
  for (const std::string& tag : changed) state.tags[tag].add(key);
}

void AddAttribute(IndexState& state, const std::pair<std::string, std::string>& attribute,
                  std::uint64_t key) {
  AttributeIndex& index = state.attributes[attribute.first];
  index.present.add(key);
  index.by_value[attribute.second].add(key);
  if (const auto number = ParseDecimal(attribute.second)) index.by_number[*number].add(key);
}

void RemoveAttribute(IndexState& state, const std::pair<std::string, std::string>& attribute,
                     std::uint64_t key) {
  const auto it = state.attributes.find(attribute.first);
  if (it == state.attributes.end()) return;
  AttributeIndex& index = it->second;
  index.present.remove(key);
  RemoveFrom(index.by_value, attribute.second, key);
  if (const auto number = ParseDecimal(attribute.second)) RemoveFrom(index.by_number, *number, key);
  if (index.present.isEmpty()) state.attributes.erase(it);
}

void UpdateAttributes(IndexState& state, const ContactFacts& before, const ContactFacts& after,
                      std::uint64_t key) {
  if (before.attributes.empty() && after.attributes.empty()) return;
  const Attributes old_attributes = NormalizedAttributes(before);
  const Attributes new_attributes = NormalizedAttributes(after);
  auto contains = [](const Attributes& attributes, const std::pair<std::string, std::string>& a) {
    return std::binary_search(attributes.begin(), attributes.end(), a);
  };
  for (const auto& attribute : old_attributes) {
    if (!contains(new_attributes, attribute)) RemoveAttribute(state, attribute, key);
  }
  for (const auto& attribute : new_attributes) {
    if (!contains(old_attributes, attribute)) AddAttribute(state, attribute, key);
  }
}

void Apply(IndexState& state, const ContactFacts& before, const ContactFacts& after,
           std::uint64_t key) {
  UpdateFlag(state.opted_out, before.opted_out, after.opted_out, key);
  UpdateFlag(state.consent_marketing, before.consent_marketing, after.consent_marketing, key);
  UpdateFlag(state.consent_utility, before.consent_utility, after.consent_utility, key);
  UpdateKeyed(state.countries, NormalizeCountry(before.country), NormalizeCountry(after.country),
              key);
  // Keys, not parsed tags: a language stored before tags were validated still counts.
  UpdateKeyed(state.languages, LanguageKey(before.language), LanguageKey(after.language), key);
  UpdateTags(state, before, after, key);
  UpdateAttributes(state, before, after, key);
  const auto old_minute = InboundMinute(before);
  const auto new_minute = InboundMinute(after);
  if (old_minute != new_minute) {
    if (old_minute) state.last_inbound.Clear(key, *old_minute);
    if (new_minute) state.last_inbound.Set(key, *new_minute);
  }
}

void CompactBitmap(Bitmap& bitmap) {
  bitmap.runOptimize();
  bitmap.shrinkToFit();
}

template <typename Map>
std::size_t KeyedBytes(const Map& map) {
  // Per entry: the bitmap, a tree or hash node (about 64 bytes) and the key's heap buffer.
  std::size_t bytes = 0;
  for (const auto& [name, bitmap] : map) {
    bytes += BitmapBytes(bitmap) + 64;
    if constexpr (std::is_same_v<std::decay_t<decltype(name)>, std::string>) {
      if (name.capacity() > 15) bytes += name.capacity() + 1;
    }
  }
  return bytes;
}

}  // namespace
}  // namespace detail

ContactIndex::ContactIndex() : state_(std::make_unique<detail::IndexState>()) {}
ContactIndex::~ContactIndex() = default;
ContactIndex::ContactIndex(ContactIndex&& other) noexcept = default;
ContactIndex& ContactIndex::operator=(ContactIndex&& other) noexcept = default;

void ContactIndex::Upsert(const ContactFacts* before, const ContactFacts& after) {
  if (before != nullptr && before->id != after.id) {
    Remove(*before);  // a caller mix-up; keep the index consistent with `after` anyway
    before = nullptr;
  }
  const std::uint64_t key = detail::KeyOf(after.id);
  state_->all.add(key);
  detail::Apply(*state_, before != nullptr ? *before : detail::kNoFacts, after, key);
}

void ContactIndex::Remove(const ContactFacts& before) {
  const std::uint64_t key = detail::KeyOf(before.id);
  detail::Apply(*state_, before, detail::kNoFacts, key);
  state_->all.remove(key);
}

void ContactIndex::RenameTag(std::string_view from, std::string_view to) {
  const std::string old_key = detail::NormalizeName(from), new_key = detail::NormalizeName(to);
  if (old_key == new_key) return;
  auto& tags = state_->tags;
  auto found = tags.find(old_key);
  if (found == tags.end()) return;
  detail::Bitmap moved = std::move(found->second);
  tags.erase(found);
  auto target = tags.find(new_key);
  if (target == tags.end()) {
    tags.emplace(new_key, std::move(moved));
  } else {
    target->second |= moved;
  }
}

void ContactIndex::DeleteTag(std::string_view name) {
  state_->tags.erase(detail::NormalizeName(name));
}

std::uint64_t ContactIndex::Size() const { return state_->all.cardinality(); }

bool ContactIndex::Contains(ContactId id) const { return state_->all.contains(detail::KeyOf(id)); }

void ContactIndex::Compact() {
  detail::IndexState& s = *state_;
  for (detail::Bitmap* bitmap : {&s.all, &s.opted_out, &s.consent_marketing, &s.consent_utility}) {
    detail::CompactBitmap(*bitmap);
  }
  for (auto& [tag, bitmap] : s.tags) detail::CompactBitmap(bitmap);
  for (auto& [country, bitmap] : s.countries) detail::CompactBitmap(bitmap);
  for (auto& [language, bitmap] : s.languages) detail::CompactBitmap(bitmap);
  for (auto& [key, attribute] : s.attributes) {
    detail::CompactBitmap(attribute.present);
    for (auto& [value, bitmap] : attribute.by_value) detail::CompactBitmap(bitmap);
    for (auto& [number, bitmap] : attribute.by_number) detail::CompactBitmap(bitmap);
  }
  s.last_inbound.Compact();
}

std::size_t ContactIndex::MemoryBytes() const {
  const detail::IndexState& s = *state_;
  std::size_t bytes = sizeof(detail::IndexState);
  for (const detail::Bitmap* bitmap :
       {&s.all, &s.opted_out, &s.consent_marketing, &s.consent_utility}) {
    bytes += detail::BitmapBytes(*bitmap);
  }
  bytes += detail::KeyedBytes(s.tags) + detail::KeyedBytes(s.countries) +
           detail::KeyedBytes(s.languages);
  for (const auto& [key, attribute] : s.attributes) {
    bytes += sizeof(detail::AttributeIndex) + 64 + key.capacity() + 1;
    bytes += detail::BitmapBytes(attribute.present) + detail::KeyedBytes(attribute.by_value) +
             detail::KeyedBytes(attribute.by_number);
  }
  return bytes + s.last_inbound.MemoryBytes();
}

}  // namespace herald::campaign
