// Conformance driver for the C2SP CCTV age test vectors (npm package cctv-age, see
// run_cctv.cmake). File format (package README, "Test file format"): "key: value"
// header lines, a blank line, then the age file (zlib-compressed if "compressed: zlib").
// Spec under test: C2SP age.md.
//
// Outcome classes map onto our errors (see crypto/age.hpp):
//   success         -> ok, and SHA-256 of the output equals "payload"
//   no match        -> Errc::no_identity or Errc::bad_passphrase
//   HMAC failure    -> Error::stage Stage::mac
//   header failure  -> Stage::header
//   payload failure -> Stage::payload, and the plaintext released before the error hashes
//                      to "payload"
//   armor failure   -> Stage::armor
// Vectors for post-quantum recipients (identity "AGE-SECRET-KEY-PQ-1...", i.e. the
// hybrid/mlkem768x25519 files) are skipped: that recipient type is not implemented.
//
// Prints "cctv-age: N passed, M failed, K skipped"; exits non-zero if M > 0 or N == 0.
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/age.hpp"
#include "crypto/digest.hpp"
#include "crypto/sodium_init.hpp"

namespace fs = std::filesystem;
namespace age = dossier::crypto::age;
using dossier::Errc;
using dossier::crypto::SecretBytes;

namespace {

struct Vector {
  std::multimap<std::string, std::string> keys;
  std::string body;
  std::string get(const std::string& k) const {
    auto it = keys.find(k);
    return it == keys.end() ? std::string() : it->second;
  }
};

bool parse_vector(const std::string& raw, Vector& v) {
  std::size_t pos = 0;
  for (;;) {
    const std::size_t nl = raw.find('\n', pos);
    if (nl == std::string::npos) return false;
    const std::string line = raw.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) return false;
    v.keys.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  v.body = raw.substr(pos);
  return true;
}

bool inflate_all(const std::string& in, std::string& out) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::vector<char> buf(1 << 16);
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf.data(), buf.size() - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END;
}

std::string sha256_hex(const std::string& data) {
  return dossier::crypto::sha256_hex(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string classify(const dossier::Error& e) {
  if (e.code == Errc::no_identity || e.code == Errc::bad_passphrase) return "no match";
  switch (e.stage) {
    case dossier::Stage::armor: return "armor failure";
    case dossier::Stage::mac: return "hmac failure";
    case dossier::Stage::header: return "header failure";
    case dossier::Stage::payload: return "payload failure";
    case dossier::Stage::unspecified: break;
  }
  return "other error";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: cctv_age <vector-dir>\n";
    return 2;
  }
  dossier::crypto::init_sodium();
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(argv[1], ec)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  if (ec) {
    std::cerr << "cannot read " << argv[1] << ": " << ec.message() << "\n";
    return 2;
  }
  std::sort(files.begin(), files.end());
  int passed = 0, failed = 0, skipped = 0;
  for (const fs::path& path : files) {
    const std::string name = path.filename().string();
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    Vector v;
    if (!parse_vector(ss.str(), v)) {
      std::cout << "FAIL " << name << ": cannot parse vector file\n";
      ++failed;
      continue;
    }
    std::vector<std::unique_ptr<age::Identity>> owned;
    bool pq = false;
    bool bad_identity = false;
    for (auto [it, end] = v.keys.equal_range("identity"); it != end; ++it) {
      if (it->second.starts_with("AGE-SECRET-KEY-PQ-")) {
        pq = true;
        continue;
      }
      auto id = age::X25519Identity::parse(it->second);
      if (!id) {
        bad_identity = true;
        continue;
      }
      owned.push_back(std::make_unique<age::X25519Identity>(std::move(*id)));
    }
    for (auto [it, end] = v.keys.equal_range("passphrase"); it != end; ++it) {
      SecretBytes p(reinterpret_cast<const std::uint8_t*>(it->second.data()), it->second.size());
      owned.push_back(std::make_unique<age::ScryptIdentity>(std::move(p)));
    }
    if (pq) {
      std::cout << "SKIP " << name << ": post-quantum identity not implemented\n";
      ++skipped;
      continue;
    }
    if (bad_identity) {
      std::cout << "FAIL " << name << ": cannot parse identity\n";
      ++failed;
      continue;
    }
    std::string body = v.body;
    if (v.get("compressed") == "zlib") {
      std::string plain;
      if (!inflate_all(v.body, plain)) {
        std::cout << "FAIL " << name << ": zlib inflate failed\n";
        ++failed;
        continue;
      } 
      body = std::move(plain);
    } else if (!v.get("compressed").empty()) {
      std::cout << "FAIL " << name << ": unknown compression\n";
      ++failed;
      continue;
    }
    std::vector<const age::Identity*> ids;
    for (const auto& p : owned) ids.push_back(p.get());
    std::istringstream in(body);
    std::ostringstream out;
    const auto r = age::decrypt(ids, in, out);
    const std::string got = r ? "success" : classify(r.error());
    const std::string want = lower(v.get("expect"));
    std::string why;
    if (got != want) {
      why = "expected '" + want + "', got '" + got + "'" + (r ? "" : " (" + r.error().message + ")");
    } else if ((want == "success" || want == "payload failure") && !v.get("payload").empty() &&
               sha256_hex(out.str()) != v.get("payload")) {
      why = "payload hash mismatch (" + std::to_string(out.str().size()) + " bytes released)";
    }
    if (why.empty()) {
      ++passed;
    } else {
      ++failed;
      std::cout << "FAIL " << name << ": " << why << "\n";
    }
  }
  std::cout << "cctv-age: " << passed << " passed, " << failed << " failed, " << skipped
            << " skipped\n";
  return (failed > 0 || passed == 0) ? 1 : 0;
}
