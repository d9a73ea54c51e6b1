// ContactIndex: the in-memory index that answers segment expressions over every contact (issue 3,
// "Scale"). One compressed bitmap (Roaring) per tag, country, language, consent state, opt-out and
// attribute value, plus a bit-sliced index of the last inbound message time, so that a segment
// count is a handful of bitmap operations instead of a scan. Kept in step with the database by
// its owner: rebuilt at start-up with Upsert(nullptr, facts) per contact followed by Compact(),
// then updated on every write.
//
// Thread rules: not internally synchronised. The owner serialises access (the daemon keeps the
// index on one strand): any number of const calls may run together, but Upsert, Remove and
// Compact need exclusive access. ContactSet values are independent copies and may be used on any
// thread once returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "campaign/segment.h"
#include "common/clock.h"
#include "common/ids.h"

namespace herald::campaign {

namespace detail {
struct IndexState;
struct ContactSetRep;
}  // namespace detail

// What the index needs to know about one contact. Tags and attribute keys are folded to ASCII
// lower case, countries to upper case and languages to lower case with '_' ("pt-BR" -> "pt_br")
// when indexed. Duplicate tags count once; for a duplicated attribute key the last value wins.
struct ContactFacts {
  ContactId id;
  std::vector<std::string> tags;
  std::string country;   // ISO 3166-1 alpha-2, empty when unknown
  std::string language;  // "de", "pt_BR"; empty when unknown
  bool opted_out = false;
  bool consent_marketing = false;
  bool consent_utility = false;
  std::optional<SysTime> last_inbound;  // kept at one-minute resolution
  std::vector<std::pair<std::string, std::string>> attributes;
};

// A set of contacts, the result of evaluating an expression: an independent compressed copy.
class ContactSet {
 public:
  ContactSet();
  ~ContactSet();
  ContactSet(ContactSet&& other) noexcept;
  ContactSet& operator=(ContactSet&& other) noexcept;
  ContactSet(const ContactSet& other);
  ContactSet& operator=(const ContactSet& other);

  std::uint64_t Count() const;
  bool Contains(ContactId id) const;

  // Calls `visit` for each contact in ascending id order until it returns false.
  void ForEach(const std::function<bool(ContactId)>& visit) const;

  // Up to `limit` contacts with ids greater than `after` (from the first when nullopt), in
  // ascending id order: the paging primitive for streaming exports.
  std::vector<ContactId> Page(std::optional<ContactId> after, std::size_t limit) const;

  // Up to `limit` contacts spread evenly over the set (deterministic): a preview sample.
  std::vector<ContactId> Sample(std::size_t limit) const;

 private:
  friend class ContactIndex;
  std::unique_ptr<detail::ContactSetRep> rep_;
};

class ContactIndex {
 public:
  ContactIndex();
  ~ContactIndex();
  ContactIndex(ContactIndex&& other) noexcept;
  ContactIndex& operator=(ContactIndex&& other) noexcept;
  ContactIndex(const ContactIndex&) = delete;
  ContactIndex& operator=(const ContactIndex&) = delete;

  // Adds a contact (before == nullptr) or replaces what the index knows about it. `before` must
  // be exactly the facts last given for this contact: the index keeps no per-contact copy of tags
  // or attributes, and only moves the contact between the bitmaps whose fact changed.
  void Upsert(const ContactFacts* before, const ContactFacts& after);

  // Forgets a contact; `before` must be the facts last given for it.
  void Remove(const ContactFacts& before);

  // A tag renamed on every contact that carries it (`to` joins any contacts that carry it
  // already), or deleted from every contact: one map operation, however many contacts.
  void RenameTag(std::string_view from, std::string_view to);
  void DeleteTag(std::string_view name);

  // Evaluates an expression; `now` is the instant last_inbound ages are measured from.
  std::uint64_t Count(const SegmentExpr& expr, SysTime now) const;
  ContactSet Evaluate(const SegmentExpr& expr, SysTime now) const;

  // How many contacts of `set` are in each country; contacts without a country (or no longer in
  // the index) are counted under "". Countries with no contact in the set are left out.
  std::map<std::string, std::uint64_t> CountByCountry(const ContactSet& set) const;

  std::uint64_t Size() const;  // number of contacts
  bool Contains(ContactId id) const;

  // Re-encodes bitmaps as runs where smaller and returns over-allocated memory: call after a bulk
  // load (start-up rebuild, large import). Never changes results.
  void Compact();

  // An estimate of the heap memory held: bitmap payloads, their fixed overheads and the keys of
  // the tag, country, language and attribute maps.
  std::size_t MemoryBytes() const;

 private:
  std::unique_ptr<detail::IndexState> state_;
};

}  // namespace herald::campaign
