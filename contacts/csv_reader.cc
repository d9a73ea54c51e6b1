// The CSV ContactReader: header checks, then one record or reject per row.
#include <unordered_map>

#include "common/csv.h"
#include "contacts/detail/field_rules.h"
#include "contacts/detail/readers.h"
#include "contacts/detail/utf8.h"

namespace herald::contacts::detail {
namespace {

struct Column {
  std::string name;  // as written, trimmed: for messages
  Field field = Field::kAttribute;
  std::string attribute_key;  // kAttribute: the lower-case name
};

Error HeaderError(std::int64_t line, std::string message, std::string column = {}) {
  return MakeError(ErrorCode::kInvalidArgument, LinePrefix(line) + std::move(message),
                   std::move(column));
}

class CsvReader final : public ContactReader {
 public:
  CsvReader(std::unique_ptr<ChunkedInput> input, const ReaderOptions& options)
      : input_(std::move(input)),
        tokenizer_(*input_, options.max_row_bytes),
        max_row_bytes_(options.max_row_bytes) {}

  Status ReadHeader(char delimiter_option);

  std::optional<RowResult> Next() override;
  std::vector<std::string> LastRowFields() const override {
    return has_row_ ? Fields() : std::vector<std::string>{};
  }
  const Status& status() const override { return status_; }
  Format format() const override { return Format::kCsv; }
  const std::vector<std::string>& columns() const override { return header_; }
  char delimiter() const override { return delimiter_; }

 private:
  Status CheckColumns();
  RowResult MapRow();
  std::optional<std::string> StructuralProblem() const;
  // The file-level error when a field of the row is not UTF-8.
  std::optional<Error> NotUtf8() const;
  std::string ColumnName(std::size_t index) const;
  // The current row's fields without the formula guard of our exports (ContactCsvOptions).
  std::vector<std::string> Fields() const {
    std::vector<std::string> fields;
    fields.reserve(row_.field_count());
    for (std::size_t i = 0; i < row_.field_count(); ++i) {
      fields.emplace_back(StripFormulaGuard(row_.field(i)));
    }
    return fields;
  }
  // A reject of the current row; `problem` without the line.
  Reject MakeReject(const std::string& problem) const {
    return Reject{row_.line, LinePrefix(row_.line) + problem, Fields()};
  }

  std::unique_ptr<ChunkedInput> input_;
  CsvTokenizer tokenizer_;
  std::size_t max_row_bytes_;
  RecordBuilder builder_;
  char delimiter_ = ',';
  std::vector<std::string> header_;
  std::vector<Column> columns_;
  static constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);
  std::size_t phone_column_ = kNoColumn;
  CsvRow row_;
  Status status_;
  bool done_ = false;
  bool has_row_ = false;  // row_ holds the row last returned
};

Status CsvReader::ReadHeader(char delimiter_option) {
  tokenizer_.SkipEmptyLines();
  delimiter_ = delimiter_option != 0 ? delimiter_option : SniffCsvDelimiter(tokenizer_.PeekRow());
  tokenizer_.set_delimiter(delimiter_);
  if (!tokenizer_.Next(row_)) {
    if (input_->failed()) return MakeError(ErrorCode::kIoError, "reading the input failed");
    return MakeError(ErrorCode::kInvalidArgument, "the input is empty: a header line is needed");
  }
  if (const auto problem = StructuralProblem()) {
    return HeaderError(row_.line, "header: " + *problem);
  }
  if (auto not_utf8 = NotUtf8()) return *not_utf8;
  header_ = row_.Fields();
  return CheckColumns();
}

Status CsvReader::CheckColumns() {
  if (header_.size() > kMaxImportColumns) {
    return HeaderError(row_.line, "the header has " + std::to_string(header_.size()) +
                                      " columns; at most " + std::to_string(kMaxImportColumns) +
                                      " are allowed");
  }
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < header_.size(); ++i) {
    Column column;
    column.name = std::string(TrimBlanks(header_[i]));
    if (column.name.empty()) {
      return HeaderError(row_.line, "column " + std::to_string(i + 1) + " has no name");
    }
    std::string lower = ToLowerAscii(column.name);
    const auto [it, inserted] = seen.emplace(lower, i);
    if (!inserted) {
      return HeaderError(row_.line,
                         "duplicate column " + Quoted(column.name) + " (columns " +
                             std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")",
                         column.name);
    }
    column.field = FieldForName(lower);
    if (column.field == Field::kPhone) phone_column_ = i;
    if (column.field == Field::kAttribute) {
      if (!IsAttributeKey(lower)) {
        return HeaderError(row_.line,
                           "column " + Quoted(column.name) +
                               " cannot be an attribute: attribute names are " +
                               std::string(kAttributeKeyRule),
                           column.name);
      }
      column.attribute_key = std::move(lower);
    }
    columns_.push_back(std::move(column));
  }
  if (phone_column_ == kNoColumn) return HeaderError(row_.line, "no \"phone\" column", "phone");
  return Status::Ok();
}

std::optional<RowResult> CsvReader::Next() {
  has_row_ = false;
  while (!done_) {
    if (!tokenizer_.Next(row_)) {
      done_ = true;
      if (input_->failed()) {
        status_ = MakeError(ErrorCode::kIoError,
                            "reading the input failed after line " + std::to_string(row_.line));
      }
      return std::nullopt;
    }
    if (row_.IsBlank()) continue;
    if (auto not_utf8 = NotUtf8()) {  // another encoding: every row after would be wrong too
      done_ = true;
      status_ = *not_utf8;
      return std::nullopt;
    }
    if (row_.error == CsvRowError::kUnterminatedQuote) done_ = true;
    has_row_ = true;
    return MapRow();
  }
  return std::nullopt;
}

std::optional<std::string> CsvReader::StructuralProblem() const {
  if (row_.error == CsvRowError::kNone) return std::nullopt;
  const std::string column =
      row_.error_field == CsvRow::kUnknownField ? "" : ColumnName(row_.error_field) + ": ";
  switch (row_.error) {
    case CsvRowError::kNone:
      return std::nullopt;
    case CsvRowError::kQuoteInUnquotedField:
      return column + "quote inside an unquoted field (quote the field and double the quote)";
    case CsvRowError::kTextAfterClosingQuote:
      return column + "text after the closing quote";
    case CsvRowError::kUnterminatedQuote:
      return column + "the quoted field opened on line " + std::to_string(row_.error_line) +
             " is never closed";
    case CsvRowError::kRowTooLong:
      return "the row is longer than " + std::to_string(max_row_bytes_) + " bytes";
  }
  return std::nullopt;
}

std::optional<Error> CsvReader::NotUtf8() const {
  // Field by field: a sequence cut by a delimiter would look whole in the row's data.
  std::size_t begin = 0;
  for (std::size_t i = 0; i < row_.field_count(); ++i) {
    const std::size_t bad = FindInvalidUtf8(row_.field(i));
    if (bad != std::string_view::npos) {
      // The row's line, plus the line breaks of quoted fields before the byte.
      const std::string_view before = std::string_view(row_.data).substr(0, begin + bad);
      std::int64_t line = row_.line;
      for (std::size_t k = 0; k < before.size(); ++k) {
        line += before[k] == '\n' || (before[k] == '\r' && before.substr(k + 1, 1) != "\n");
      }
      const std::string where =
          columns_.empty() ? "header field " + std::to_string(i + 1) : ColumnName(i);
      return NotUtf8Error(line, where, static_cast<unsigned char>(row_.field(i)[bad]),
                          line == 1 && begin + bad == 0);
    }
    begin = row_.ends[i];
  }
  return std::nullopt;
}

std::string CsvReader::ColumnName(std::size_t index) const {
  if (index < columns_.size()) return "column " + Quoted(columns_[index].name);
  return "field " + std::to_string(index + 1);
}

RowResult CsvReader::MapRow() {
  if (const auto problem = StructuralProblem()) return MakeReject(*problem);
  if (row_.field_count() != columns_.size()) {
    return MakeReject("expected " + std::to_string(columns_.size()) + " fields, found " +
                      std::to_string(row_.field_count()));
  }
  builder_.Reset(row_.line);
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    // A field our exports guarded against formula injection reads back as it was stored.
    const std::string_view value = StripFormulaGuard(TrimBlanks(row_.field(i)));
    if (value.empty()) continue;
    const Column& column = columns_[i];
    if (column.field == Field::kAttribute) {
      builder_.AddAttribute(column.attribute_key, std::string(value));
    } else if (auto problem = builder_.Set(column.field, value)) {
      return MakeReject(ColumnName(i) + ": " + *problem);
    }
  }
  if (!builder_.has_phone()) {
    return MakeReject(ColumnName(phone_column_) + ": empty; every row needs a phone number");
  }
  return builder_.Finish();
}

}  // namespace

Result<std::unique_ptr<ContactReader>> OpenCsvReader(std::unique_ptr<ChunkedInput> input,
                                                     const ReaderOptions& options) {
  if (options.delimiter != 0 && options.delimiter != ',' && options.delimiter != ';') {
    return MakeError(ErrorCode::kInvalidArgument, "the CSV delimiter must be ',' or ';'",
                     "delimiter");
  }
  auto reader = std::make_unique<CsvReader>(std::move(input), options);
  if (Status status = reader->ReadHeader(options.delimiter); !status.ok()) return status.error();
  return std::unique_ptr<ContactReader>(std::move(reader));
}

}  // namespace herald::contacts::detail
