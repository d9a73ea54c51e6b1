#include "tests/campaign/naive_evaluator.h"

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

namespace herald::campaign::testing {
namespace {

std::string Fold(std::string text, bool upper) {
  for (char& c : text) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::optional<std::string> AttributeValue(const ContactFacts& contact, const std::string& key) {
  std::optional<std::string> value;
  for (const auto& [name, text] : contact.attributes) {
    if (Fold(name, false) == key) value = text;  // the last one wins
  }
  return value;
}

bool MatchesAttribute(const ContactFacts& contact, const AttributeTerm& term) {
  const std::optional<std::string> value = AttributeValue(contact, term.key);
  if (!value) return false;
  if (const auto* text = std::get_if<std::string>(&term.value)) {
    return term.op == CompareOp::kEq ? *value == *text : *value != *text;
  }
  const double wanted = std::get<double>(term.value);
  const std::optional<double> number = AttributeNumber(*value);
  switch (term.op) {
    case CompareOp::kEq:
      return number && *number == wanted;
    case CompareOp::kNe:
      return !(number && *number == wanted);
    case CompareOp::kLt:
      return number && *number < wanted;
    case CompareOp::kLe:
      return number && *number <= wanted;
    case CompareOp::kGt:
      return number && *number > wanted;
    case CompareOp::kGe:
      return number && *number >= wanted;
  }
  return false;
}

bool MatchesLastInbound(const ContactFacts& contact, const LastInboundTerm& term, SysTime now) {
  if (!contact.last_inbound) return !term.less_than;
  using std::chrono::floor;
  using std::chrono::minutes;
  const minutes age = floor<minutes>(now).time_since_epoch() -
                      floor<minutes>(*contact.last_inbound).time_since_epoch();
  return term.less_than ? age < term.Age() : age > term.Age();
}

bool MatchesTerm(const ContactFacts& contact, const SegmentTerm& term, SysTime now) {
  return std::visit(
      [&](const auto& t) -> bool {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, TagTerm>) {
          for (const std::string& tag : contact.tags) {
            if (Fold(tag, false) == t.name) return true;
          }
          return false;
        } else if constexpr (std::is_same_v<T, CountryTerm>) {
          return Fold(contact.country, true) == t.code;
        } else if constexpr (std::is_same_v<T, LanguageTerm>) {
          std::string language = Fold(contact.language, false);
          for (char& c : language) c = c == '-' ? '_' : c;
          return language == t.language || language.starts_with(t.language + "_");
        } else if constexpr (std::is_same_v<T, OptedInTerm>) {
          const bool consent = t.purpose == Purpose::kMarketing ? contact.consent_marketing
                                                                : contact.consent_utility;
          return consent && !contact.opted_out;
        } else if constexpr (std::is_same_v<T, OptedOutTerm>) {
          return contact.opted_out;
        } else if constexpr (std::is_same_v<T, AttributeTerm>) {
          return MatchesAttribute(contact, t);
        } else {
          return MatchesLastInbound(contact, t, now);
        }
      },
      term);
}

}  // namespace

bool NaiveMatches(const ContactFacts& contact, const SegmentExpr& expr, SysTime now) {
  switch (expr.kind) {
    case SegmentExpr::Kind::kTerm:
      return MatchesTerm(contact, expr.term, now);
    case SegmentExpr::Kind::kNot:
      return !NaiveMatches(contact, expr.children.front(), now);
    case SegmentExpr::Kind::kAnd:
      for (const SegmentExpr& child : expr.children) {
        if (!NaiveMatches(contact, child, now)) return false;
      }
      return true;
    case SegmentExpr::Kind::kOr:
      for (const SegmentExpr& child : expr.children) {
        if (NaiveMatches(contact, child, now)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace herald::campaign::testing
