#include "campaign/price_csv.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "common/chunked_input.h"
#include "common/csv.h"
#include "common/suggest.h"

namespace herald::campaign {
namespace {

enum Column : std::size_t {
  kMarket,
  kCategory,
  kRate,
  kCurrency,
  kEffectiveFrom,
  kMembers,
  kSource,
  kColumnCount
};
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "market", "category", "rate", "currency", "effective_from", "members", "source"};
constexpr std::size_t kNoField = static_cast<std::size_t>(-1);

std::string Quoted(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted.append(1, '"').append(text).append(1, '"');
  return quoted;
}

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string Lower(std::string_view text) {
  std::string lower(Trim(text));
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return lower;
}

std::string Upper(std::string_view text) {
  std::string upper(Trim(text));
  for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return upper;
}

bool IsCurrencyCode(std::string_view text) {
  return text.size() == 3 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

class Errors : public CsvFileErrors {
 public:
  explicit Errors(std::string_view source) : CsvFileErrors(source, kMaxPriceCsvErrors) {}
};

struct Header {
  std::array<std::size_t, kColumnCount> index{};
  std::string rate_currency;  // from rate_<currency>
  std::size_t width = 0;
};

std::optional<Header> ReadHeader(const CsvRow& row, Errors& errors) {
  const int line = static_cast<int>(row.line);
  Header header;
  header.index.fill(kNoField);
  header.width = row.field_count();
  const std::size_t before = errors.size();
  for (std::size_t i = 0; i < row.field_count(); ++i) {
    std::string name = Lower(row.field(i));
    std::size_t column = kColumnCount;
    if (name.rfind("rate_", 0) == 0 && name.size() == 8) {
      header.rate_currency = Upper(name.substr(5));
      column = kRate;
    } else if (auto known = std::find(kColumnNames.begin(), kColumnNames.end(), name);
               known != kColumnNames.end()) {
      column = static_cast<std::size_t>(known - kColumnNames.begin());
    }
    if (column == kColumnCount) {
      std::string message = "unknown column " + Quoted(name) +
                            "; expected market, category, "
                            "rate (or rate_usd, …), currency, effective_from, members, source";
      if (auto close = ClosestMatch(name, kColumnNames)) {
        message += "; did you mean " + Quoted(*close) + "?";
      }
      errors.Add(line, row.field(i), message);
      continue;
    }
    if (header.index[column] != kNoField) {
      errors.Add(line, kColumnNames[column],
                 "column " + Quoted(kColumnNames[column]) + " is named twice");
    }
    header.index[column] = i;
  }
  for (Column required : {kMarket, kCategory, kRate, kEffectiveFrom}) {
    if (header.index[required] == kNoField) {
      errors.Add(line, kColumnNames[required],
                 "missing column " + Quoted(kColumnNames[required]) +
                     "; the header must name market, category, rate and effective_from");
    }
  }
  if (header.index[kCurrency] != kNoField && !header.rate_currency.empty()) {
    errors.Add(
        line, "currency",
        "both a currency column and rate_" + Lower(header.rate_currency) + "; keep one of them");
  }
  if (errors.size() != before) return std::nullopt;
  return header;
}

std::string_view Field(const CsvRow& row, const Header& header, Column column) {
  const std::size_t index = header.index[column];
  return index < row.field_count() ? row.field(index) : std::string_view();
}

// A group's name as the rate card writes it ("Rest of Western Europe"): starts with a letter (so
// that a spreadsheet never takes it for a formula), no line breaks or other control characters.
bool IsGroupName(std::string_view name) {
  const auto letter = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  return !name.empty() && letter(name.front()) &&
         std::none_of(name.begin(), name.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::vector<std::string> SplitMembers(std::string_view text) {
  std::vector<std::string> members;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == ';' || c == '|' || c == ',' || c == '\t') {
      if (!current.empty()) members.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) members.push_back(std::move(current));
  return members;
}

std::optional<PriceRow> ReadRow(const CsvRow& row, const Header& header, Errors& errors) {
  const int line = static_cast<int>(row.line);
  if (row.field_count() > header.width) {
    errors.Add(line, "",
               std::to_string(row.field_count()) + " fields, but the header names " +
                   std::to_string(header.width) +
                   " columns; quote a source or members field that contains a comma");
    return std::nullopt;
  }
  const std::size_t before = errors.size();
  PriceRow price;
  const std::string_view market = Trim(Field(row, header, kMarket));
  price.market = IsCountryCode(Upper(market)) || Upper(market) == kOtherMarket
                     ? Upper(market)
                     : std::string(market);
  if (price.market.empty()) {
    errors.Add(line, "market", "empty market");
  } else if (!IsGroupName(price.market)) {
    errors.Add(line, "market",
               "market " + Quoted(price.market) +
                   " must start with a letter and hold no control characters");
  }

  const std::string_view category = Trim(Field(row, header, kCategory));
  if (auto parsed = ParsePriceCategory(category)) {
    price.category = *parsed;
  } else {
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < kPriceCategoryCount; ++i) {
      names.push_back(PriceCategoryName(static_cast<PriceCategory>(i)));
    }
    std::string message =
        category.empty() ? "empty category" : "unknown category " + Quoted(category);
    message +=
        "; expected marketing, utility, authentication, authentication_international "
        "or service";
    if (auto close = ClosestMatch(Lower(category), names); close && !category.empty()) {
      message += "; did you mean " + Quoted(*close) + "?";
    }
    errors.Add(line, "category", message);
  }

  const std::string_view rate = Trim(Field(row, header, kRate));
  if (auto micros = ParseMicros(rate)) {
    price.rate_micros = *micros;
  } else {
    errors.Add(line, "rate",
               rate.empty() ? "empty rate"
                            : "rate " + Quoted(rate) +
                                  " is not an amount such as 0.0250 (digits, a point, at most "
                                  "six decimals, no sign or currency symbol)");
  }

  price.currency = header.rate_currency;
  if (header.index[kCurrency] != kNoField) price.currency = Upper(Field(row, header, kCurrency));
  if (price.currency.empty()) price.currency = "USD";
  if (!IsCurrencyCode(price.currency)) {
    errors.Add(line, "currency",
               "currency " + Quoted(price.currency) + " is not a three-letter ISO 4217 code");
  }

  const std::string_view from = Trim(Field(row, header, kEffectiveFrom));
  if (auto day = ParseDay(from)) {
    price.effective_from = *day;
  } else {
    errors.Add(line, "effective_from",
               from.empty() ? "empty effective_from"
                            : Quoted(from) + " is not a date such as 2026-10-01 (YYYY-MM-DD)");
  }

  price.source = std::string(Field(row, header, kSource));
  for (std::string& member : SplitMembers(Field(row, header, kMembers))) {
    member = Upper(member);
    if (!IsCountryCode(member)) {
      errors.Add(line, "members",
                 "member " + Quoted(member) + " is not a two-letter country code (ISO 3166-1)");
      continue;
    }
    price.members.push_back(std::move(member));
  }
  std::sort(price.members.begin(), price.members.end());
  price.members.erase(std::unique(price.members.begin(), price.members.end()), price.members.end());
  const bool country = IsCountryCode(price.market);
  if (!price.market.empty() && !price.members.empty() &&
      (country || price.market == kOtherMarket)) {
    errors.Add(line, "members",
               "members are for a regional group; " + Quoted(price.market) +
                   (country ? " is a country" : " covers every country nothing else does"));
  } else if (!price.market.empty() && !country && price.market != kOtherMarket &&
             price.members.empty()) {
    errors.Add(line, "market",
               Quoted(price.market) +
                   " is not a two-letter country code or OTHER; a regional group needs its "
                   "countries in the members column");
  }
  if (errors.size() != before) return std::nullopt;
  return price;
}

// The text with comment lines blanked (their line breaks kept, so line numbers stay true).
std::string WithoutComments(std::string_view csv) {
  std::string text;
  text.reserve(csv.size());
  bool line_start = true;
  bool comment = false;
  for (char c : csv) {
    if (line_start) comment = c == '#';
    line_start = c == '\n';
    if (comment && c != '\n' && c != '\r') continue;
    text += c;
  }
  return text;
}

}  // namespace

std::string PriceCsvResult::ErrorsToString() const { return CsvFileErrorsToString(errors); }

PriceCsvResult ParsePriceCsv(std::string_view csv, std::string_view source_name) {
  Errors errors(source_name);
  const std::string text = WithoutComments(csv);
  ChunkedInput input(text);
  input.SkipByteOrderMark();
  CsvTokenizer tokenizer(input, text.size() + 1);
  CsvRow row;
  std::optional<Header> header;
  std::vector<PriceRow> rows;
  std::map<std::tuple<std::string, PriceCategory, Day>, int> first_line;
  std::string currency;
  int currency_line = 0;
  while (!errors.full() && tokenizer.Next(row)) {
    if (row.IsBlank()) continue;
    const int line = static_cast<int>(row.line);
    if (row.error != CsvRowError::kNone) {
      errors.Add(line, "",
                 row.error == CsvRowError::kUnterminatedQuote
                     ? "a quoted field is not closed before the end of the file"
                     : "a quote inside a field; quote the whole field and double the quote "
                       "(\"\")");
      if (!header) break;
      continue;
    }
    if (!header) {
      if (!(header = ReadHeader(row, errors))) break;
      continue;
    }
    auto price = ReadRow(row, *header, errors);
    if (!price) continue;
    auto [seen, added] =
        first_line.try_emplace({price->market, price->category, price->effective_from}, line);
    if (!added) {
      errors.Add(line, "",
                 "duplicate: " + price->market + " " +
                     std::string(PriceCategoryName(price->category)) + " from " +
                     FormatDay(price->effective_from) + " is already on line " +
                     std::to_string(seen->second));
      continue;
    }
    if (currency.empty()) {
      currency = price->currency;
      currency_line = line;
    } else if (price->currency != currency) {
      errors.Add(line, "currency",
                 "currency " + price->currency + " differs from " + currency + " on line " +
                     std::to_string(currency_line) + "; a price table has one currency");
      continue;
    }
    rows.push_back(std::move(*price));
  }
  if (!header && errors.size() == 0) {
    errors.Add(0, "",
               "empty file: expected a header line such as "
               "market,category,rate_usd,effective_from,source");
  }
  PriceCsvResult result;
  result.errors = errors.Take();
  if (result.errors.empty()) result.rows = std::move(rows);
  return result;
}

std::string WritePriceCsv(std::span<const PriceRow> rows) {
  CsvWriteOptions options;
  options.line_end = "\n";
  options.quote_surrounding_blanks = true;
  options.guard_formulas = true;
  std::string csv = "market,category,rate,currency,effective_from,members,source\n";
  for (const PriceRow& row : rows) {
    std::string members;
    for (const std::string& member : row.members) {
      if (!members.empty()) members += ' ';
      members += member;
    }
    const std::array<std::string, 7> fields = {row.market,
                                               std::string(PriceCategoryName(row.category)),
                                               FormatMicros(row.rate_micros),
                                               row.currency,
                                               FormatDay(row.effective_from),
                                               members,
                                               row.source};
    AppendCsvRow(csv, fields, options);
  }
  return csv;
}

}  // namespace herald::campaign
