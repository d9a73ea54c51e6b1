// campaign/price_csv.h: price tables as CSV, the format finance edits in a spreadsheet and
// `herald prices import` reads (issue 18, item 1). The starter table, data/prices.csv, is one.
//
//   market,category,rate_usd,effective_from,source
//   DE,marketing,0.1365,2025-07-01,public rate-card summary
//   Rest of Western Europe,marketing,0.0700,2025-07-01,...   (with a members column: AT BE DK …)
//
// Columns, in any order, names in any case:
//   market          required: a country (ISO 3166-1 alpha-2), a regional group's name, or OTHER
//   category        required: marketing, utility, authentication, authentication_international
//                   (or authentication-international), service
//   rate            required (or rate_<currency>, e.g. rate_usd, which also gives the currency):
//                   a decimal amount per billed message, at most six decimals
//   currency        optional (ISO 4217, three letters); default USD, or rate_<currency>'s
//   effective_from  required: YYYY-MM-DD, the UTC day the rate applies from
//   members         a group's member countries, separated by spaces, ';' or '|'; required for a
//                   group, not allowed for a country or OTHER
//   source          optional free text: where the figure comes from
// Lines that start with '#' are comments; blank lines are skipped; a UTF-8 byte order mark is
// skipped. One table has one currency. Two rows for the same (market, category, effective_from)
// are an error that names both lines. Every problem is reported with its line and column.
//
// Thread rules: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/pricing.h"
#include "common/csv_errors.h"

namespace herald::campaign {

using PriceCsvError = CsvFileError;

struct PriceCsvResult {
  std::optional<std::vector<PriceRow>> rows;  // in file order; set only when errors is empty
  std::vector<PriceCsvError> errors;          // at most kMaxPriceCsvErrors
  bool ok() const { return errors.empty(); }
  std::string ErrorsToString() const;  // one per line
};

inline constexpr std::size_t kMaxPriceCsvErrors = 100;

PriceCsvResult ParsePriceCsv(std::string_view csv, std::string_view source_name);

// Rows as a file ParsePriceCsv reads back to the same rows: header
// market,category,rate,currency,effective_from,members,source; LF line ends.
std::string WritePriceCsv(std::span<const PriceRow> rows);

}  // namespace herald::campaign
