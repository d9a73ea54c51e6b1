// Test helper: a detail::ListMatcher over one word list, and the two ways it can scan a text —
// its normal scan (word index and Sets) and matching each term on its own (the reference).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>
#include <vector>

#include "compliance/detail/words/list_matcher.h"
#include "compliance/detail/words/match_view.h"
#include "compliance/text_normaliser.h"
#include "compliance/word_filter.h"

namespace herald::compliance {

class OneListMatcher {
 public:
  // `list` must outlive this. A term or list that does not compile is a test failure.
  explicit OneListMatcher(const WordList& list, std::int64_t max_memory_bytes = 64 << 20) {
    std::vector<const detail::CompiledTerm*> pointers;
    for (const Term& term : list.terms) {
      Result<std::unique_ptr<detail::CompiledTerm>> compiled =
          detail::CompiledTerm::Create(list, term);
      if (!compiled.ok()) {
        ADD_FAILURE() << compiled.error().message;
        continue;
      }
      terms_.push_back(std::move(*compiled));
      pointers.push_back(terms_.back().get());
    }
    Result<std::unique_ptr<detail::ListMatcher>> matcher =
        detail::ListMatcher::Create(list.language, std::move(pointers), max_memory_bytes);
    if (!matcher.ok()) {
      ADD_FAILURE() << matcher.error().message;
      return;
    }
    matcher_ = std::move(*matcher);
  }

  // Matches with offsets into the normalised text, allow matches included, unsorted.
  std::vector<WordMatch> Scan(std::string_view text) const {
    std::vector<WordMatch> matches;
    if (matcher_ != nullptr) {
      EXPECT_EQ(matcher_->Scan(Prepare(text), matches), 0) << "a Set fell back: " << text;
    }
    return matches;
  }
  std::vector<WordMatch> ScanEachTerm(std::string_view text) const {
    std::vector<WordMatch> matches;
    if (matcher_ != nullptr) matcher_->ScanEachTerm(Prepare(text), matches);
    return matches;
  }

 private:
  detail::ScanText Prepare(std::string_view text) const {
    NormaliseText(text, normalised_, SourceOffsets::kSkip);
    detail::BuildMatchView(normalised_.text, view_);
    return detail::ScanText{normalised_, view_};
  }

  std::vector<std::unique_ptr<detail::CompiledTerm>> terms_;
  std::unique_ptr<detail::ListMatcher> matcher_;
  mutable NormalisedText normalised_;
  mutable detail::MatchView view_;
};

}  // namespace herald::compliance
