// common/csv_errors.h: the problems found in a CSV file that a person edits (a word list, a price
// table), reported all at once, each with the file, line and column, so that one round of
// corrections fixes them all.
//
// Thread rules: plain values; a CsvFileErrors is used by one thread.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace herald {

struct CsvFileError {
  std::string source;  // the name the caller gave the file, e.g. "de.csv"
  int line = 0;        // 1-based line where the record starts; 0 for the file as a whole
  std::string column;  // empty when no single column
  std::string message;

  // "de.csv:3: match: unknown match kind "wrd"; did you mean "word"?"
  std::string ToString() const;
};

// Every error, one per line.
std::string CsvFileErrorsToString(std::span<const CsvFileError> errors);

// Collects errors up to `most`; the last one it takes says that checking stopped there.
class CsvFileErrors {
 public:
  CsvFileErrors(std::string_view source, std::size_t most) : source_(source), most_(most) {}

  void Add(int line, std::string_view column, std::string message);
  bool full() const { return errors_.size() >= most_; }
  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  std::vector<CsvFileError> Take() { return std::move(errors_); }

 private:
  std::string source_;
  std::size_t most_;
  std::vector<CsvFileError> errors_;
};

}  // namespace herald
