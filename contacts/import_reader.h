// contacts/import_reader.h: reads contact import files (CSV per RFC 4180, or JSON Lines) from a
// stream into validated ContactRecords, one row at a time, in bounded memory.
//
// CSV
//   - Fields may be quoted; "" inside quotes is one quote; quoted fields may hold the delimiter and
//     line breaks (CR, LF or CRLF). Rows end with LF, CRLF or a lone CR. A UTF-8 byte order mark at
//     the start is skipped; empty lines are skipped. Text must be UTF-8, or be transcoded to it
//     (ReaderOptions::encoding).
//   - The delimiter is ',' or ';': the one that splits the header line into more columns outside
//     quotes (',' on a tie), unless ReaderOptions::delimiter says.
//   - Columns are matched by name, case-insensitively, surrounding spaces trimmed: phone
//   (required),
//     name, tags, country, language, timezone, consent_marketing, consent_marketing_at,
//     consent_marketing_source, and the same three for utility. Every other column is an attribute
//     named by the column name in lower case, which must match [a-z0-9_]{1,64}.
//   - tags holds several tags separated by ',', ';' or '|' whatever the delimiter (a tag name holds
//     none of them). Use the one that is not the delimiter ('vip;new' in a ','-delimited file,
//     'vip|new' in a ';'-delimited one) and the field needs no quotes; a quoted field may use any.
//   - A value that starts with a single quote followed by what a spreadsheet would run as a formula
//     ("'=SUM(A1)", "'@cmd"; see NeedsFormulaGuard in common/csv.h) loses that one quote: it is how
//     Herald's exports guard such values, so that an export imports back unchanged.
//   - Values are trimmed of surrounding spaces and tabs. An empty value says nothing: no name, no
//     attribute, no consent change, and so on (an empty phone is a reject).
//   - Consent values, any case: yes/no, y/n, true/false, 1/0, granted/revoked, opt-in/opt-out,
//     opted_in/opted_out (or opted-in/opted-out), ja/nein, j/n, oui/non, sí/si/no, sim/não/nao,
//     да/нет.
//     consent_*_at: "2024-05-01", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.250+02:00" (a time
//     needs Z or an offset; a date alone is midnight UTC). consent_*_at and consent_*_source are
//     only used on rows whose consent value is not empty.
// JSON Lines
//   - One JSON object per line, with the same keys (matched case-insensitively): strings for the
//     text fields; tags as an array of strings or one string separated as in CSV; consent_* as a
//     bool or one of the strings above; "attributes" as an object of string, number or bool values
//     (numbers and bools are kept as their JSON text); any other top-level key is an attribute too.
//     null says nothing, like an empty CSV value. Blank lines are skipped.
//
// Errors: a problem with the file as a whole (no header, no phone column, a bad column name, an
// unknown format, a header that is not UTF-8) makes Open fail. A problem with a row (a field that
// fails its check, a wrong number of fields, a stray quote, invalid JSON) makes that row a Reject,
// and reading continues with the next row. Text that is not UTF-8 is a problem of the file, not of
// its row (the file has another encoding): reading stops there, and status() says so. An
// unterminated quoted field runs to the end of the input: it is reported as a Reject and ends the
// file.
//
// Thread rules: a ContactReader is used by one thread at a time; the stream must outlive it.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv.h"
#include "common/result.h"
#include "contacts/contact_record.h"

namespace herald::contacts {

// Columns of a CSV header, keys of a JSON Lines object and attributes of one contact, at most. A
// contact file has tens of columns; a header with more is refused as a whole (naming the count),
// and a JSON object with more is a rejected row, so that a hostile file costs time and memory in
// proportion to its size.
inline constexpr std::size_t kMaxImportColumns = 1000;

enum class Format {
  kAuto,  // JSON Lines when the first character that is not white space is '{', else CSV
  kCsv,
  kJsonLines,
};

// The character encoding of an import file. Readers work on UTF-8; the others (single-byte, what
// spreadsheet programs save) are transcoded to UTF-8 as the input is read.
enum class Encoding {
  kUtf8,
  kWindows1252,  // Excel's default in western Europe and the Americas
  kIso8859_1,    // Latin-1
  kIso8859_15,   // Latin-9: Latin-1 with the euro sign
};

// "utf-8" (or "utf8"), "windows-1252" ("cp1252"), "iso-8859-1" ("latin1"), "iso-8859-15"
// ("latin9"), in any case; nullopt for any other name.
std::optional<Encoding> EncodingNamed(std::string_view name);
inline constexpr std::string_view kEncodingNames =
    "utf-8, windows-1252, iso-8859-1 (latin1) or iso-8859-15 (latin9)";

struct ReaderOptions {
  // kUtf8: the input must be UTF-8. The first row (CSV) or line (JSON Lines) holding a byte
  // sequence that is not UTF-8 ends the reading: status() is a kInvalidArgument error naming its
  // line, column and byte and how to convert the file, and the row is not returned.
  Encoding encoding = Encoding::kUtf8;
  // CSV delimiter, ',' or ';'; 0 detects it from the header line.
  char delimiter = 0;
  // A row (CSV, quoted line breaks included) or line (JSON Lines) longer than this is a Reject; it
  // bounds the memory a reader uses.
  std::size_t max_row_bytes = std::size_t{1} << 20;
  // How much is read from the stream at a time.
  std::size_t chunk_bytes = std::size_t{64} << 10;
};

class ContactReader {
 public:
  // Reads up to the first row (CSV: the header, checked here) and returns a reader positioned
  // before the first record. Errors: kInvalidArgument with the file-level problem ("line 1: no
  // \"phone\" column"), kIoError when the stream cannot be read.
  static Result<std::unique_ptr<ContactReader>> Open(std::istream& in, Format format,
                                                     ReaderOptions options = {});

  virtual ~ContactReader() = default;

  // The next record or reject, in file order; nullopt at the end of the input. After the end,
  // status() says whether the whole input was read.
  virtual std::optional<RowResult> Next() = 0;

  // The row last returned by Next() as read, in the shape of Reject::fields: for a record that a
  // later step rejects (a phone number that cannot be normalised), so that the rejects CSV still
  // holds the row as written. Empty before the first row, after the end, and for a row too long.
  virtual std::vector<std::string> LastRowFields() const = 0;

  // OK; kIoError when reading the stream failed, kInvalidArgument (field "encoding") when the text
  // is not UTF-8 (see ReaderOptions::encoding). The rows after the problem were not read.
  virtual const Status& status() const = 0;

  virtual Format format() const = 0;  // kCsv or kJsonLines, never kAuto
  // CSV: the header's column names as written, and the delimiter. JSON Lines: {"json"} and ','.
  // Meant for RejectsCsvWriter.
  virtual const std::vector<std::string>& columns() const = 0;
  virtual char delimiter() const = 0;
};

// How contact CSVs that people open in spreadsheets are written (segment exports, rejects): the
// import format, CRLF line ends, fields with surrounding blanks quoted, and spreadsheet formulas
// guarded with a leading single quote (common/csv.h, NeedsFormulaGuard). Phone numbers (E.164) and
// other plain numbers are not guarded, and the CSV reader above strips the guard again, so an
// export imports back unchanged.
inline CsvWriteOptions ContactCsvOptions(char delimiter = ',') {
  CsvWriteOptions options;
  options.delimiter = delimiter;
  options.guard_formulas = true;
  return options;
}

// Writes rejects as a CSV that a person can correct (ContactCsvOptions): the columns "line" and
// "reason" (without the "line N: " that the line column says) followed by the source's columns
// (named "reject_line" and "reject_reason" instead when the source has a column of that name).
// Rows with fewer fields than the header are padded with empty fields. Not thread-safe; the
// stream must outlive the writer.
class RejectsCsvWriter {
 public:
  // Writes the header row. Use the reader's columns() and delimiter().
  RejectsCsvWriter(std::ostream& out, std::vector<std::string> source_columns, char delimiter);

  void Write(const Reject& reject);

 private:
  std::ostream& out_;
  std::size_t width_;  // number of source columns
  char delimiter_;
  std::string row_;  // reused between rows
};

// A reject as a rejects CSV holds it, for people: the line and the reason.
struct RejectSummary {
  std::int64_t line = 0;
  std::string reason;
};

// The first `max_rows` rejects of a CSV that RejectsCsvWriter wrote (either delimiter). Errors:
// kInvalidArgument when `csv` is not one.
Result<std::vector<RejectSummary>> ReadRejectsCsv(std::string_view csv, std::size_t max_rows);

}  // namespace herald::contacts
