// The reference semantics of segment expressions: each contact's facts checked directly, with no
// index. The property tests compare ContactIndex against it.
#pragma once

#include "campaign/contact_index.h"
#include "campaign/segment.h"
#include "common/clock.h"

namespace herald::campaign::testing {

bool NaiveMatches(const ContactFacts& contact, const SegmentExpr& expr, SysTime now);

}  // namespace herald::campaign::testing
