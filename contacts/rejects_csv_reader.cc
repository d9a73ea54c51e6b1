// ReadRejectsCsv: a rejects CSV (RejectsCsvWriter) read back for people, with the one CSV reader.
#include <charconv>

#include "common/chunked_input.h"
#include "common/csv.h"
#include "contacts/import_reader.h"

namespace herald::contacts {
namespace {

constexpr std::size_t kMaxRowBytes = std::size_t{1} << 20;

Error NotARejectsCsv(std::string problem) {
  return MakeError(ErrorCode::kInvalidArgument, "not a rejects CSV: " + std::move(problem));
}

}  // namespace

Result<std::vector<RejectSummary>> ReadRejectsCsv(std::string_view csv, std::size_t max_rows) {
  ChunkedInput input(csv);
  CsvTokenizer tokenizer(input, kMaxRowBytes);
  // The writer's header starts with "line" or "reject_line", then the source's delimiter.
  const std::string_view header = tokenizer.PeekRow();
  const std::size_t name_end = header.find_first_of(",;");
  if (name_end == std::string_view::npos) return NotARejectsCsv("no line and reason columns");
  tokenizer.set_delimiter(header[name_end]);
  CsvRow row;
  if (!tokenizer.Next(row) || row.field_count() < 2 ||
      (row.field(0) != "line" && row.field(0) != "reject_line")) {
    return NotARejectsCsv("the header does not start with line and reason");
  }
  std::vector<RejectSummary> rejects;
  while (rejects.size() < max_rows && tokenizer.Next(row)) {
    if (row.IsBlank()) continue;
    if (row.error != CsvRowError::kNone || row.field_count() < 2) {
      return NotARejectsCsv("line " + std::to_string(row.line) + " is malformed");
    }
    RejectSummary reject;
    const std::string_view line = row.field(0);
    const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), reject.line);
    if (error != std::errc() || end != line.data() + line.size()) {
      return NotARejectsCsv("line " + std::to_string(row.line) + " has no line number");
    }
    reject.reason = std::string(row.field(1));
    rejects.push_back(std::move(reject));
  }
  return rejects;
}

}  // namespace herald::contacts
