// "Did you mean" suggestions for misspelt config keys, segment prefixes and values.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace herald {

// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), ignoring ASCII
// case: "listn" -> "listen" is 1, "lsiten" -> "listen" is 1, "Listen" -> "listen" is 0.
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `typed` when it is close enough to be a likely typo: at most 2 edits,
// or a third of the candidate's length for long names, and never a complete rewrite. Ties go to
// the earlier candidate.
std::optional<std::string_view> ClosestMatch(std::string_view typed,
                                             std::span<const std::string_view> candidates);

}  // namespace herald
