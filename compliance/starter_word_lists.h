// The word lists Herald starts with: data/wordlists/*.csv, compiled into the binary so that a
// fresh install blocks the obvious spam and phishing phrases before an officer has edited
// anything. Loaded into storage on first start only (see storage::WordListRepository::
// SeedStarterListsIfEmpty); afterwards the stored lists are the truth.
//
// Thread rules: pure; safe from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace herald::compliance {

struct StarterList {
  std::string_view name;      // "de", "en"
  std::string_view language;  // the language whose texts the list applies to
  std::string_view csv;       // the file's bytes, in the format of word_list_csv.h
};

// Every starter list, in name order. The "global" list (no language) starts empty and is not
// among them.
std::vector<StarterList> StarterWordLists();

}  // namespace herald::compliance
