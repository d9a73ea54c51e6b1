#include "compliance/detail/words/word_index.h"

#include <algorithm>
#include <map>

namespace herald::compliance::detail {

namespace {

struct BuildNode {
  std::map<char32_t, std::int32_t> children;
  std::vector<std::uint32_t> terms;
};

std::vector<BuildNode> BuildTrie(const std::vector<const std::u32string*>& skeletons) {
  std::vector<BuildNode> trie(1);
  for (std::size_t id = 0; id < skeletons.size(); ++id) {
    std::size_t node = 0;
    for (const char32_t symbol : *skeletons[id]) {
      auto [child, inserted] =
          trie[node].children.try_emplace(symbol, static_cast<std::int32_t>(trie.size()));
      const auto next = static_cast<std::size_t>(child->second);  // before trie may grow
      if (inserted) trie.emplace_back();
      node = next;
    }
    trie[node].terms.push_back(static_cast<std::uint32_t>(id));
  }
  return trie;
}

}  // namespace

std::u32string Skeleton(std::string_view view) {
  std::u32string skeleton;
  std::size_t i = 0;
  while (i < view.size()) {
    if (view[i] == ' ') {
      ++i;
      continue;
    }
    const char32_t symbol = SkeletonSymbol(DecodeViewCharacter(view, i));
    if (skeleton.empty() || skeleton.back() != symbol) skeleton.push_back(symbol);
  }
  return skeleton;
}

WordIndex::WordIndex(const std::vector<const std::u32string*>& skeletons) {
  if (skeletons.empty()) return;
  const std::vector<BuildNode> trie = BuildTrie(skeletons);
  // A node with this many children of a-z/0-9 gets a table; the rest are searched in a short
  // sorted list. The top of the trie (every first letter, most second ones) is all tables.
  constexpr std::size_t kDenseFrom = 4;
  nodes_.assign(trie.size(), Node{});
  for (std::size_t n = 0; n < trie.size(); ++n) {
    const BuildNode& built = trie[n];
    Node& node = nodes_[n];
    const auto dense_children = static_cast<std::size_t>(
        std::count_if(built.children.begin(), built.children.end(),
                      [](const auto& child) { return DenseSlot(child.first) >= 0; }));
    if (dense_children >= kDenseFrom) {
      node.dense = static_cast<std::int32_t>(dense_.size());
      dense_.resize(dense_.size() + kDenseSlots, -1);
    }
    node.sparse_begin = static_cast<std::uint32_t>(sparse_.size());
    for (const auto& [symbol, child] : built.children) {  // std::map: sorted by symbol
      const int slot = DenseSlot(symbol);
      if (node.dense >= 0 && slot >= 0) {
        dense_[static_cast<std::size_t>(node.dense + slot)] = child;
      } else {
        sparse_.push_back(Edge{symbol, child});
      }
    }
    node.sparse_count = static_cast<std::uint32_t>(sparse_.size()) - node.sparse_begin;
    node.terms_begin = static_cast<std::uint32_t>(terms_.size());
    terms_.insert(terms_.end(), built.terms.begin(), built.terms.end());
    node.terms_count = static_cast<std::uint32_t>(built.terms.size());
  }
}

}  // namespace herald::compliance::detail
