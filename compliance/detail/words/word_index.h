// The word index: finds which word, phrase, prefix and allow terms can match where in a match
// view, in time that does not grow with the number of terms.
//
// Why not one RE2::Set: an unanchored Set's DFA carries the start of every term in every state,
// and RE2 sorts a state's instructions when it builds it, so each DFA state that a new text
// needs costs time in proportion to the number of terms. With 10,000 terms a message with a
// listed term RE2 had not seen in that place cost ≈ 0.8 ms, and open vocabulary kept building
// states (bench/RESULTS.md). The index instead walks a trie from each word start.
//
// Every term match starts at a word start of the view (the ' ' before a word) and reads, with
// spaces skipped, as the term's skeleton: its letters with i, l and 1 as one symbol and runs of
// one symbol collapsed ("frrr33" and "free" are both f r e; "click  here" and "clickhere" are
// both c i c k h e r e, "li" being one run of the i symbol). That is a necessary condition, not
// a sufficient one: a candidate is confirmed by matching the term at the word start
// (piece_match.h), so the index decides what to check, never what matches.
//
// Terms in a script written without spaces (no lead boundary) can start inside a word; they are
// not indexed (ListMatcher keeps a small Set for them).
//
// Cost of a scan: linear in the text times the depth the walks reach (the longest skeleton, at
// most a few hundred symbols; ordinary text leaves the trie after two or three).
//
// Thread rules: built once, then immutable; ForEachCandidate may run on any number of threads
// (its scratch space is thread_local).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::compliance::detail {

// The skeleton symbol of one character of a view: i, l and 1 are one symbol (the patterns accept
// 1 for both letters); every other character is itself.
inline char32_t SkeletonSymbol(char32_t cp) { return cp == U'l' || cp == U'1' ? U'i' : cp; }

// Decodes the character of a view (valid UTF-8) at `i` and advances `i` past it.
inline char32_t DecodeViewCharacter(std::string_view view, std::size_t& i) {
  const auto byte = static_cast<unsigned char>(view[i]);
  if (byte < 0x80) {
    ++i;
    return byte;
  }
  const std::size_t length = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
  char32_t cp = byte & (0x7F >> length);
  for (std::size_t k = 1; k < length && i + k < view.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(view[i + k]) & 0x3F);
  }
  i += length;
  return cp;
}

// The skeleton of a view text: symbols of its characters, spaces skipped, runs collapsed.
std::u32string Skeleton(std::string_view view);

class WordIndex {
 public:
  WordIndex() = default;
  // Term i is the term with skeleton `*skeletons[i]` (non-empty).
  explicit WordIndex(const std::vector<const std::u32string*>& skeletons);

  bool empty() const { return terms_.empty(); }

  // Calls `candidate(id, lead)` for each indexed term whose skeleton the text reads from the
  // word start after the ' ' at `lead`, in increasing `lead` order. `view` is a match view text
  // (or its joined form): ' ' separated, starting with ' ', valid UTF-8.
  template <typename Candidate>
  void ForEachCandidate(std::string_view view, Candidate&& candidate) const;

 private:
  static constexpr int kDenseSlots = 36;  // a-z, 0-9
  struct Node {
    std::int32_t dense = -1;  // first of kDenseSlots entries in dense_, or -1
    std::uint32_t sparse_begin = 0;
    std::uint32_t sparse_count = 0;
    std::uint32_t terms_begin = 0;
    std::uint32_t terms_count = 0;
  };
  struct Edge {
    char32_t symbol;
    std::int32_t child;
  };

  static int DenseSlot(char32_t symbol) {
    if (symbol >= U'a' && symbol <= U'z') return static_cast<int>(symbol - U'a');
    if (symbol >= U'0' && symbol <= U'9') return 26 + static_cast<int>(symbol - U'0');
    return -1;
  }
  std::int32_t Child(const Node& node, char32_t symbol) const;
  static std::size_t SkipRun(std::string_view view, std::size_t i, char32_t last,
                             std::vector<std::uint32_t>& run_end);

  std::vector<Node> nodes_;
  std::vector<std::int32_t> dense_;
  std::vector<Edge> sparse_;  // per node, sorted by symbol
  std::vector<std::uint32_t> terms_;
};

inline std::int32_t WordIndex::Child(const Node& node, char32_t symbol) const {
  if (node.dense >= 0) {
    const int slot = DenseSlot(symbol);
    if (slot >= 0) return dense_[static_cast<std::size_t>(node.dense + slot)];
  }
  const Edge* edge = sparse_.data() + node.sparse_begin;
  const Edge* const end = edge + node.sparse_count;
  for (; edge != end && edge->symbol <= symbol; ++edge) {
    if (edge->symbol == symbol) return edge->child;
  }
  return -1;
}

// The end of the run at `i` of spaces and characters with skeleton symbol `last`. At any position
// a walk reaches, `last` is the symbol of the view's previous non-space character, whichever word
// start the walk began at, so the run's end depends on `i` alone: it is remembered for every
// position of the run, and each run is read once per scan however many walks cross it
// ("a a a a ... b", "freeeee"). That keeps a scan linear in the text.
inline std::size_t WordIndex::SkipRun(std::string_view view, std::size_t i, char32_t last,
                                      std::vector<std::uint32_t>& run_end) {
  if (run_end[i] != 0) return run_end[i];
  std::size_t end = i;
  while (end < view.size()) {
    if (view[end] == ' ') {
      ++end;
      continue;
    }
    std::size_t next = end;
    if (SkeletonSymbol(DecodeViewCharacter(view, next)) != last) break;
    end = next;
  }
  end = std::min(end, view.size());
  for (std::size_t k = i; k < end; ++k) run_end[k] = static_cast<std::uint32_t>(end);
  return end;
}

template <typename Candidate>
void WordIndex::ForEachCandidate(std::string_view view, Candidate&& candidate) const {
  if (nodes_.empty()) return;
  const Node& root = nodes_[0];
  thread_local std::vector<std::uint32_t> run_end;  // 0: not known yet
  run_end.assign(view.size() + 1, 0);
  for (std::size_t lead = 0; lead + 1 < view.size(); ++lead) {
    if (view[lead] != ' ' || view[lead + 1] == ' ') continue;
    const Node* node = &root;
    char32_t last = 0;
    std::size_t i = lead + 1;
    while (i < view.size()) {
      std::size_t next = i;
      const char32_t symbol =
          view[i] == ' ' ? U' ' : SkeletonSymbol(DecodeViewCharacter(view, next));
      if (symbol == U' ' || symbol == last) {  // a gap between words, or a stretched letter
        i = SkipRun(view, i, last, run_end);
        continue;
      }
      const std::int32_t child = Child(*node, symbol);
      if (child < 0) break;
      node = &nodes_[static_cast<std::size_t>(child)];
      last = symbol;
      i = next;
      for (std::uint32_t t = 0; t < node->terms_count; ++t) {
        candidate(terms_[node->terms_begin + t], lead);
      }
    }
  }
}

}  // namespace herald::compliance::detail
