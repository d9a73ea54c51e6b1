// CSV output: RFC 4180 quoting for exports and the rejects file.
#include <algorithm>
#include <ostream>

#include "contacts/detail/field_rules.h"
#include "contacts/import_reader.h"

namespace herald::contacts {
namespace {

bool NeedsQuotes(std::string_view field, char delimiter) {
  for (char c : field) {
    if (c == delimiter || c == '"' || c == '\r' || c == '\n') return true;
  }
  // Readers (ours included) trim unquoted spaces; quotes at least keep them for the others.
  return !field.empty() && (field.front() == ' ' || field.front() == '\t' || field.back() == ' ' ||
                            field.back() == '\t');
}

void AppendField(std::string& out, std::string_view field, char delimiter) {
  if (!NeedsQuotes(field, delimiter)) {
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

template <typename Fields>
void AppendRow(std::string& out, const Fields& fields, char delimiter) {
  // A lone empty field would be an empty line, which readers skip.
  if (fields.size() == 1 && fields[0].empty()) {
    out += "\"\"\r\n";
    return;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += delimiter;
    AppendField(out, fields[i], delimiter);
  }
  out += "\r\n";
}

// `name`, or "reject_<name>" when a source column is already called so.
std::string ExtraColumnName(const std::vector<std::string>& source_columns, std::string name) {
  for (const auto& column : source_columns) {
    if (detail::EqualsIgnoreCase(detail::TrimBlanks(column), name)) return "reject_" + name;
  }
  return name;
}

}  // namespace

void AppendCsvRow(std::string& out, std::span<const std::string> fields, char delimiter) {
  AppendRow(out, fields, delimiter);
}

void AppendCsvRow(std::string& out, std::span<const std::string_view> fields, char delimiter) {
  AppendRow(out, fields, delimiter);
}

void WriteCsvRow(std::ostream& out, std::span<const std::string> fields, char delimiter) {
  std::string row;
  AppendRow(row, fields, delimiter);
  out << row;
}

RejectsCsvWriter::RejectsCsvWriter(std::ostream& out, std::vector<std::string> source_columns,
                                   char delimiter)
    : out_(out), width_(source_columns.size()), delimiter_(delimiter) {
  std::vector<std::string> header;
  header.reserve(source_columns.size() + 2);
  header.push_back(ExtraColumnName(source_columns, "line"));
  header.push_back(ExtraColumnName(source_columns, "reason"));
  for (auto& column : source_columns) header.push_back(std::move(column));
  WriteCsvRow(out_, header, delimiter_);
}

void RejectsCsvWriter::Write(const Reject& reject) {
  std::vector<std::string_view> fields;
  fields.reserve(std::max(reject.fields.size(), width_) + 2);
  const std::string line = std::to_string(reject.line);
  fields.push_back(line);
  fields.push_back(reject.ReasonWithoutLine());  // the line is the column before
  for (const auto& field : reject.fields) fields.push_back(field);
  while (fields.size() < width_ + 2) fields.push_back({});
  row_.clear();
  AppendRow(row_, fields, delimiter_);
  out_ << row_;
}

}  // namespace herald::contacts
