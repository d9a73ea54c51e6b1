// The [compliance] config reaches the gate: the daemon's PolicyFromConfig carries the service
// window margin, quiet hours and the frequency cap into the decisions.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "app/compliance_service.h"
#include "compliance/gate.h"
#include "config/config.h"

namespace herald::app {
namespace {

using namespace std::chrono_literals;

SysTime Utc(int year, unsigned month, unsigned day, int hour, int minute) {
  return SysTime(std::chrono::sys_days(std::chrono::year(year) / month / day)) +
         std::chrono::hours(hour) + std::chrono::minutes(minute);
}

compliance::Gate GateFromConfig(std::string_view toml) {
  const config::ConfigResult parsed = config::ParseConfig(toml, "herald.toml");
  EXPECT_TRUE(parsed.ok()) << parsed.ErrorsToString();
  auto zones = compliance::ParseCountryZoneTable("DE\t+5230+01322\tEurope/Berlin\n", "fixture");
  EXPECT_TRUE(zones.ok());
  auto policy = compliance::GatePolicy::Build(PolicyFromConfig(parsed.config->compliance), *zones);
  EXPECT_TRUE(policy.ok()) << policy.error().ToString();
  compliance::MessageTemplate promo;
  promo.name = "promo";
  promo.language = "de";
  promo.category = compliance::TemplateCategory::kMarketing;
  promo.status = compliance::TemplateStatus::kApproved;
  promo.components.body = "Neu bei uns";
  auto catalog = compliance::TemplateCatalog::Build({promo});
  EXPECT_TRUE(catalog.ok());
  return compliance::Gate(*policy, std::move(*catalog), nullptr);
}

struct Recipient {
  std::vector<compliance::ServiceWindow> windows;
  std::vector<SysTime> sends;
  compliance::RecipientState State() const {
    compliance::RecipientState state;
    state.consent = compliance::ConsentState{false, true, true};
    state.country = "DE";
    state.time_zone = "Europe/Berlin";
    state.language = "de";
    state.service_windows = windows;
    state.recent_marketing_sends = sends;
    return state;
  }
};

const SenderId kSender{1};
const SysTime kNoon = Utc(2024, 7, 1, 10, 0);  // 12:00 in Berlin

TEST(CompliancePolicyFromConfig, TheConfiguredWindowMarginClosesFreeTextEarly) {
  const compliance::Gate gate = GateFromConfig("[compliance]\nwindow_margin = \"30m\"\n");
  const compliance::OutboundMessage text{kSender, ContactId{1}, Purpose::kService,
                                         compliance::FreeText{"Your parcel"}};
  Recipient inside{{{kSender, kNoon - 23h - 29min, std::nullopt}}, {}};
  EXPECT_TRUE(gate.Check(text, inside.State(), kNoon).allowed());
  Recipient in_margin{{{kSender, kNoon - 23h - 35min, std::nullopt}}, {}};
  EXPECT_EQ(gate.Check(text, in_margin.State(), kNoon).RefusalReason(), "window_closed");
}

TEST(CompliancePolicyFromConfig, QuietHoursAndTheFrequencyCapComeFromTheConfig) {
  const compliance::Gate gate = GateFromConfig(
      "[compliance]\nfrequency_cap.max_marketing = 1\nfrequency_cap.period = \"1d\"\n"
      "quiet_hours.default = \"13:00-20:00\"\n");
  const compliance::OutboundMessage promo{kSender, ContactId{1}, Purpose::kMarketing,
                                          compliance::TemplateMessage{"promo", "", {}}};
  const Recipient fresh;
  EXPECT_EQ(gate.Check(promo, fresh.State(), kNoon).RefusalReason(), "quiet_hours");
  EXPECT_TRUE(gate.Check(promo, fresh.State(), kNoon + 1h).allowed());
  const Recipient sent_today{{}, {kNoon - 2h}};
  EXPECT_EQ(gate.Check(promo, sent_today.State(), kNoon + 1h).RefusalReason(), "frequency_cap");
}

}  // namespace
}  // namespace herald::app
