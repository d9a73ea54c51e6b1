// app/report_chart.h: a campaign's per-day series as an SVG chart (issue 18, item 7), for people
// who would rather look than read: grouped bars per day (sent, delivered, read, replied) on a
// scaled axis, the spend per day written under each day. Self-contained SVG 1.1: no script, no
// external reference, every text escaped; readable in any browser or image viewer.
#pragma once

#include <string>

#include "app/reports.h"

namespace herald::app {

std::string FunnelChartSvg(const Funnel& funnel, const std::string& title);

}  // namespace herald::app
