// RFC 4180 records for the word list CSV format (word_list_csv.h): reading them one at a time with
// the line each starts on, and writing one field quoted when it has to be.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::compliance::detail {

struct CsvRecord {
  int line = 0;  // 1-based line the record starts on
  std::vector<std::string> fields;
  // Set when the record is malformed (the reader then resumes after the record's line end).
  std::optional<std::string> error;
};

class CsvRecordReader {
 public:
  // Skips a UTF-8 byte order mark at the start of `text`.
  explicit CsvRecordReader(std::string_view text);

  // The next record that is not a blank line; false at the end of the text.
  bool Next(CsvRecord& record);

 private:
  bool AtLineEnd() const;
  void SkipLineEnd();
  // One field starting at pos_; false (with record.error set) when it is malformed.
  bool ReadQuoted(CsvRecord& record, std::string& field);
  bool ReadPlain(CsvRecord& record, std::string& field);
  void SkipRestOfRecord();

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

// Appends `field`, quoted (quotes doubled) when it contains a comma, a quote or a line break.
void AppendCsvField(std::string& out, std::string_view field);

}  // namespace herald::compliance::detail
