// Word lists as CSV files: the format officers edit in a spreadsheet and `herald words import`
// reads. The starter lists in data/wordlists/ are written in it.
//
//   term,match,severity,note
//   kostenlos,word,block,classic spam trigger in promotional messages
//   "sie haben gewonnen",phrase,block,
//
// RFC 4180: fields separated by commas, records by LF or CRLF; a field holding a comma, quote or
// line break is quoted, quotes inside doubled. A UTF-8 byte order mark before the header is
// skipped; blank lines are skipped. The header names the columns in any order: `term`, `match`
// and `severity` are required, `note` is optional. `term` and `note` are read byte for byte (no
// trimming); `match` and `severity` ignore case and surrounding spaces.
//
// Spreadsheet formula injection: an exported term or note that starts with `=`, `+`, `-` or `@`
// is written as it is, not defused with a leading quote, because an export must import back to
// exactly the same terms (regex terms in particular start with any character). Open exports in a
// spreadsheet as text, or with formula evaluation off.
//
// Thread rules: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv_errors.h"
#include "compliance/word_filter.h"

namespace herald::compliance {

// One problem in a word list file.
using WordListCsvError = CsvFileError;

struct WordListCsvResult {
  std::optional<std::vector<Term>> terms;  // in file order; set only when errors is empty
  std::vector<WordListCsvError> errors;    // in file order, at most kMaxWordListCsvErrors
  bool ok() const { return errors.empty(); }
  // Every error, one per line.
  std::string ErrorsToString() const;
};

// A file with more problems than this is most likely not a word list at all; the last error says
// that the rest were not reported.
inline constexpr std::size_t kMaxWordListCsvErrors = 100;

// Parses and checks a whole file: unknown columns and match kinds or severities (with "did you
// mean"), empty terms, a term given twice with the same match kind, and every term as
// ValidateTerm checks it (invalid regexes, terms without letters). Reports every problem found.
WordListCsvResult ParseWordListCsv(std::string_view csv, std::string_view source_name);

// The terms as a file ParseWordListCsv reads back to exactly these terms: header
// `term,match,severity,note`, LF line ends, fields quoted only when they must be.
std::string WriteWordListCsv(std::span<const Term> terms);

}  // namespace herald::compliance
