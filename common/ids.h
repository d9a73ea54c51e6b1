// Strong identifier types: a ContactId can never be passed where a CampaignId is expected.
// Values are opaque surrogate keys: callers must not rely on their order or density.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace herald {

template <typename Tag>
struct Id {
  std::int64_t value = 0;
  constexpr auto operator<=>(const Id&) const = default;
};

using ContactId = Id<struct ContactIdTag>;
using CampaignId = Id<struct CampaignIdTag>;
using SenderId = Id<struct SenderIdTag>;
using TemplateId = Id<struct TemplateIdTag>;
using DeliveryId = Id<struct DeliveryIdTag>;

}  // namespace herald

template <typename Tag>
struct std::hash<herald::Id<Tag>> {
  std::size_t operator()(const herald::Id<Tag>& id) const noexcept {
    return std::hash<std::int64_t>{}(id.value);
  }
};
