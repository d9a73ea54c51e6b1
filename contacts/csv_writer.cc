// The rejects file, written with the shared CSV writer (common/csv.h).
#include <algorithm>
#include <ostream>

#include "common/csv.h"
#include "contacts/detail/field_rules.h"
#include "contacts/import_reader.h"

namespace herald::contacts {
namespace {

// `name`, or "reject_<name>" when a source column is already called so.
std::string ExtraColumnName(const std::vector<std::string>& source_columns, std::string name) {
  for (const auto& column : source_columns) {
    if (detail::EqualsIgnoreCase(detail::TrimBlanks(column), name)) return "reject_" + name;
  }
  return name;
}

}  // namespace

RejectsCsvWriter::RejectsCsvWriter(std::ostream& out, std::vector<std::string> source_columns,
                                   char delimiter)
    : out_(out), width_(source_columns.size()), delimiter_(delimiter) {
  std::vector<std::string> header;
  header.reserve(source_columns.size() + 2);
  header.push_back(ExtraColumnName(source_columns, "line"));
  header.push_back(ExtraColumnName(source_columns, "reason"));
  for (auto& column : source_columns) header.push_back(std::move(column));
  WriteCsvRow(out_, header, ContactCsvOptions(delimiter_));
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
  AppendCsvRow(row_, fields, ContactCsvOptions(delimiter_));
  out_ << row_;
}

}  // namespace herald::contacts
