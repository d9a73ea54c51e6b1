// Helpers for the contacts tests: read a whole text and sort what came out.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "contacts/import_reader.h"

namespace herald::contacts::testing {

struct ReadOutput {
  std::vector<RowResult> rows;  // in file order
  std::vector<ContactRecord> records;
  std::vector<Reject> rejects;
  Status status;
  char delimiter = 0;
  std::vector<std::string> columns;
};

inline Result<ReadOutput> TryReadAll(const std::string& text, Format format = Format::kAuto,
                                     ReaderOptions options = {}) {
  std::istringstream in(text);
  auto reader = ContactReader::Open(in, format, options);
  if (!reader.ok()) return reader.error();
  ReadOutput output;
  while (auto row = (*reader)->Next()) {
    if (auto* record = std::get_if<ContactRecord>(&*row)) output.records.push_back(*record);
    if (auto* reject = std::get_if<Reject>(&*row)) output.rejects.push_back(*reject);
    output.rows.push_back(std::move(*row));
  }
  output.status = (*reader)->status();
  output.delimiter = (*reader)->delimiter();
  output.columns = (*reader)->columns();
  return output;
}

inline ReadOutput ReadAll(const std::string& text, Format format = Format::kAuto,
                          ReaderOptions options = {}) {
  auto output = TryReadAll(text, format, options);
  if (!output.ok()) {
    ADD_FAILURE() << "Open failed: " << output.error().ToString();
    return {};
  }
  return std::move(output).value();
}

// The message of Open's error, or "" when Open succeeded.
inline std::string OpenError(const std::string& text, Format format = Format::kAuto,
                             ReaderOptions options = {}) {
  auto output = TryReadAll(text, format, options);
  return output.ok() ? std::string() : output.error().message;
}

// The single row of `text`: its record, or a failure naming the reject.
inline ContactRecord OnlyRecord(const std::string& text, Format format = Format::kAuto) {
  ReadOutput output = ReadAll(text, format);
  if (output.rows.size() != 1 || output.records.size() != 1) {
    ADD_FAILURE() << "expected one record, got " << output.records.size() << " records and "
                  << output.rejects.size() << " rejects"
                  << (output.rejects.empty() ? "" : ": " + output.rejects[0].reason);
    return {};
  }
  return output.records[0];
}

// The reason of the single row of `text`, which must be a reject.
inline std::string OnlyRejectReason(const std::string& text, Format format = Format::kAuto) {
  ReadOutput output = ReadAll(text, format);
  if (output.rows.size() != 1 || output.rejects.size() != 1) {
    ADD_FAILURE() << "expected one reject, got " << output.records.size() << " records and "
                  << output.rejects.size() << " rejects";
    return {};
  }
  return output.rejects[0].reason;
}

// A test parameter name from free text: "too many fields" -> "TooManyFields"; with `index`
// appended (for names made from values, which may collide once punctuation is dropped).
inline std::string ParamName(std::string_view text, std::optional<std::size_t> index = {}) {
  std::string name;
  bool upper = true;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  if (name.empty()) name = "Empty";
  if (index) name += "_" + std::to_string(*index);
  return name;
}

}  // namespace herald::contacts::testing
