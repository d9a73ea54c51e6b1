#include "common/constant_time.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace herald {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Hash both sides first: the comparison then always covers 32 bytes, whatever the lengths.
  unsigned char digest_a[SHA256_DIGEST_LENGTH];
  unsigned char digest_b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), digest_a);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), digest_b);
  return CRYPTO_memcmp(digest_a, digest_b, SHA256_DIGEST_LENGTH) == 0;
}

}  // namespace herald
