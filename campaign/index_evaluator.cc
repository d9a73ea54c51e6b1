// Segment evaluation over the bitmaps of a ContactIndex.
#include <algorithm>
#include <chrono>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "campaign/contact_index.h"
#include "campaign/detail/contact_set_rep.h"
#include "campaign/detail/index_state.h"

namespace herald::campaign {
namespace detail {
namespace {

// A bitmap either borrowed from the index or computed for this query, so that a term that is one
// stored bitmap is never copied unless the result must be owned.
struct Operand {
  const Bitmap* view = nullptr;
  std::unique_ptr<Bitmap> owned;

  const Bitmap& get() const { return owned ? *owned : *view; }
  std::unique_ptr<Bitmap> Take() { return owned ? std::move(owned) : CopyOf(*view); }
};

Operand Borrow(const Bitmap& bitmap) { return Operand{&bitmap, nullptr}; }
Operand Own(std::unique_ptr<Bitmap> bitmap) { return Operand{nullptr, std::move(bitmap)}; }

const Bitmap& EmptyBitmap() {
  static const Bitmap empty;
  return empty;
}

template <typename Map, typename K>
Operand Find(const Map& map, const K& value) {
  const auto it = map.find(value);
  return Borrow(it == map.end() ? EmptyBitmap() : it->second);
}

std::unique_ptr<Bitmap> Difference(const Bitmap& from, const Bitmap& minus) {
  auto result = CopyOf(from);
  *result -= minus;
  return result;
}

class Evaluator {
 public:
  Evaluator(const IndexState& state, SysTime now)
      : state_(state),
        now_minute_(std::chrono::floor<std::chrono::minutes>(now).time_since_epoch().count()) {}

  Operand Eval(const SegmentExpr& expr) const {
    switch (expr.kind) {
      case SegmentExpr::Kind::kTerm:
        return std::visit([this](const auto& term) { return Term(term); }, expr.term);
      case SegmentExpr::Kind::kNot:
        return Own(Difference(state_.all, Eval(expr.children.front()).get()));
      case SegmentExpr::Kind::kAnd:
        return And(expr.children);
      case SegmentExpr::Kind::kOr:
        return Or(expr.children);
    }
    return Borrow(EmptyBitmap());
  }

 private:
  // Intersects the positive children smallest first, then subtracts the negated ones (a NOT
  // under AND never builds its complement).
  Operand And(const std::vector<SegmentExpr>& children) const {
    std::vector<std::pair<std::uint64_t, Operand>> positives;
    std::vector<const SegmentExpr*> negatives;
    for (const SegmentExpr& child : children) {
      if (child.kind == SegmentExpr::Kind::kNot) {
        negatives.push_back(&child.children.front());
      } else {
        Operand operand = Eval(child);
        const std::uint64_t count = operand.get().cardinality();
        positives.emplace_back(count, std::move(operand));
      }
    }
    std::sort(positives.begin(), positives.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::unique_ptr<Bitmap> result =
        positives.empty() ? CopyOf(state_.all) : positives.front().second.Take();
    for (std::size_t i = 1; i < positives.size() && !result->isEmpty(); ++i) {
      *result &= positives[i].second.get();
    }
    for (const SegmentExpr* negative : negatives) {
      if (result->isEmpty()) break;
      *result -= Eval(*negative).get();
    }
    return Own(std::move(result));
  }

  Operand Or(const std::vector<SegmentExpr>& children) const {
    std::unique_ptr<Bitmap> result = Eval(children.front()).Take();
    for (std::size_t i = 1; i < children.size(); ++i) *result |= Eval(children[i]).get();
    return Own(std::move(result));
  }

  Operand Term(const TagTerm& term) const { return Find(state_.tags, term.name); }
  Operand Term(const CountryTerm& term) const { return Find(state_.countries, term.code); }
  Operand Term(const OptedOutTerm&) const { return Borrow(state_.opted_out); }

  Operand Term(const OptedInTerm& term) const {
    const Bitmap& consent =
        term.purpose == Purpose::kMarketing ? state_.consent_marketing : state_.consent_utility;
    return Own(Difference(consent, state_.opted_out));
  }

  // lang:de is the union of "de" and every "de_..." language.
  Operand Term(const LanguageTerm& term) const {
    std::vector<const Bitmap*> matches;
    for (auto it = state_.languages.lower_bound(term.language);
         it != state_.languages.end() && it->first.starts_with(term.language); ++it) {
      const std::string& language = it->first;
      if (language.size() == term.language.size() || language[term.language.size()] == '_') {
        matches.push_back(&it->second);
      }
    }
    if (matches.empty()) return Borrow(EmptyBitmap());
    if (matches.size() == 1) return Borrow(*matches.front());
    auto result = CopyOf(*matches.front());
    for (std::size_t i = 1; i < matches.size(); ++i) *result |= *matches[i];
    return Own(std::move(result));
  }

  Operand Term(const AttributeTerm& term) const;

  Operand Term(const LastInboundTerm& term) const {
    const std::int64_t threshold = now_minute_ - term.Age().count();
    if (term.less_than) return Own(state_.last_inbound.GreaterThan(threshold));
    std::unique_ptr<Bitmap> result = state_.last_inbound.LessThan(threshold);
    *result |= state_.all - state_.last_inbound.present();  // never wrote: always "long ago"
    return Own(std::move(result));
  }

  const IndexState& state_;
  std::int64_t now_minute_;
};

// The union of the numeric values in [first, last).
template <typename Iterator>
std::unique_ptr<Bitmap> UnionOf(Iterator first, Iterator last) {
  auto result = std::make_unique<Bitmap>();
  for (; first != last; ++first) *result |= first->second;
  return result;
}

Operand Evaluator::Term(const AttributeTerm& term) const {
  const auto found = state_.attributes.find(term.key);
  if (found == state_.attributes.end()) return Borrow(EmptyBitmap());
  const AttributeIndex& index = found->second;
  if (const auto* text = std::get_if<std::string>(&term.value)) {
    Operand equal = Find(index.by_value, *text);
    if (term.op == CompareOp::kEq) return equal;
    return Own(Difference(index.present, equal.get()));  // kNe; the parser allows no other op
  }
  const double number = std::get<double>(term.value);
  const auto& numbers = index.by_number;
  switch (term.op) {
    case CompareOp::kEq:
      return Find(numbers, number);
    case CompareOp::kNe:
      return Own(Difference(index.present, Find(numbers, number).get()));
    case CompareOp::kLt:
      return Own(UnionOf(numbers.begin(), numbers.lower_bound(number)));
    case CompareOp::kLe:
      return Own(UnionOf(numbers.begin(), numbers.upper_bound(number)));
    case CompareOp::kGt:
      return Own(UnionOf(numbers.upper_bound(number), numbers.end()));
    case CompareOp::kGe:
      return Own(UnionOf(numbers.lower_bound(number), numbers.end()));
  }
  return Borrow(EmptyBitmap());
}

// |a AND b| without modifying either: copies the smaller one.
std::uint64_t IntersectionCount(const Bitmap& a, const Bitmap& b) {
  const bool a_smaller = a.cardinality() <= b.cardinality();
  Bitmap both;
  both = a_smaller ? a : b;
  both &= a_smaller ? b : a;
  return both.cardinality();
}

}  // namespace
}  // namespace detail

std::uint64_t ContactIndex::Count(const SegmentExpr& expr, SysTime now) const {
  return detail::Evaluator(*state_, now).Eval(expr).get().cardinality();
}

ContactSet ContactIndex::Evaluate(const SegmentExpr& expr, SysTime now) const {
  std::unique_ptr<detail::Bitmap> bitmap = detail::Evaluator(*state_, now).Eval(expr).Take();
  bitmap->shrinkToFit();  // also drops empty sub-bitmaps: see ContactSetRep
  ContactSet set;
  set.rep_->bitmap.swap(*bitmap);
  return set;
}

std::map<std::string, std::uint64_t> ContactIndex::CountByCountry(const ContactSet& set) const {
  std::map<std::string, std::uint64_t> counts;
  const std::uint64_t total = set.Count();
  if (total == 0) return counts;
  std::uint64_t with_country = 0;
  for (const auto& [country, bitmap] : state_->countries) {
    const std::uint64_t count = detail::IntersectionCount(set.rep_->bitmap, bitmap);
    if (count == 0) continue;
    counts[country] = count;
    with_country += count;
  }
  if (total > with_country) counts[""] = total - with_country;
  return counts;
}

}  // namespace herald::campaign
