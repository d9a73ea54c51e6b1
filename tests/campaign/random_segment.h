// Random segment expressions for property tests: trees of NOT/AND/OR over every kind of term, in
// the canonical (flattened) shape ParseSegment produces.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "campaign/segment.h"

namespace herald::campaign::testing {

struct Vocabulary {
  std::vector<std::string> tags;       // lower case
  std::vector<std::string> countries;  // upper case
  std::vector<std::string> languages;  // normalised: "de", "pt_br"
  std::vector<std::string> plans;      // values of the string attribute "plan"
  std::vector<double> orders;          // thresholds for the numeric attribute "orders"
};

SegmentTerm RandomTerm(std::mt19937_64& random, const Vocabulary& vocabulary);

// A tree of at most `max_depth` operator levels above the terms.
SegmentExpr RandomSegment(std::mt19937_64& random, const Vocabulary& vocabulary, int max_depth);

}  // namespace herald::campaign::testing
