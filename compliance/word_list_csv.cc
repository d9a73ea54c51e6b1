#include "compliance/word_list_csv.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <utility>

#include "common/csv.h"
#include "common/suggest.h"

namespace herald::compliance {
namespace {

enum Column : std::size_t { kTermColumn, kMatchColumn, kSeverityColumn, kNoteColumn };
constexpr std::array<std::string_view, 4> kColumnNames{"term", "match", "severity", "note"};
constexpr std::size_t kNoField = static_cast<std::size_t>(-1);

constexpr std::array<MatchKind, 5> kMatchKinds{
    MatchKind::kWord, MatchKind::kPhrase, MatchKind::kPrefix, MatchKind::kRegex, MatchKind::kAllow};
constexpr std::array<Severity, 2> kSeverities{Severity::kBlock, Severity::kReview};

// Appends rather than `"\"" + std::string(text)`: GCC 12 at -O3 reports a false -Wrestrict for
// the latter.
std::string Quoted(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted.append(1, '"').append(text).append(1, '"');
  return quoted;
}

// Lower-cased, without surrounding spaces and tabs: how `match`, `severity` and header names are
// compared.
std::string Canonical(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  text = text.substr(first, text.find_last_not_of(" \t") - first + 1);
  std::string lower(text);
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return lower;
}

// "unknown <what> "wrd"; expected one of word, phrase, …; did you mean "word"?"
template <typename Names>
std::string UnknownValue(std::string_view what, std::string_view typed, const Names& names) {
  std::vector<std::string_view> candidates(names.begin(), names.end());
  std::string message = typed.empty() ? "empty " + std::string(what)
                                      : "unknown " + std::string(what) + " " + Quoted(typed);
  message += "; expected one of ";
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    message += (i == 0 ? "" : ", ") + std::string(candidates[i]);
  }
  if (!typed.empty()) {
    if (const auto close = ClosestMatch(typed, candidates)) {
      message += "; did you mean " + Quoted(*close) + "?";
    }
  }
  return message;
}

template <typename Enum, std::size_t N>
std::optional<Enum> FindByName(const std::array<Enum, N>& values, std::string_view (*name_of)(Enum),
                               std::string_view name) {
  for (Enum value : values) {
    if (name_of(value) == name) return value;
  }
  return std::nullopt;
}

// Collects errors up to kMaxWordListCsvErrors; the last one allowed says that checking stopped.
class ErrorList : public CsvFileErrors {
 public:
  explicit ErrorList(std::string_view source) : CsvFileErrors(source, kMaxWordListCsvErrors) {}
};

// Where each column is in a record: field index per Column, kNoField when absent.
using ColumnMap = std::array<std::size_t, kColumnNames.size()>;

// One record of the file, with the line it starts on (1-based).
struct Record {
  int line = 0;
  std::vector<std::string> fields;
};

// What is wrong with the structure of a row, for an officer who edits the file by hand.
std::string_view RowErrorMessage(CsvRowError error) {
  switch (error) {
    case CsvRowError::kQuoteInUnquotedField:
      return "a quote inside an unquoted field; quote the whole field and double the quote (\"\")";
    case CsvRowError::kTextAfterClosingQuote:
      return "text after a closing quote; a quote inside a quoted field must be doubled (\"\")";
    case CsvRowError::kUnterminatedQuote:
      return "a quoted field is not closed before the end of the file";
    case CsvRowError::kRowTooLong:
      return "the record is too long";
    case CsvRowError::kNone:
      break;
  }
  return "";
}

bool LooksLikeHeader(const Record& header) {
  return std::any_of(header.fields.begin(), header.fields.end(), [](const std::string& field) {
    return ClosestMatch(Canonical(field), kColumnNames).has_value();
  });
}

// The column map the header describes, or nullopt after reporting why it cannot be used.
std::optional<ColumnMap> ReadHeader(const Record& header, ErrorList& errors) {
  if (!LooksLikeHeader(header)) {
    errors.Add(header.line, "",
               "missing header: the first line must name the columns, e.g. "
               "term,match,severity,note");
    return std::nullopt;
  }
  ColumnMap columns;
  columns.fill(kNoField);
  const std::size_t errors_before = errors.size();
  std::vector<std::string_view> suggested;  // a misspelt column is not reported missing too
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = Canonical(header.fields[i]);
    const auto known = std::find(kColumnNames.begin(), kColumnNames.end(), name);
    if (known == kColumnNames.end()) {
      errors.Add(header.line, header.fields[i], UnknownValue("column", name, kColumnNames));
      if (const auto close = ClosestMatch(name, kColumnNames)) suggested.push_back(*close);
      continue;
    }
    std::size_t& slot = columns[static_cast<std::size_t>(known - kColumnNames.begin())];
    if (slot != kNoField) {
      errors.Add(header.line, name, "column " + Quoted(name) + " is named twice");
    }
    slot = i;
  }
  for (std::size_t column : {kTermColumn, kMatchColumn, kSeverityColumn}) {
    const bool misspelt =
        std::find(suggested.begin(), suggested.end(), kColumnNames[column]) != suggested.end();
    if (columns[column] == kNoField && !misspelt) {
      errors.Add(header.line, kColumnNames[column],
                 "missing column " + Quoted(kColumnNames[column]) +
                     "; the header must name term, match and severity (note is optional)");
    }
  }
  if (errors.size() != errors_before) return std::nullopt;
  return columns;
}

std::string_view FieldOf(const Record& record, const ColumnMap& columns, Column column) {
  const std::size_t index = columns[column];
  return index < record.fields.size() ? std::string_view(record.fields[index]) : std::string_view();
}

// Checks one data record; the term when it is valid. Duplicates are checked by the caller.
std::optional<Term> ReadTerm(const Record& record, const ColumnMap& columns,
                             std::size_t header_width, ErrorList& errors) {
  if (record.fields.size() > header_width) {
    errors.Add(record.line, "",
               std::to_string(record.fields.size()) + " fields, but the header names " +
                   std::to_string(header_width) +
                   " columns; quote a term or note that contains a comma");
    return std::nullopt;
  }
  Term term;
  term.text = std::string(FieldOf(record, columns, kTermColumn));
  term.note = std::string(FieldOf(record, columns, kNoteColumn));
  const std::string match = Canonical(FieldOf(record, columns, kMatchColumn));
  const std::string severity = Canonical(FieldOf(record, columns, kSeverityColumn));
  const auto kind = FindByName(kMatchKinds, MatchKindName, match);
  const auto level = FindByName(kSeverities, SeverityName, severity);
  if (term.text.empty()) errors.Add(record.line, "term", "empty term");
  if (!kind) {
    std::vector<std::string_view> names;
    for (MatchKind k : kMatchKinds) names.push_back(MatchKindName(k));
    errors.Add(record.line, "match", UnknownValue("match kind", match, names));
  }
  if (!level) {
    std::vector<std::string_view> names;
    for (Severity s : kSeverities) names.push_back(SeverityName(s));
    errors.Add(record.line, "severity", UnknownValue("severity", severity, names));
  }
  if (term.text.empty() || !kind || !level) return std::nullopt;
  term.kind = *kind;
  term.severity = *level;
  return term;
}

}  // namespace

std::string WordListCsvResult::ErrorsToString() const { return CsvFileErrorsToString(errors); }

WordListCsvResult ParseWordListCsv(std::string_view csv, std::string_view source_name) {
  ErrorList errors(source_name);
  ChunkedInput input(csv);
  input.SkipByteOrderMark();
  CsvTokenizer tokenizer(input, csv.size() + 1);
  CsvRow row;
  Record record;
  std::optional<ColumnMap> columns;
  std::size_t header_width = 0;
  std::vector<Term> terms;
  std::map<std::pair<std::string, MatchKind>, int> first_line;  // (term, kind) -> line
  while (!errors.full() && tokenizer.Next(row)) {
    if (row.IsBlank()) continue;
    record.line = static_cast<int>(row.line);
    if (row.error != CsvRowError::kNone) {
      errors.Add(record.line, "", std::string(RowErrorMessage(row.error)));
      continue;
    }
    record.fields = row.Fields();
    if (!columns) {
      if (!(columns = ReadHeader(record, errors))) break;
      header_width = record.fields.size();
      continue;
    }
    auto term = ReadTerm(record, *columns, header_width, errors);
    if (!term) continue;
    auto [seen, added] = first_line.try_emplace({term->text, term->kind}, record.line);
    if (!added) {
      errors.Add(record.line, "term",
                 "duplicate: " + Quoted(term->text) + " with match " +
                     std::string(MatchKindName(term->kind)) + " is already on line " +
                     std::to_string(seen->second));
      continue;
    }
    if (Status valid = ValidateTerm(*term); !valid.ok()) {
      errors.Add(record.line, "term", valid.error().message);
      continue;
    }
    terms.push_back(std::move(*term));
  }
  if (!columns && errors.empty()) {
    errors.Add(0, "", "empty file: expected a header line such as term,match,severity,note");
  }
  WordListCsvResult result;
  result.errors = errors.Take();
  if (result.errors.empty()) result.terms = std::move(terms);
  return result;
}

std::string WriteWordListCsv(std::span<const Term> terms) {
  // Terms read back byte for byte: no formula guard, and blanks need no quotes (nothing is
  // trimmed). LF line ends: the starter lists are edited by hand.
  CsvWriteOptions options;
  options.line_end = "\n";
  options.quote_surrounding_blanks = false;
  std::string csv = "term,match,severity,note\n";
  for (const Term& term : terms) {
    const std::array<std::string_view, 4> fields = {term.text, MatchKindName(term.kind),
                                                    SeverityName(term.severity), term.note};
    AppendCsvRow(csv, fields, options);
  }
  return csv;
}

}  // namespace herald::compliance
