// Manifest::parse under random mutation: whatever it accepts, it accepts as exactly the bytes
// that serialise() writes for the values found (one meaning per signed byte), and it never
// crashes. Deterministic (fixed seed), so a failure reproduces.
#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "app/bundle.hpp"

namespace dossier {
namespace {

app::Manifest sample() {
  app::Manifest m;
  m.format = "1";
  m.dossier_id = "0123456789abcdef0123456789abcdef";
  m.created = "2026-12-01T19:01:01Z";
  m.profile_id = "omm-eerste-fase";
  m.profile_version = "1.0.0";
  m.verdict = "complete";
  m.signer_key_id = "54F05FD20B622A18";
  m.entries.push_back({"payload/index.age", 12429, std::string(128, 'a')});
  for (std::size_t i = 1; i <= 3; ++i) m.entries.push_back({app::payload_entry_name(i), 1000 + i, std::string(128, 'b')});
  return m;
}

TEST(ManifestFuzz, WhatParseAcceptsIsCanonical) {
  const std::string good = sample().serialise();
  ASSERT_TRUE(app::Manifest::parse(good));
  std::mt19937_64 rng(20261201);
  const std::string alphabet = "<>/=\"' \n\t&;#x0123456789abcdefABCDEF-_.:?!payloadentry";
  std::size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string m = good;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const auto at = static_cast<std::size_t>(rng() % m.size());
      switch (rng() % 4) {
        case 0: m[at] = static_cast<char>(rng() % 256); break;                    // any byte
        case 1: m[at] = alphabet[rng() % alphabet.size()]; break;                  // a plausible one
        case 2: m.insert(at, 1, alphabet[rng() % alphabet.size()]); break;         // insert
        default: m.erase(at, 1 + rng() % 8); break;                                 // delete a run
      }
      if (m.empty()) m = "<";
    }
    auto parsed = app::Manifest::parse(m);
    if (!parsed) continue;
    ++accepted;
    ASSERT_EQ(parsed->serialise(), m) << "accepted a non-canonical manifest in round " << round;
  }
  std::cout << "accepted " << accepted << " of 20000 mutated manifests, each canonical\n";
  // Some mutations keep the manifest valid (a digit of a size or digest): the test exercises both sides.
  EXPECT_GT(accepted, 0u);
  EXPECT_LT(accepted, 20000u);
}

}  // namespace
}  // namespace dossier
