#include "common/csv.h"

#include <algorithm>
#include <limits>
#include <ostream>

namespace herald {
namespace {

std::uint8_t Byte(char c) { return static_cast<std::uint8_t>(c); }

}  // namespace

std::vector<std::string> CsvRow::Fields() const {
  std::vector<std::string> fields;
  fields.reserve(ends.size());
  for (std::size_t i = 0; i < ends.size(); ++i) fields.emplace_back(field(i));
  return fields;
}

CsvTokenizer::CsvTokenizer(ChunkedInput& input, std::size_t max_row_bytes)
    : input_(input),
      // Field offsets are 32-bit.
      max_row_bytes_(
          std::min<std::size_t>(max_row_bytes, std::numeric_limits<std::int32_t>::max())) {
  for (char c : {'"', '\r', '\n'}) quoted_stop_[Byte(c)] = true;
  set_delimiter(',');
}

void CsvTokenizer::set_delimiter(char delimiter) {
  unquoted_stop_ = quoted_stop_;
  delimiter_ = delimiter;
  unquoted_stop_[Byte(delimiter)] = true;
}

void CsvTokenizer::SkipEmptyLines() {
  CsvRow ignored;
  for (;;) {
    if (input_.unread().empty() && !input_.ReadMore()) return;
    const std::string_view text = input_.unread();
    if (pending_lf_) {
      pending_lf_ = false;
      if (text.front() == '\n') {
        input_.Consume(1);
        continue;
      }
    }
    const char c = text.front();
    if (c != '\r' && c != '\n') return;
    std::size_t i = 1;
    EndLine(ignored, c, text, &i, false);
    input_.Consume(i);
  }
}

std::string_view CsvTokenizer::PeekRow() {
  std::size_t scanned = 0;
  bool in_quotes = false;
  for (;;) {
    const std::string_view text = input_.unread();
    for (; scanned < text.size(); ++scanned) {
      const char c = text[scanned];
      if (c == '"') {
        in_quotes = !in_quotes;
      } else if (!in_quotes && (c == '\r' || c == '\n')) {
        return text.substr(0, scanned);
      }
    }
    if (scanned >= max_row_bytes_ || !input_.ReadMore()) return input_.unread();
  }
}

bool CsvTokenizer::Next(CsvRow& row) {
  row.line = line_;
  row.data.clear();
  row.ends.clear();
  row.had_quote = false;
  row.error = CsvRowError::kNone;
  state_ = State::kFieldStart;
  bool started = false;
  for (;;) {
    if (input_.unread().empty() && !input_.ReadMore()) {
      if (!started) return false;
      if (state_ == State::kQuoted) {  // this error matters most: it ends the file
        const bool dropped = row.error == CsvRowError::kRowTooLong;
        row.error = CsvRowError::kNone;
        NoteError(row, CsvRowError::kUnterminatedQuote, quote_line_);
        if (dropped) row.error_field = CsvRow::kUnknownField;
      }
      EndField(row);
      return true;
    }
    const std::string_view text = input_.unread();
    if (pending_lf_) {
      pending_lf_ = false;
      if (text.front() == '\n') {
        input_.Consume(1);
        if (state_ == State::kQuoted) Append(row, "\n", 1);
        continue;
      }
    }
    started = true;
    std::size_t used = 0;
    const bool ended = Scan(row, text, &used);
    input_.Consume(used);
    if (ended) return true;
  }
}

bool CsvTokenizer::Scan(CsvRow& row, std::string_view text, std::size_t* used) {
  std::size_t i = 0;
  bool ended = false;
  while (i < text.size() && !ended) {
    switch (state_) {
      case State::kFieldStart:
        if (text[i] == '"') {
          state_ = State::kQuoted;
          quote_line_ = line_;
          row.had_quote = true;
          ++i;
          break;
        }
        state_ = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted:
        ended = ScanUnquoted(row, text, &i);
        break;
      case State::kQuoted:
        ended = ScanQuoted(row, text, &i);
        break;
      case State::kQuoteInQuoted:
        ended = ScanAfterQuote(row, text, &i);
        break;
    }
  }
  *used = i;
  return ended;
}

bool CsvTokenizer::ScanUnquoted(CsvRow& row, std::string_view text, std::size_t* i) {
  const std::size_t start = *i;
  std::size_t end = start;
  while (end < text.size() && !unquoted_stop_[Byte(text[end])]) ++end;
  Append(row, text.data() + start, end - start);
  *i = end;
  if (end == text.size()) return false;
  const char c = text[(*i)++];
  if (c == delimiter_) {
    EndField(row);
    state_ = State::kFieldStart;
    return false;
  }
  if (c == '"') {
    NoteError(row, CsvRowError::kQuoteInUnquotedField, line_);
    Append(row, &c, 1);
    return false;
  }
  EndLine(row, c, text, i, false);
  EndField(row);
  return true;
}

bool CsvTokenizer::ScanQuoted(CsvRow& row, std::string_view text, std::size_t* i) {
  const std::size_t start = *i;
  std::size_t end = start;
  while (end < text.size() && !quoted_stop_[Byte(text[end])]) ++end;
  Append(row, text.data() + start, end - start);
  *i = end;
  if (end == text.size()) return false;
  const char c = text[(*i)++];
  if (c == '"') {
    state_ = State::kQuoteInQuoted;
  } else {
    Append(row, &c, 1);
    EndLine(row, c, text, i, true);
  }
  return false;
}

bool CsvTokenizer::ScanAfterQuote(CsvRow& row, std::string_view text, std::size_t* i) {
  const char c = text[*i];
  if (c == '"') {  // "" inside quotes
    Append(row, &c, 1);
    state_ = State::kQuoted;
    ++*i;
    return false;
  }
  if (c == delimiter_) {
    EndField(row);
    state_ = State::kFieldStart;
    ++*i;
    return false;
  }
  if (c == '\r' || c == '\n') {
    ++*i;
    EndLine(row, c, text, i, false);
    EndField(row);
    return true;
  }
  // Keep reading the rest of the field as unquoted text, so that the row still ends where a person
  // would expect, and reject the row.
  NoteError(row, CsvRowError::kTextAfterClosingQuote, line_);
  state_ = State::kUnquoted;
  return false;
}

void CsvTokenizer::EndLine(CsvRow& row, char c, std::string_view text, std::size_t* i, bool keep) {
  ++line_;
  if (c != '\r') return;
  if (*i < text.size()) {
    if (text[*i] == '\n') {
      if (keep) Append(row, "\n", 1);
      ++*i;
    }
  } else {
    pending_lf_ = true;  // the LF of a CRLF may start the next chunk
  }
}

void CsvTokenizer::Append(CsvRow& row, const char* data, std::size_t size) {
  if (row.error == CsvRowError::kRowTooLong) return;
  // Each field counts one byte besides its text, so that a row of delimiters is bounded too.
  if (row.data.size() + row.ends.size() + size > max_row_bytes_) {
    DropTooLongRow(row);
    return;
  }
  row.data.append(data, size);
}

void CsvTokenizer::EndField(CsvRow& row) {
  if (row.error == CsvRowError::kRowTooLong) return;
  if (row.data.size() + row.ends.size() + 1 > max_row_bytes_) {
    DropTooLongRow(row);
    return;
  }
  row.ends.push_back(static_cast<std::uint32_t>(row.data.size()));
}

void CsvTokenizer::DropTooLongRow(CsvRow& row) {
  row.error = CsvRowError::kNone;  // this one replaces any other
  NoteError(row, CsvRowError::kRowTooLong, row.line);
  row.data.clear();
  row.ends.clear();
}

void CsvTokenizer::NoteError(CsvRow& row, CsvRowError error, std::int64_t line) {
  if (row.error != CsvRowError::kNone) return;
  row.error = error;
  row.error_field = row.ends.size();
  row.error_line = line;
}

char SniffCsvDelimiter(std::string_view header) {
  std::size_t commas = 0, semicolons = 0;
  bool in_quotes = false;
  for (char c : header) {
    if (c == '"') in_quotes = !in_quotes;
    if (in_quotes) continue;
    commas += c == ',';
    semicolons += c == ';';
  }
  return semicolons > commas ? ';' : ',';
}

// Writing --------------------------------------------------------------------------------------

namespace {

bool IsFormulaStart(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool IsDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// [+-]digits[.digits]
bool IsPlainNumber(std::string_view text) {
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  const std::size_t point = text.find('.');
  if (point == std::string_view::npos) return IsDigits(text);
  return IsDigits(text.substr(0, point)) && IsDigits(text.substr(point + 1));
}

bool NeedsQuotes(std::string_view field, const CsvWriteOptions& options) {
  for (char c : field) {
    if (c == options.delimiter || c == '"' || c == '\r' || c == '\n') return true;
  }
  if (!options.quote_surrounding_blanks || field.empty()) return false;
  return field.front() == ' ' || field.front() == '\t' || field.back() == ' ' ||
         field.back() == '\t';
}

template <typename Fields>
void AppendRow(std::string& out, const Fields& fields, const CsvWriteOptions& options) {
  // A lone empty field would be an empty line, which readers skip.
  if (fields.size() == 1 && std::string_view(fields[0]).empty()) {
    out += "\"\"";
    out += options.line_end;
    return;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += options.delimiter;
    AppendCsvField(out, fields[i], options);
  }
  out += options.line_end;
}

}  // namespace

bool NeedsFormulaGuard(std::string_view field) {
  const std::size_t start = field.find_first_not_of('\'');
  if (start == std::string_view::npos) return false;
  const std::string_view rest = field.substr(start);
  return IsFormulaStart(rest.front()) && !IsPlainNumber(rest);
}

std::string_view StripFormulaGuard(std::string_view field) {
  if (field.starts_with('\'') && NeedsFormulaGuard(field.substr(1))) field.remove_prefix(1);
  return field;
}

void AppendCsvField(std::string& out, std::string_view field, const CsvWriteOptions& options) {
  const bool guard = options.guard_formulas && NeedsFormulaGuard(field);
  if (!NeedsQuotes(field, options)) {
    if (guard) out += '\'';
    out += field;
    return;
  }
  out += '"';
  if (guard) out += '\'';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendCsvRow(std::string& out, std::span<const std::string> fields,
                  const CsvWriteOptions& options) {
  AppendRow(out, fields, options);
}

void AppendCsvRow(std::string& out, std::span<const std::string_view> fields,
                  const CsvWriteOptions& options) {
  AppendRow(out, fields, options);
}

void WriteCsvRow(std::ostream& out, std::span<const std::string> fields,
                 const CsvWriteOptions& options) {
  std::string row;
  AppendRow(row, fields, options);
  out << row;
}

}  // namespace herald
