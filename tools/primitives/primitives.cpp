// dossier-primitives [MIB]: how fast one core of this machine runs the primitives seal, verify
// and open are made of, each straight from its library, over MIB MiB (default 256) of random
// bytes held in memory, best of three runs:
//   SHA-256            libsodium crypto_hash_sha256 (the check's digest of every document)
//   BLAKE2b-512        libsodium crypto_generichash (the manifest's digest of every entry)
//   ChaCha20-Poly1305  libsodium crypto_aead_chacha20poly1305_ietf, sealed in 64 KiB chunks
//                      as age's STREAM does (encryption; decryption costs the same)
//   CRC-32             libdeflate_crc32 (every ZIP entry), and zlib's crc32_z beside it
//   memcpy             the C library (what reading from the page cache costs at best)
// It prints one line per primitive: name, MiB/s, and nanoseconds per byte. bench/run uses it to
// say how far each command is from the sum of the primitives it must run.
#include <libdeflate.h>
#include <sodium.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

namespace {

double best_seconds(const std::function<void()>& run) {
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    const std::chrono::duration<double> d = std::chrono::steady_clock::now() - t0;
    if (d.count() < best) best = d.count();
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const long mib = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 256;
  if (mib <= 0 || mib > 4096 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: dossier-primitives [MIB, 1 to 4096]\n");
    return 2;
  }
  const std::size_t size = static_cast<std::size_t>(mib) << 20;
  std::vector<unsigned char> data(size);
  std::vector<unsigned char> out(size + size / 4096 + 64);
  randombytes_buf(data.data(), data.size());
  volatile unsigned char sink = 0;

  struct Row {
    const char* name;
    std::function<void()> run;
  };
  const std::vector<Row> rows = {
      {"SHA-256",
       [&] {
         unsigned char h[crypto_hash_sha256_BYTES];
         crypto_hash_sha256(h, data.data(), data.size());
         sink = static_cast<unsigned char>(sink ^ h[0]);
       }},
      {"BLAKE2b-512",
       [&] {
         unsigned char h[64];
         crypto_generichash(h, sizeof h, data.data(), data.size(), nullptr, 0);
         sink = static_cast<unsigned char>(sink ^ h[0]);
       }},
      {"ChaCha20-Poly1305",
       [&] {
         unsigned char key[crypto_aead_chacha20poly1305_ietf_KEYBYTES] = {1};
         unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {0};
         constexpr std::size_t chunk = 64 * 1024;
         std::size_t o = 0;
         for (std::size_t at = 0; at < size; at += chunk) {
           const std::size_t n = size - at < chunk ? size - at : chunk;
           unsigned long long clen = 0;
           crypto_aead_chacha20poly1305_ietf_encrypt(out.data() + o, &clen, data.data() + at, n, nullptr, 0, nullptr,
                                                     nonce, key);
           o += static_cast<std::size_t>(clen);
           ++nonce[0];
         }
         sink = static_cast<unsigned char>(sink ^ out[0]);
       }},
      {"CRC-32",
       [&] { sink = static_cast<unsigned char>(sink ^ libdeflate_crc32(0, data.data(), data.size())); }},
      {"CRC-32 (zlib)",
       [&] { sink = static_cast<unsigned char>(sink ^ crc32_z(0, data.data(), data.size())); }},
      {"memcpy",
       [&] {
         std::memcpy(out.data(), data.data(), size);
         sink = static_cast<unsigned char>(sink ^ out[size / 2]);
       }},
  };
  for (const auto& row : rows) {
    const double s = best_seconds(row.run);
    std::printf("%-18s %8.0f MiB/s %6.2f ns/byte\n", row.name, static_cast<double>(mib) / s,
                s * 1e9 / static_cast<double>(size));
  }
  (void)sink;
  return 0;
}
