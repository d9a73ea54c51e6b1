// The representation behind ContactSet, shared by contact_set.cc and index_evaluator.cc.
#pragma once

#include "campaign/detail/bitmap.h"

namespace herald::campaign::detail {

// Invariant: no empty 32-bit sub-bitmap (shrinkToFit() drops them), which the positioning of
// Roaring64Map's iterator (move()) assumes.
struct ContactSetRep {
  Bitmap bitmap;
};

}  // namespace herald::campaign::detail
