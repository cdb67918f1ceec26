#include "crypto/sodium_init.hpp"

#include <sodium.h>

#include <cstdlib>

namespace dossier::crypto {

void init_sodium() {
  // sodium_init() returns 0 on first success, 1 when already initialised, -1 on failure.
  static const int rc = sodium_init();
  if (rc < 0) std::abort();
}

}  // namespace dossier::crypto
