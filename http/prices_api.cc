#include "http/prices_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "campaign/price_csv.h"
#include "http/api_util.h"

namespace herald::http {
namespace {

namespace json = boost::json;
using campaign::Day;
using campaign::PriceCategory;

Result<std::optional<std::int64_t>> VersionParam(const std::map<std::string, std::string>& query) {
  auto it = query.find("version");
  if (it == query.end()) return std::optional<std::int64_t>();
  std::int64_t version = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a version number >= 1", "version");
  }
  return std::optional<std::int64_t>(version);
}

Result<std::optional<Day>> DayParam(const std::map<std::string, std::string>& query,
                                    std::string_view key) {
  auto it = query.find(std::string(key));
  if (it == query.end() || it->second.empty()) return std::optional<Day>();
  auto day = campaign::ParseDay(it->second);
  if (!day) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a date such as 2026-10-01 (YYYY-MM-DD)",
                     std::string(key));
  }
  return std::optional<Day>(*day);
}

Result<PriceCategory> CategoryOf(std::string_view text, std::string_view field) {
  auto category = campaign::ParsePriceCategory(text);
  if (!category) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected marketing, utility, authentication, authentication_international "
                     "or service",
                     std::string(field));
  }
  return *category;
}

json::object RowJson(const app::PriceEntry& entry) {
  json::array members;
  std::size_t begin = 0;
  while (begin < entry.members.size()) {
    std::size_t end = entry.members.find(' ', begin);
    if (end == std::string::npos) end = entry.members.size();
    if (end > begin) members.emplace_back(entry.members.substr(begin, end - begin));
    begin = end + 1;
  }
  json::object out{{"market", entry.market},
                   {"members", std::move(members)},
                   {"category", entry.category},
                   {"rate", campaign::FormatMicros(entry.rate_micros)},
                   {"rate_micros", entry.rate_micros},
                   {"currency", entry.currency},
                   {"effective_from", entry.effective_from},
                   {"source", entry.source},
                   {"version", entry.version}};
  if (entry.retired_in) out["retired_in"] = *entry.retired_in;
  return out;
}

json::object VersionJson(const app::PriceVersion& version) {
  return {{"version", version.version},
          {"created_at",
           version.version > 0 ? json::value(TimeJson(version.created_at)) : json::value(nullptr)},
          {"actor", version.actor},
          {"source", version.source},
          {"mode", version.mode},
          {"added", version.added},
          {"replaced", version.replaced},
          {"retired", version.retired},
          {"rows", version.rows},
          {"changed", version.added + version.replaced + version.retired > 0}};
}

json::object RulesJson(const app::PricingRulesEntry& rules) {
  json::object out{{"effective_from", rules.effective_from},
                   {"utility_free_in_window", rules.utility_free_in_window},
                   {"service_free", rules.service_free},
                   {"free_service_per_number_month", rules.free_service_per_number_month},
                   {"service_rate_category", rules.service_rate_category},
                   {"entry_point_free", rules.entry_point_free},
                   {"source", rules.source},
                   {"updated_by", rules.updated_by}};
  out["updated_at"] =
      rules.updated_at ? json::value(TimeJson(*rules.updated_at)) : json::value(nullptr);
  return out;
}

// Keeps the rows in force on `day`: per (market, category), the latest that started by then.
std::vector<app::PriceEntry> InForce(std::vector<app::PriceEntry> rows, Day day) {
  const std::string today = campaign::FormatDay(day);
  std::map<std::pair<std::string, std::string>, app::PriceEntry> latest;
  for (app::PriceEntry& row : rows) {
    if (row.effective_from > today) continue;
    auto key = std::make_pair(row.market, row.category);
    auto it = latest.find(key);
    if (it == latest.end() || it->second.effective_from < row.effective_from) {
      latest[key] = std::move(row);
    }
  }
  std::vector<app::PriceEntry> out;
  for (auto& [key, row] : latest) out.push_back(std::move(row));
  return out;
}

void RegisterTableRoutes(Router& router, app::PricingService& service) {
  router.Add(
      "GET", "/v1/prices", Access::kAdmin, [&service](const Request& request, Responder respond) {
        auto query = QueryParams(request);
        if (!query.ok()) return respond(ErrorResponse(query.error()));
        auto version = VersionParam(*query);
        if (!version.ok()) return respond(ErrorResponse(version.error()));
        auto at = DayParam(*query, "at");
        if (!at.ok()) return respond(ErrorResponse(at.error()));
        const std::string market = (*query)["market"];
        std::string category = (*query)["category"];
        if (!category.empty()) {
          auto parsed = CategoryOf(category, "category");
          if (!parsed.ok()) return respond(ErrorResponse(parsed.error()));
          category = std::string(campaign::PriceCategoryName(*parsed));
        }
        const std::string format = (*query)["format"];
        if (!format.empty() && format != "json" && format != "csv") {
          return respond(JsonError(400, "invalid_argument", "expected json or csv", "format"));
        }
        if (format == "csv") {
          return service.ExportCsv(*version, [respond](Result<std::string> csv) {
            if (!csv.ok()) return respond(ErrorResponse(csv.error()));
            Response response = JsonResponse(200, std::move(*csv));
            response.content_type = "text/csv; charset=utf-8";
            respond(std::move(response));
          });
        }
        const std::int64_t current = service.Snapshot()->version;
        service.List(*version,
                     [=, at = *at, version = *version](Result<std::vector<app::PriceEntry>> rows) {
                       if (!rows.ok()) return respond(ErrorResponse(rows.error()));
                       std::vector<app::PriceEntry> shown =
                           at ? InForce(std::move(*rows), *at) : std::move(*rows);
                       json::array out;
                       std::string currency = "USD";
                       for (const app::PriceEntry& row : shown) {
                         currency = row.currency;
                         if (!market.empty() && row.market != market) continue;
                         if (!category.empty() && row.category != category) continue;
                         out.push_back(RowJson(row));
                       }
                       json::object body{{"version", version.value_or(current)},
                                         {"currency", currency},
                                         {"rows", std::move(out)}};
                       if (at) body["at"] = campaign::FormatDay(*at);
                       respond(JsonBody(200, body));
                     });
      });
  router.Add(
      "POST", "/v1/prices/import", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto query = QueryParams(request);
        if (!query.ok()) return respond(ErrorResponse(query.error()));
        std::string mode = (*query)["mode"];
        if (mode.empty()) mode = "merge";
        if (mode != "merge" && mode != "replace") {
          return respond(JsonError(400, "invalid_argument", "expected merge or replace", "mode"));
        }
        std::string source = (*query)["source"];
        if (source.empty()) source = "prices.csv";
        service.ImportCsv(request.body, source,
                          mode == "replace" ? storage::PriceImportMode::kReplace
                                            : storage::PriceImportMode::kMerge,
                          ActorOf(request),
                          AnswerJson<app::PriceVersion>(respond, 200, VersionJson));
      },
      BodySize::kBulk);
  router.Add("GET", "/v1/prices/versions", Access::kAdmin,
             [&service](const Request&, Responder respond) {
               service.Versions([respond](Result<std::vector<app::PriceVersion>> versions) {
                 if (!versions.ok()) return respond(ErrorResponse(versions.error()));
                 json::array out;
                 for (const app::PriceVersion& version : *versions) {
                   out.push_back(VersionJson(version));
                 }
                 respond(JsonBody(200, json::object{{"versions", std::move(out)}}));
               });
             });
  router.Add(
      "GET", "/v1/prices/quote", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto query = QueryParams(request);
        if (!query.ok()) return respond(ErrorResponse(query.error()));
        std::string country = (*query)["country"];
        for (char& c : country) {
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        if (!campaign::IsCountryCode(country)) {
          return respond(JsonError(400, "invalid_argument",
                                   "expected a two-letter country code (ISO 3166-1)", "country"));
        }
        auto category = CategoryOf((*query)["category"], "category");
        if (!category.ok()) return respond(ErrorResponse(category.error()));
        auto at = DayParam(*query, "at");
        if (!at.ok()) return respond(ErrorResponse(at.error()));
        const Day day = at->value_or(campaign::DayOf(SystemClock().Now()));
        const app::PriceQuote quote = service.Quote(country, *category, day);
        json::object body{{"country", quote.country},
                          {"category", campaign::PriceCategoryName(quote.category)},
                          {"at", campaign::FormatDay(quote.day)}};
        if (quote.row) {
          body["market"] = quote.market;
          body["rate"] = campaign::FormatMicros(quote.row->rate_micros);
          body["rate_micros"] = quote.row->rate_micros;
          body["currency"] = quote.row->currency;
          body["effective_from"] = campaign::FormatDay(quote.row->effective_from);
          body["source"] = quote.row->source;
        } else {
          body["market"] = nullptr;
          body["rate"] = nullptr;
        }
        respond(JsonBody(200, body));
      });
}

Result<app::PricingRulesEntry> RulesFromBody(const json::object& body, std::string from) {
  app::PricingRulesEntry rules;
  rules.effective_from = std::move(from);
  for (std::string_view key : {"utility_free_in_window", "service_free", "entry_point_free"}) {
    auto value = OptionalBoolField(body, key);
    if (!value.ok()) return value.error();
    if (!*value) {
      return MakeError(ErrorCode::kInvalidArgument, "required (true or false)", std::string(key));
    }
    bool& slot = key == "utility_free_in_window" ? rules.utility_free_in_window
                 : key == "service_free"         ? rules.service_free
                                                 : rules.entry_point_free;
    slot = **value;
  }
  auto allowance = OptionalNumberField(body, "free_service_per_number_month");
  if (!allowance.ok()) return allowance.error();
  if (*allowance) {
    const double count = **allowance;
    if (count < 0 || count != static_cast<double>(static_cast<std::int64_t>(count))) {
      return MakeError(ErrorCode::kInvalidArgument, "expected a whole number >= 0",
                       "free_service_per_number_month");
    }
    rules.free_service_per_number_month = static_cast<std::int64_t>(count);
  }
  auto category = OptionalStringField(body, "service_rate_category");
  if (!category.ok()) return category.error();
  rules.service_rate_category = category->value_or("utility");
  auto source = OptionalStringField(body, "source");
  if (!source.ok()) return source.error();
  rules.source = source->value_or("");
  return rules;
}

void RegisterRuleRoutes(Router& router, app::PricingService& service) {
  router.Add("GET", "/v1/pricing-rules", Access::kAdmin,
             [&service](const Request&, Responder respond) {
               json::array out;
               for (const app::PricingRulesEntry& rules : service.Rules())
                 out.push_back(RulesJson(rules));
               respond(JsonBody(200, json::object{{"rules", std::move(out)}}));
             });
  router.Add("PUT", "/v1/pricing-rules/{effective_from}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto from = PathParam(request, "effective_from");
               if (!from.ok()) return respond(ErrorResponse(from.error()));
               auto body = JsonObjectBody(
                   request,
                   {"utility_free_in_window", "service_free", "free_service_per_number_month",
                    "service_rate_category", "entry_point_free", "source", "reason"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto rules = RulesFromBody(*body, *from);
               if (!rules.ok()) return respond(ErrorResponse(rules.error()));
               auto reason = OptionalStringField(*body, "reason");
               if (!reason.ok()) return respond(ErrorResponse(reason.error()));
               service.PutRules(std::move(*rules), ActorOf(request), reason->value_or(""),
                                AnswerJson<app::PricingRulesEntry>(respond, 200, RulesJson));
             });
  router.Add("DELETE", "/v1/pricing-rules/{effective_from}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto from = PathParam(request, "effective_from");
               if (!from.ok()) return respond(ErrorResponse(from.error()));
               auto query = QueryParams(request);
               if (!query.ok()) return respond(ErrorResponse(query.error()));
               service.DeleteRules(*from, ActorOf(request), (*query)["reason"],
                                   AnswerJson<bool>(respond, 200, [](bool) {
                                     return json::object{{"deleted", true}};
                                   }));
             });
}

}  // namespace

void RegisterPricesApi(Router& router, app::PricingService& service) {
  RegisterTableRoutes(router, service);
  RegisterRuleRoutes(router, service);
}

}  // namespace herald::http
