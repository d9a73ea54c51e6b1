// contacts/detail/csv_tokenizer.h: splits RFC 4180 text into rows of fields, streaming, counting
// physical lines, and recording the first structural problem of each row instead of stopping, so
// that the caller can reject the row and go on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contacts/detail/chunked_input.h"

namespace herald::contacts::detail {

enum class CsvRowError : std::uint8_t {
  kNone,
  kQuoteInUnquotedField,   // a"b
  kTextAfterClosingQuote,  // "a"b
  kUnterminatedQuote,      // "a... to the end of the input
  kRowTooLong,             // more than about max_row_bytes; the fields are dropped
};

struct CsvRow {
  std::int64_t line = 0;            // where the row starts
  std::string data;                 // the fields' text, back to back
  std::vector<std::uint32_t> ends;  // end offset in `data` of each field
  bool had_quote = false;           // at least one field was quoted
  CsvRowError error = CsvRowError::kNone;
  static constexpr std::size_t kUnknownField = static_cast<std::size_t>(-1);
  std::size_t error_field = 0;  // index of the field with the error, or kUnknownField
  std::int64_t error_line = 0;  // line of the error (kUnterminatedQuote: where the quote opened)

  std::size_t field_count() const { return ends.size(); }
  std::string_view field(std::size_t i) const {
    const std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(data).substr(begin, ends[i] - begin);
  }
  std::vector<std::string> Fields() const;
  // An empty line: nothing but the line break.
  bool IsBlank() const {
    return ends.size() == 1 && data.empty() && !had_quote && error == CsvRowError::kNone;
  }
};

class CsvTokenizer {
 public:
  CsvTokenizer(ChunkedInput& input, std::size_t max_row_bytes);

  // ',' by default; any byte but a quote, CR or LF.
  void set_delimiter(char delimiter);

  // Consumes empty lines (counting them) so that the next row starts with text.
  void SkipEmptyLines();
  // The text of the next row without consuming it: up to its first line break outside quotes, the
  // end of the input, or about max_row_bytes.
  std::string_view PeekRow();

  // Reads the next row into `row` (an empty line gives one empty field). False at the end of the
  // input. After kUnterminatedQuote the input is at its end.
  bool Next(CsvRow& row);

 private:
  enum class State : std::uint8_t { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };

  // Scans `text` for the current row; true when the row ended inside it. *used: bytes consumed.
  bool Scan(CsvRow& row, std::string_view text, std::size_t* used);
  bool ScanUnquoted(CsvRow& row, std::string_view text, std::size_t* i);
  bool ScanQuoted(CsvRow& row, std::string_view text, std::size_t* i);
  bool ScanAfterQuote(CsvRow& row, std::string_view text, std::size_t* i);
  // Counts the line break `c` (CR or LF) just consumed at text[*i - 1]; swallows the LF of a CRLF
  // (appending it to the field when `keep` is true).
  void EndLine(CsvRow& row, char c, std::string_view text, std::size_t* i, bool keep);
  void Append(CsvRow& row, const char* data, std::size_t size);
  void EndField(CsvRow& row);
  void DropTooLongRow(CsvRow& row);
  void NoteError(CsvRow& row, CsvRowError error, std::int64_t line);

  ChunkedInput& input_;
  std::size_t max_row_bytes_;
  char delimiter_ = ',';
  std::array<bool, 256> unquoted_stop_{};  // delimiter, quote, CR, LF
  std::array<bool, 256> quoted_stop_{};    // quote, CR, LF
  State state_ = State::kFieldStart;
  std::int64_t line_ = 1;
  std::int64_t quote_line_ = 0;  // where the current quoted field opened
  bool pending_lf_ = false;      // a CR ended the last chunk: a following LF belongs to it
};

}  // namespace herald::contacts::detail
