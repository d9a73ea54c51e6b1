#include "compliance/detail/words/piece_match.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace herald::compliance::detail {
namespace {

// The run of characters one piece accepted last, remembered per piece for one call.
struct Run {
  std::size_t begin = 0;
  std::size_t end = 0;  // 0: none yet (a run never ends at 0: the view starts with ' ')
};

class PieceMatcher {
 public:
  PieceMatcher(const TermPattern& pattern, std::string_view view, std::size_t start)
      : pieces_(pattern.pieces), trail_(pattern.trail_bytes == 1), view_(view), start_(start) {
    width_ = view.size() - start + 1;
    const std::size_t needed = pieces_.size() * width_;
    thread_local std::vector<std::uint32_t> failed;
    thread_local std::uint32_t stamp = 0;
    thread_local std::vector<Run> runs;
    if (failed.size() < needed) failed.resize(needed, 0);
    if (++stamp == 0) {  // wrapped: forget every earlier call
      std::fill(failed.begin(), failed.end(), 0);
      stamp = 1;
    }
    runs.assign(pieces_.size(), Run{});
    max_steps_ = 16 * width_ + 256;
    failed_ = failed.data();
    stamp_ = stamp;
    runs_ = runs.data();
  }

  bool exhausted() const { return steps_ > max_steps_; }

  // Whether pieces [j, end) and the trailing boundary match at `pos`; `end` gets the match end.
  // False also once the step budget is spent (exhausted()).
  bool Match(std::size_t pos, std::size_t j, std::size_t& end) {
    if (++steps_ > max_steps_) return false;
    if (j == pieces_.size()) {
      if (!trail_) {
        end = pos;
        return true;
      }
      if (pos < view_.size() && view_[pos] == ' ') {
        end = pos + 1;
        return true;
      }
      return false;
    }
    std::uint32_t& failed = failed_[j * width_ + (pos - start_)];
    if (failed == stamp_) return false;
    bool matched = false;
    if (pieces_[j].gap_before) {
      std::size_t spaces = pos;
      while (spaces < view_.size() && view_[spaces] == ' ') ++spaces;
      for (std::size_t from = spaces + 1; from-- > pos && !matched;) {
        matched = MatchPiece(from, j, end);
      }
    } else {
      matched = MatchPiece(pos, j, end);
    }
    if (!matched && !exhausted()) failed = stamp_;
    return matched;
  }

 private:
  bool Accepts(const Piece& piece, std::size_t pos) const {
    if (pos + piece.length > view_.size()) return false;
    if (piece.alternate != 0 && view_[pos] == piece.alternate) return true;
    return view_.compare(pos, piece.length, std::string_view(piece.bytes, piece.length)) == 0;
  }

  // Piece j itself at `pos` (its gap, if any, already taken), then the rest: the longest run
  // first, then one character fewer at a time. Every character a piece accepts is `length`
  // bytes long (the alternate '1' only stands for ASCII i and l).
  bool MatchPiece(std::size_t pos, std::size_t j, std::size_t& end) {
    const Piece& piece = pieces_[j];
    std::size_t count = piece.repeat ? RunLength(pos, j) : (Accepts(piece, pos) ? 1 : 0);
    for (; count > 0 && !exhausted(); --count) {
      if (Match(pos + count * piece.length, j + 1, end)) return true;
    }
    return false;
  }

  // How many characters piece j accepts in a row from `pos`. Backtracking asks again from
  // positions inside the run found last; counting anew each time would make a long run cost its
  // length squared ("aaaaaa" against 4,000 a's).
  std::size_t RunLength(std::size_t pos, std::size_t j) {
    const Piece& piece = pieces_[j];
    Run& run = runs_[j];
    if (run.end != 0 && run.begin <= pos && pos <= run.end &&
        (pos - run.begin) % piece.length == 0) {
      return (run.end - pos) / piece.length;
    }
    std::size_t end = pos;
    while (Accepts(piece, end)) end += piece.length;
    run = Run{pos, end};
    return (end - pos) / piece.length;
  }

  const std::vector<Piece>& pieces_;
  const bool trail_;
  const std::string_view view_;
  const std::size_t start_;
  std::size_t width_ = 0;
  std::uint32_t* failed_ = nullptr;
  std::uint32_t stamp_ = 0;
  Run* runs_ = nullptr;
  // Remembering failures bounds the work by positions × pieces pairs, but a repeated piece still
  // tries each length of its run, so a long run of one letter against a term of that letter
  // repeated ("aaaaaa" against 4,000 a's) would cost the run's length squared. Past this budget
  // the caller asks the term's RE2 instead, which is linear.
  std::size_t steps_ = 0;
  std::size_t max_steps_ = 0;
};

}  // namespace

PieceMatch MatchPiecesAt(const TermPattern& pattern, std::string_view view, std::size_t lead) {
  if (pattern.pieces.empty() || lead + pattern.lead_bytes > view.size()) return {};
  if (pattern.lead_bytes == 1 && view[lead] != ' ') return {};
  const std::size_t start = lead + pattern.lead_bytes;
  PieceMatcher matcher(pattern, view, start);
  std::size_t end = 0;
  const bool matched = matcher.Match(start, 0, end);
  if (matcher.exhausted()) return PieceMatch{false, std::nullopt};
  return PieceMatch{true, matched ? std::optional<std::size_t>(end) : std::nullopt};
}

}  // namespace herald::compliance::detail
