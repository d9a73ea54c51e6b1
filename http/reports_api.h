// http/reports_api.h: the reports of issue 18 (docs/finance.md, "Reports"):
//   GET /v1/campaigns/{id}/report            the funnel, with rates, costs and the per-day series
//                                            (?format=csv: the per-day series as CSV)
//   GET /v1/campaigns/{id}/report/chart.svg  the per-day series as an SVG chart
//   GET /v1/campaigns/{id}/costs             estimate vs actual, every difference by cause
//                                            (?format=csv: one row per cause)
//   GET /v1/reports/monthly?month=2026-11    the monthly summary per campaign, with value and net
//                                            value (?format=csv)
#pragma once

#include "app/report_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterReportsApi(Router& router, app::ReportService& service);

}  // namespace herald::http
