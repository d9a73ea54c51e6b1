// storage/recipient_repository.h: what the send path reads about recipients just before it sends
// (issue 16, item 6: "read recipient state in bulk"): the contact (consent, opt-out, country,
// zone, language, name, attributes), its 24-hour service windows per business number, its recent
// campaign sends (for the frequency cap) and the number that last sent to it (sender stickiness).
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "storage/contact_repository.h"

namespace herald::storage {

struct WindowRecord {
  SenderId sender;
  std::optional<SysTime> last_inbound;
  std::optional<SysTime> entry_point_until;
};

struct RecipientRecord {
  StoredContact contact;
  std::vector<WindowRecord> windows;
  std::vector<SysTime> recent_campaign_sends;  // newest first, since the `since` given
  std::optional<SenderId> last_sender;         // of the newest of those
};

// The latest windows of a contact with any number: its last message to any of them, and the
// latest end of a free entry point window.
struct ContactWindows {
  ContactId contact{};
  std::optional<SysTime> last_inbound{};
  std::optional<SysTime> entry_point_until{};
};

class RecipientRepository {
 public:
  virtual ~RecipientRepository() = default;
  // Every contact whose last message to a number came at or after `since`, or whose free entry
  // point window ends after it, in contact order.
  virtual Result<std::vector<ContactWindows>> WindowsSince(SysTime since) = 0;
  // The recipients among `ids` that exist and are not erased, in the order given.
  virtual Result<std::vector<RecipientRecord>> Load(std::span<const ContactId> ids,
                                                    SysTime sends_since) = 0;
};

}  // namespace herald::storage
