#include <algorithm>
#include <limits>

#include "campaign/contact_index.h"
#include "campaign/detail/contact_set_rep.h"

namespace herald::campaign {
namespace {

// CRoaring 0.2's iterator declares its comparisons as non-const members, which C++20's reversed
// candidates make ambiguous (clang: -Wambiguous-reversed-operator): call the member directly.
bool NotAtEnd(detail::Bitmap::const_iterator& it, detail::Bitmap::const_iterator& end) {
  return it.operator!=(end);
}

}  // namespace

ContactSet::ContactSet() : rep_(std::make_unique<detail::ContactSetRep>()) {}
ContactSet::~ContactSet() = default;
ContactSet::ContactSet(ContactSet&& other) noexcept = default;
ContactSet& ContactSet::operator=(ContactSet&& other) noexcept = default;

ContactSet::ContactSet(const ContactSet& other) : rep_(std::make_unique<detail::ContactSetRep>()) {
  if (other.rep_) rep_->bitmap = other.rep_->bitmap;
}

ContactSet& ContactSet::operator=(const ContactSet& other) {
  if (this != &other) *this = ContactSet(other);
  return *this;
}

// A moved-from set (rep_ == nullptr) behaves as an empty one.
std::uint64_t ContactSet::Count() const { return rep_ ? rep_->bitmap.cardinality() : 0; }

bool ContactSet::Contains(ContactId id) const {
  return rep_ && rep_->bitmap.contains(detail::KeyOf(id));
}

void ContactSet::ForEach(const std::function<bool(ContactId)>& visit) const {
  if (!rep_) return;
  const detail::Bitmap& bitmap = rep_->bitmap;
  for (auto it = bitmap.begin(), end = bitmap.end(); NotAtEnd(it, end); ++it) {
    if (!visit(detail::IdOf(*it))) return;
  }
}

std::vector<ContactId> ContactSet::Page(std::optional<ContactId> after, std::size_t limit) const {
  std::vector<ContactId> page;
  if (!rep_ || limit == 0) return page;
  const detail::Bitmap& bitmap = rep_->bitmap;
  auto it = bitmap.begin();
  auto end = bitmap.end();
  if (after) {
    const std::uint64_t key = detail::KeyOf(*after);
    if (key == std::numeric_limits<std::uint64_t>::max() || !it.move(key + 1)) return page;
  }
  for (; NotAtEnd(it, end) && page.size() < limit; ++it) page.push_back(detail::IdOf(*it));
  return page;
}

std::vector<ContactId> ContactSet::Sample(std::size_t limit) const {
  std::vector<ContactId> sample;
  const std::uint64_t count = Count();
  const std::uint64_t taken = std::min<std::uint64_t>(limit, count);
  sample.reserve(taken);
  for (std::uint64_t i = 0; i < taken; ++i) {
    std::uint64_t key = 0;
    // Evenly spaced ranks; i * count cannot overflow for any set that fits in memory.
    if (rep_->bitmap.select(i * count / taken, &key)) sample.push_back(detail::IdOf(key));
  }
  return sample;
}

}  // namespace herald::campaign
