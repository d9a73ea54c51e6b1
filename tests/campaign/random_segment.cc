#include "tests/campaign/random_segment.h"

#include <utility>

namespace herald::campaign::testing {
namespace {

template <typename T>
const T& Pick(std::mt19937_64& random, const std::vector<T>& items) {
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(random)];
}

int Below(std::mt19937_64& random, int n) {
  return std::uniform_int_distribution<int>(0, n - 1)(random);
}

AttributeTerm RandomAttribute(std::mt19937_64& random, const Vocabulary& vocabulary) {
  constexpr CompareOp kOps[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt,
                                CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};
  const CompareOp op = kOps[Below(random, 6)];
  const bool ordering = op != CompareOp::kEq && op != CompareOp::kNe;
  switch (Below(random, 5)) {
    case 0:  // the string attribute; numeric comparisons on it match nothing
      if (ordering) return {"plan", op, Pick(random, vocabulary.orders)};
      return {"plan", op, Pick(random, vocabulary.plans)};
    case 1:  // the numeric attribute compared as a string
      if (!ordering) return {"orders", op, std::to_string(Below(random, 12))};
      [[fallthrough]];
    case 2:
    case 3:
      return {"orders", op, Pick(random, vocabulary.orders)};
    default:  // an attribute few or no contacts have
      if (ordering) return {"score", op, Pick(random, vocabulary.orders)};
      return {"nickname", op, std::string("bob")};
  }
}

LastInboundTerm RandomLastInbound(std::mt19937_64& random) {
  constexpr std::pair<int, AgeUnit> kAges[] = {
      {30, AgeUnit::kMinutes}, {12, AgeUnit::kHours}, {36, AgeUnit::kHours},
      {1, AgeUnit::kDays},     {7, AgeUnit::kDays},   {30, AgeUnit::kDays},
      {90, AgeUnit::kDays},    {2, AgeUnit::kWeeks},  {26, AgeUnit::kWeeks}};
  const auto& [count, unit] = kAges[Below(random, 9)];
  return LastInboundTerm{Below(random, 2) == 0, count, unit};
}

}  // namespace

SegmentTerm RandomTerm(std::mt19937_64& random, const Vocabulary& vocabulary) {
  switch (Below(random, 10)) {
    case 0:
    case 1:
    case 2:
      return TagTerm{Pick(random, vocabulary.tags)};
    case 3:
      return CountryTerm{Pick(random, vocabulary.countries)};
    case 4:
      return LanguageTerm{Pick(random, vocabulary.languages)};
    case 5:
      return OptedInTerm{Below(random, 2) == 0 ? Purpose::kMarketing : Purpose::kUtility};
    case 6:
      return OptedOutTerm{};
    case 7:
    case 8:
      return RandomAttribute(random, vocabulary);
    default:
      return RandomLastInbound(random);
  }
}

SegmentExpr RandomSegment(std::mt19937_64& random, const Vocabulary& vocabulary, int max_depth) {
  using Kind = SegmentExpr::Kind;
  if (max_depth == 0 || Below(random, 10) < 3) {
    return SegmentExpr{Kind::kTerm, RandomTerm(random, vocabulary), {}};
  }
  const int choice = Below(random, 5);
  if (choice == 0) {
    SegmentExpr expr{Kind::kNot, {}, {}};
    expr.children.push_back(RandomSegment(random, vocabulary, max_depth - 1));
    return expr;
  }
  const Kind kind = choice <= 2 ? Kind::kAnd : Kind::kOr;
  SegmentExpr expr{kind, {}, {}};
  const int count = 2 + Below(random, 3);
  for (int i = 0; i < count; ++i) {
    SegmentExpr child = RandomSegment(random, vocabulary, max_depth - 1);
    if (child.kind != kind) {
      expr.children.push_back(std::move(child));
      continue;
    }
    // The parser flattens AND into AND and OR into OR: so does the generator.
    for (SegmentExpr& grandchild : child.children) expr.children.push_back(std::move(grandchild));
  }
  return expr;
}

}  // namespace herald::campaign::testing
