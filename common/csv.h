// common/csv.h: CSV (RFC 4180) for every file Herald reads or writes: contact imports, exports and
// rejects, and word lists. One tokenizer and one writer, so that quoting means the same thing
// everywhere.
//
// Reading: CsvTokenizer splits text into rows of fields, streaming (through a ChunkedInput, in
// bounded memory, in one pass), counting physical lines, and recording the first structural
// problem of each row instead of stopping, so that the caller can reject the row and go on.
//   - Fields may be quoted; "" inside quotes is one quote; quoted fields may hold the delimiter
//     and line breaks. Rows end with LF, CRLF or a lone CR. Nothing is trimmed.
//   - The delimiter is given (set_delimiter) or sniffed from the header (SniffCsvDelimiter).
//
// Writing: AppendCsvRow quotes a field (doubling its quotes) only when it must. On request it
// guards against spreadsheet formula injection (OWASP, "CSV Injection"): a field that a
// spreadsheet would run as a formula gets a leading single quote; see NeedsFormulaGuard.
//
// Thread rules: a CsvTokenizer is used by one thread at a time; the functions are pure.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/chunked_input.h"

namespace herald {

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
  // Rows longer than `max_row_bytes` (at most 2 GiB: field offsets are 32-bit) are dropped and
  // reported as kRowTooLong.
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

// The delimiter, ',' or ';', that splits `header` (a row's text, see PeekRow) into more columns
// outside quotes; ',' on a tie.
char SniffCsvDelimiter(std::string_view header);

struct CsvWriteOptions {
  char delimiter = ',';
  // RFC 4180 says CRLF; files that people edit by hand may prefer "\n".
  std::string_view line_end = "\r\n";
  // Quote a field that starts or ends with a space or tab: readers that trim unquoted fields (the
  // contact importer among them) then keep the blanks.
  bool quote_surrounding_blanks = true;
  // Put a single quote before each field for which NeedsFormulaGuard is true. For files a person
  // opens in a spreadsheet (contact exports, rejects); not for files that must read back byte for
  // byte with a reader that does not strip the guard (word lists).
  bool guard_formulas = false;
};

// Whether a spreadsheet could run `field` as a formula: after any single quotes it starts with
// '=', '+', '-', '@', a tab or a CR, and it is not a plain number ([+-]digits[.digits], which a
// spreadsheet reads as a number, harmlessly: E.164 phone numbers like +4915112345678 and negative
// amounts are written as they are). Fields already starting with quotes count too, so that
// guarding is reversible: StripFormulaGuard(guarded) is always the original field.
bool NeedsFormulaGuard(std::string_view field);
// A field as written by a guarding writer back to the original: without its first single quote
// when what follows needs the guard; every other field unchanged.
std::string_view StripFormulaGuard(std::string_view field);

// Appends one field, quoted when it must be (and guarded when options say so).
void AppendCsvField(std::string& out, std::string_view field, const CsvWriteOptions& options = {});
// Appends one row ending with options.line_end. A row of one empty field is written as "" so
// that it is not read as a blank line.
void AppendCsvRow(std::string& out, std::span<const std::string> fields,
                  const CsvWriteOptions& options = {});
void AppendCsvRow(std::string& out, std::span<const std::string_view> fields,
                  const CsvWriteOptions& options = {});
// The same, written to a stream.
void WriteCsvRow(std::ostream& out, std::span<const std::string> fields,
                 const CsvWriteOptions& options = {});

}  // namespace herald
