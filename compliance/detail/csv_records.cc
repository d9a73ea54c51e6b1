#include "compliance/detail/csv_records.h"

#include <utility>

namespace herald::compliance::detail {

CsvRecordReader::CsvRecordReader(std::string_view text) : text_(text) {
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
}

bool CsvRecordReader::AtLineEnd() const {
  return pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r');
}

// LF, CRLF, or a lone CR (old spreadsheet exports) each end one line.
void CsvRecordReader::SkipLineEnd() {
  if (!AtLineEnd()) return;
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
}

void CsvRecordReader::SkipRestOfRecord() {
  while (pos_ < text_.size() && !AtLineEnd()) ++pos_;
  SkipLineEnd();
}

bool CsvRecordReader::Next(CsvRecord& record) {
  while (AtLineEnd()) SkipLineEnd();  // blank lines
  if (pos_ >= text_.size()) return false;
  record = CsvRecord{line_, {}, std::nullopt};
  for (;;) {
    std::string field;
    const bool quoted = pos_ < text_.size() && text_[pos_] == '"';
    if (!(quoted ? ReadQuoted(record, field) : ReadPlain(record, field))) {
      SkipRestOfRecord();
      return true;
    }
    record.fields.push_back(std::move(field));
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    SkipLineEnd();
    return true;
  }
}

bool CsvRecordReader::ReadPlain(CsvRecord& record, std::string& field) {
  const std::size_t begin = pos_;
  while (pos_ < text_.size() && text_[pos_] != ',' && !AtLineEnd()) {
    if (text_[pos_] == '"') {
      record.error =
          "a quote inside an unquoted field; quote the whole field and double the quote (\"\")";
      return false;
    }
    ++pos_;
  }
  field.assign(text_.substr(begin, pos_ - begin));
  return true;
}

bool CsvRecordReader::ReadQuoted(CsvRecord& record, std::string& field) {
  ++pos_;  // the opening quote
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != '"') {
      // Line breaks inside quotes belong to the field but still count as lines for messages.
      const bool line_end =
          c == '\n' || (c == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] != '\n'));
      if (line_end) ++line_;
      field += c;
      ++pos_;
      continue;
    }
    if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
      field += '"';
      pos_ += 2;
      continue;
    }
    ++pos_;  // the closing quote
    if (pos_ < text_.size() && text_[pos_] != ',' && !AtLineEnd()) {
      record.error =
          "text after a closing quote; a quote inside a quoted field must be doubled (\"\")";
      return false;
    }
    return true;
  }
  record.error = "a quoted field is not closed before the end of the file";
  return false;
}

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace herald::compliance::detail
