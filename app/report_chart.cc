#include "app/report_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "campaign/pricing.h"

namespace herald::app {
namespace {

constexpr int kWidth = 760;
constexpr int kHeight = 360;
constexpr int kLeft = 64;  // room for the axis labels
constexpr int kRight = 16;
constexpr int kTop = 48;     // title and legend
constexpr int kBottom = 64;  // day labels and spend
constexpr int kTicks = 4;

struct Series {
  std::string_view name;
  std::string_view colour;
  std::int64_t FunnelDay::*value;
};

constexpr std::array<Series, 4> kSeries{{
    {"sent", "#4e79a7", &FunnelDay::sent},
    {"delivered", "#59a14f", &FunnelDay::delivered},
    {"read", "#f28e2b", &FunnelDay::read},
    {"replied", "#e15759", &FunnelDay::replied},
}};

std::string Escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The axis' top: 1, 2 or 5 times a power of ten, at least `value`.
std::int64_t NiceCeiling(std::int64_t value) {
  std::int64_t power = 1;
  while (power * 10 <= value) power *= 10;
  for (std::int64_t step : {1, 2, 5, 10}) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

std::string DayLabel(std::int64_t day) {
  const std::chrono::year_month_day date{campaign::Day(std::chrono::days(day))};
  return fmt::format("{:02}-{:02}", static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

}  // namespace

std::string FunnelChartSvg(const Funnel& funnel, const std::string& title) {
  std::int64_t peak = 1;
  for (const FunnelDay& day : funnel.days) peak = std::max(peak, day.sent);
  const std::int64_t top = NiceCeiling(peak);
  const int plot_width = kWidth - kLeft - kRight;
  const int plot_height = kHeight - kTop - kBottom;
  const std::size_t days = std::max<std::size_t>(funnel.days.size(), 1);
  const double slot = static_cast<double>(plot_width) / static_cast<double>(days);
  const double bar = slot * 0.8 / static_cast<double>(kSeries.size());

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"11\">\n"
      "<title>{2}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
      "<text x=\"{3}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{2}</text>\n",
      kWidth, kHeight, Escaped(title), kLeft);
  for (std::size_t i = 0; i < kSeries.size(); ++i) {
    const int x = kLeft + static_cast<int>(i) * 96;
    svg += fmt::format(
        "<rect x=\"{}\" y=\"28\" width=\"10\" height=\"10\" fill=\"{}\"/>"
        "<text x=\"{}\" y=\"37\">{}</text>\n",
        x, kSeries[i].colour, x + 14, kSeries[i].name);
  }
  for (int tick = 0; tick <= kTicks; ++tick) {
    const double y = kTop + plot_height - plot_height * tick / static_cast<double>(kTicks);
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#dddddd\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
        kLeft, y, kWidth - kRight, y, kLeft - 6, y + 4, top * tick / kTicks);
  }
  if (funnel.days.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">nothing sent yet</text>\n",
                       kLeft + plot_width / 2, kTop + plot_height / 2);
  }
  // Day labels and spend: at most about 16 labelled days, whatever the campaign's length.
  const std::size_t label_every = std::max<std::size_t>(1, (funnel.days.size() + 15) / 16);
  for (std::size_t d = 0; d < funnel.days.size(); ++d) {
    const FunnelDay& day = funnel.days[d];
    const double x0 = kLeft + slot * static_cast<double>(d) + slot * 0.1;
    for (std::size_t i = 0; i < kSeries.size(); ++i) {
      const std::int64_t value = day.*kSeries[i].value;
      const double height = plot_height * static_cast<double>(value) / static_cast<double>(top);
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
          "<title>{} {}: {}</title></rect>\n",
          x0 + bar * static_cast<double>(i), kTop + plot_height - height, bar, height,
          kSeries[i].colour, DayLabel(day.day), kSeries[i].name, value);
    }
    if (d % label_every == 0) {
      const double centre = kLeft + slot * (static_cast<double>(d) + 0.5);
      svg += fmt::format(
          "<text x=\"{0:.1f}\" y=\"{1}\" text-anchor=\"middle\">{2}</text>"
          "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#555555\">{4} {5}</text>\n",
          centre, kTop + plot_height + 16, DayLabel(day.day), kTop + plot_height + 32,
          campaign::FormatMicros(day.spend_micros), Escaped(funnel.currency));
    }
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" fill=\"#555555\">sent per day (UTC), and the spend of each "
      "day's delivered messages</text>\n</svg>\n",
      kLeft, kHeight - 8);
  return svg;
}

}  // namespace herald::app
