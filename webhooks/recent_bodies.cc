#include "webhooks/recent_bodies.h"

#include <openssl/evp.h>

#include <cstring>

namespace herald::webhooks {

std::int64_t BodyHash(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(body.data(), body.size(), digest, &length, EVP_sha256(), nullptr);
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | digest[i];
  std::int64_t hash = 0;
  std::memcpy(&hash, &value, sizeof hash);
  return hash;
}

bool RecentBodies::Add(std::int64_t hash, SysTime at) {
  Evict(at);
  if (!hashes_.insert(hash).second) return false;
  order_.emplace_back(at, hash);
  return true;
}

void RecentBodies::Remove(std::int64_t hash) {
  // Left in order_: eviction skips hashes no longer in the set (erase of a missing one is harmless
  // unless the same hash came back meanwhile, which only makes it be forgotten a little early).
  hashes_.erase(hash);
}

void RecentBodies::Evict(SysTime now) {
  while (!order_.empty() && (order_.front().first + window_ <= now || hashes_.size() >= capacity_ ||
                             order_.size() > 2 * capacity_)) {
    hashes_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace herald::webhooks
