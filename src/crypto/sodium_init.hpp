// The one place that initialises libsodium. Every crypto entry point that needs the RNG,
// guarded memory (sodium_malloc) or the CPU-specific implementations calls init_sodium()
// first; tests and tools call it too, so `grep sodium_init` finds exactly one call.
#pragma once

namespace dossier::crypto {

// Idempotent and thread-safe. Aborts if libsodium cannot initialise (no usable RNG):
// continuing would make keys and nonces predictable.
void init_sodium();

}  // namespace dossier::crypto
