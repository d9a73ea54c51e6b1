#include "common/csv_errors.h"

namespace herald {

std::string CsvFileError::ToString() const {
  std::string text = source;
  if (line > 0) {
    if (!text.empty()) text += ':';
    text += std::to_string(line);
  }
  if (!text.empty()) text += ": ";
  if (!column.empty()) text += column + ": ";
  return text + message;
}

std::string CsvFileErrorsToString(std::span<const CsvFileError> errors) {
  std::string text;
  for (const CsvFileError& error : errors) {
    if (!text.empty()) text += '\n';
    text += error.ToString();
  }
  return text;
}

void CsvFileErrors::Add(int line, std::string_view column, std::string message) {
  if (full()) return;
  if (errors_.size() + 1 == most_) {
    errors_.push_back({source_, line, "",
                       "too many errors; stopped checking here (" + std::to_string(errors_.size()) +
                           " reported above)"});
    return;
  }
  errors_.push_back({source_, line, std::string(column), std::move(message)});
}

}  // namespace herald
