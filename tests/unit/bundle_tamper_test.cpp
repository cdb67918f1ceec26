// Sealed bundles under attack (issue 3, "Tampering"): every single-byte flip of the manifest,
// the signature, the mimetype and every age header, a sample of payload bytes, truncation,
// swapped, extra and missing entries, other signers, entries from another bundle, and
// reordered or duplicated STREAM chunks. Each must make verify report the bundle not valid and
// open fail with nothing left at DIR or next to it.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <iostream>

#include "app/assemble.hpp"
#include "app/check.hpp"
#include "bundle_support.hpp"
#include "crypto/digest.hpp"

namespace dossier::test::bundle {
namespace {

// Bundles sealed once for the whole suite: `small` of examples/complete, `big` of the same
// package with a 200 KiB request (payload/0001.age has four STREAM chunks), and two others, all
// without the reading copy (the suite's flips and crafted indexes are about the documents);
// `with_copy` is examples/complete with it.
struct Sealed {
  TempDir dir;
  fs::path small = dir.path() / "small.dossier";
  fs::path big = dir.path() / "big.dossier";
  fs::path foreign = dir.path() / "foreign.dossier";  // signed by the attacker
  fs::path twin = dir.path() / "twin.dossier";        // one document differs, same size
  fs::path with_copy = dir.path() / "with-copy.dossier";

  Sealed() {
    const auto& k = Keys::get();
    const fs::path pkg = dir.path() / "pakket";
    copy_package(pkg);
    seal_to(pkg, with_copy, k.signer, /*reading_copy=*/true);
    seal_to(pkg, small, k.signer);
    seal_to(pkg, foreign, k.attacker);
    // The same package with one character changed in the last document (same size).
    const fs::path last = pkg / "verblijfsstatus/verblijfsdocument.pdf";
    const std::string original = read_text(last);
    write_bytes(last, span_of(replace_once(original, "van 1)", "van 2)")));
    seal_to(pkg, twin, k.signer);
    write_bytes(last, span_of(original));
    const fs::path request = pkg / "aanmelding/plaatsingsverzoek.pdf";
    write_bytes(request, span_of(padded_pdf(read_text(request), 200 * 1024)));
    seal_to(pkg, big, k.signer);
  }
  static void seal_to(const fs::path& pkg, const fs::path& out, const crypto::minisign::SecretKey& key,
                      bool reading_copy = false) {
    const auto& k = Keys::get();
    auto options = k.seal_options(key);
    options.reading_copy = reading_copy;
    auto r = app::seal_bundle(pkg, out, options, k.messages);
    if (!r) throw std::runtime_error("fixture seal failed: " + r.error().message);
    if (r->sealed && reading_copy && !r->reading_copy) {
      throw std::runtime_error("fixture seal made no reading copy: " + r->reading_copy_error);
    }
    if (!r->sealed) {
      std::string why;
      for (const auto& f : r->report.findings) {
        if (f.status == Status::failed) {
          why += " " + f.rule;
          for (const auto& n : f.notes) why += " (" + n.file + ": " + n.note + ")";
        }
      }
      throw std::runtime_error("fixture seal failed: not sealed:" + why);
    }
  }
  static const Sealed& get() {
    static const Sealed s;
    return s;
  }
};

class BundleTamper : public ::testing::Test {
 protected:
  const Keys& k = Keys::get();
  const Sealed& s = Sealed::get();
  TempDir tmp;
  fs::path bundle = tmp.path() / "tampered.dossier";
  fs::path open_parent = tmp.path() / "opened";
  fs::path open_dir = open_parent / "dossier";

  void SetUp() override { fs::create_directories(open_parent); }

  // "" when verify calls the bundle at `bundle` not valid; otherwise why not.
  std::string verify_rejects(const crypto::minisign::PublicKey& pub) {
    auto v = app::verify_bundle(bundle, pub);
    if (!v) return "verify error instead of a result: " + v.error().message;
    if (v->valid) return "verify says valid";
    if (v->problems.empty()) return "not valid but no problem named";
    return "";
  }
  // "" when open fails on `bundle` and leaves nothing behind; otherwise why not.
  std::string open_rejects(const crypto::minisign::PublicKey& pub) {
    auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, pub), k.messages);
    std::string why;
    if (!r) {
      why = "open error instead of a result: " + r.error().message;
    } else if (r->opened) {
      why = "opened";
    } else if (!r->files.empty()) {
      why = "files listed";
    }
    if (!listing(open_parent).empty()) {
      why += " left " + *listing(open_parent).begin();
      fs::remove_all(open_dir);
      for (const auto& st : staging_leftovers(open_parent)) fs::remove_all(open_parent / st);
    }
    return why;
  }
  void expect_rejected(const crypto::minisign::PublicKey& pub, const std::string& what) {
    EXPECT_EQ(verify_rejects(pub), "") << what;
    EXPECT_EQ(open_rejects(pub), "") << what;
  }
  void expect_rejected(const std::string& what) { expect_rejected(k.signer_pub, what); }

  // The open result, for a bundle that verifies but must not open.
  app::OpenResult open_verified_fails(const crypto::minisign::PublicKey& pub, const std::string& what) {
    auto v = app::verify_bundle(bundle, pub);
    EXPECT_TRUE(v && v->valid) << what << ": the test expects verify to pass";
    auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, pub), k.messages);
    if (!r) throw std::runtime_error(what + ": open error " + r.error().message);
    EXPECT_FALSE(r->opened) << what;
    EXPECT_TRUE(r->verify.valid) << what;
    EXPECT_TRUE(r->error.has_value()) << what;
    EXPECT_TRUE(listing(open_parent).empty()) << what;
    return *r;
  }
};

TEST_F(BundleTamper, FixturesAreValid) {
  for (const auto& b : {s.small, s.big}) {
    auto v = app::verify_bundle(b, k.signer_pub);
    ASSERT_TRUE(v && v->valid) << b;
  }
  auto v = app::verify_bundle(s.foreign, k.attacker_pub);
  ASSERT_TRUE(v && v->valid);
  // The rebuild helper itself changes nothing that matters: a re-saved bundle stays valid.
  BundleEntries::load(s.small).save(bundle);
  v = app::verify_bundle(bundle, k.signer_pub);
  ASSERT_TRUE(v && v->valid);
  auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(r && r->opened);
}

TEST_F(BundleTamper, LocalHeaderParseIsSane) {
  const Bytes raw = read_bytes(s.small);
  const auto located = locate_entries(raw);
  auto zip = io::ZipReader::open(s.small);
  ASSERT_TRUE(zip);
  ASSERT_EQ(located.size(), zip->entries().size());
  ASSERT_EQ(located.size(), 11u);  // mimetype, manifest, signature, index, 7 documents
  for (std::size_t i = 0; i < located.size(); ++i) {
    const auto& l = located[i];
    const auto& e = zip->entries()[i];
    EXPECT_EQ(l.name, e.name);
    EXPECT_EQ(l.size, e.compressed_size) << l.name;
    EXPECT_EQ(l.method, 0) << l.name;
    EXPECT_FALSE(e.deflated) << l.name;
    if (l.method == 0) {
      auto data = zip->read(e);
      ASSERT_TRUE(data);
      EXPECT_TRUE(std::equal(data->begin(), data->end(), raw.begin() + static_cast<std::ptrdiff_t>(l.offset),
                             raw.begin() + static_cast<std::ptrdiff_t>(l.offset + l.size)))
          << l.name;
      if (l.name.starts_with("payload/")) {
        const auto h = age_header_length(*data);
        EXPECT_EQ(std::string(data->begin(), data->begin() + 22), "age-encryption.org/v1\n");
        EXPECT_GT(h, 100u);
        EXPECT_LT(h + 16, data->size());  // nonce and at least one chunk follow
      }
    }
  }
  // The central directory follows the last entry's data.
  const auto end = located.back().offset + located.back().size;
  ASSERT_LT(end + 4, raw.size());
  EXPECT_EQ(std::string(raw.begin() + static_cast<std::ptrdiff_t>(end), raw.begin() + static_cast<std::ptrdiff_t>(end) + 4),
            "PK\x01\x02");
}

TEST_F(BundleTamper, EverySingleByteFlipIsRejected) {
  const Bytes raw = read_bytes(s.small);
  const auto located = locate_entries(raw);
  ASSERT_EQ(located.size(), 11u);

  // Every position of mimetype, manifest (its compressed bytes), signature and age headers.
  std::vector<std::pair<std::size_t, std::string>> positions;
  std::vector<std::pair<std::size_t, std::string>> payload_rest;
  for (const auto& l : located) {
    std::size_t every = l.size;
    if (l.name.starts_with("payload/")) {
      every = age_header_length(std::span<const std::uint8_t>(raw).subspan(l.offset, l.size));
      for (std::size_t p = l.offset + every; p < l.offset + l.size; ++p) payload_rest.emplace_back(p, l.name + " payload");
    }
    for (std::size_t p = l.offset; p < l.offset + every; ++p) positions.emplace_back(p, l.name);
  }
  // And 64 evenly spaced positions of the rest of the payload (nonces, chunks, tags).
  ASSERT_GT(payload_rest.size(), 64u);
  for (std::size_t i = 0; i < 64; ++i) positions.push_back(payload_rest[i * (payload_rest.size() - 1) / 63]);
  EXPECT_GT(positions.size(), 1500u);

  std::vector<std::string> undetected;
  std::size_t opens = 0;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const auto& [pos, region] = positions[i];
    Bytes f = raw;
    f[pos] ^= 0x01;
    write_bytes(bundle, f);
    const std::string where = region + " at file offset " + std::to_string(pos);
    // Every entry is stored, so every flip changes signed bytes, a digest or a CRC: no allowance.
    if (auto why = verify_rejects(k.signer_pub); !why.empty()) undetected.push_back(where + ": verify: " + why);
    if (i % 23 == 0 || i + 64 >= positions.size()) {  // open is slower: a sample, and every payload flip
      ++opens;
      if (auto why = open_rejects(k.signer_pub); !why.empty()) undetected.push_back(where + ": open: " + why);
    }
  }
  EXPECT_GT(opens, 100u);
  std::cout << "flipped " << positions.size() << " positions, " << opens << " also opened\n";
  EXPECT_TRUE(undetected.empty()) << undetected.size() << " flips not rejected, first: " << undetected.front();
}

// Issue 8: every byte of a bundle is signed, covered by a signed digest, or determined by them
// (docs/bundle-format.md, "Container bytes"), so one bit flipped anywhere makes it not valid.
// Every bit of every byte that is not payload ciphertext (all ZIP headers, the mimetype, the
// manifest and its signature) is flipped, and a sample of the payload (its digest is signed):
// one byte in 7 of the first and last 4 KiB, one in 211 elsewhere.
TEST_F(BundleTamper, EveryBitFlipOfTheContainerIsRejected) {
  const Bytes raw = read_bytes(s.small);
  ASSERT_GT(raw.size(), 3 * 4096u);
  std::vector<bool> payload(raw.size(), false);
  for (const auto& l : locate_entries(raw)) {
    if (l.name.starts_with("payload/")) std::fill_n(payload.begin() + static_cast<std::ptrdiff_t>(l.offset), l.size, true);
  }
  std::vector<std::pair<std::size_t, unsigned>> flips;  // offset, bit
  std::size_t whole_bytes = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const bool edge = i < 4096 || i >= raw.size() - 4096;
    if (!payload[i]) {
      ++whole_bytes;
      for (unsigned bit = 0; bit < 8; ++bit) flips.emplace_back(i, bit);
    } else if (i % (edge ? 7 : 211) == 0) {
      flips.emplace_back(i, static_cast<unsigned>(i % 8));
    }
  }
  EXPECT_EQ(whole_bytes, non_data_offsets(raw).size() + std::string_view(app::kBundleMimetype).size() +
                             BundleEntries::load(s.small).at(app::kManifestEntry).data.size() +
                             BundleEntries::load(s.small).at(app::kSignatureEntry).data.size());

  // Flipped in place: one file, one byte written and restored per flip.
  write_bytes(bundle, raw);
  const int fd = ::open(bundle.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto put = [&](std::size_t at, std::uint8_t b) {
    ASSERT_EQ(::pwrite(fd, &b, 1, static_cast<off_t>(at)), 1);
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> undetected;
  for (const auto& [at, bit] : flips) {
    put(at, static_cast<std::uint8_t>(raw[at] ^ (1u << bit)));
    if (auto why = verify_rejects(k.signer_pub); !why.empty()) {
      undetected.push_back("bit " + std::to_string(bit) + " of byte " + std::to_string(at) + ": " + why);
    }
    put(at, raw[at]);
  }
  ::close(fd);
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "flipped " << flips.size() << " bits (every bit of " << whole_bytes << " bytes, a sample of "
            << raw.size() - whole_bytes << " payload bytes) in " << secs << " s; undetected: " << undetected.size()
            << "\n";
  EXPECT_TRUE(undetected.empty()) << undetected.size() << " flips not rejected, first: " << undetected.front();
  EXPECT_EQ(verify_rejects(k.signer_pub), "verify says valid");  // restored: valid again
}

// No place to hide data: bytes the ZIP format tolerates but seal never writes (an entry the
// central directory does not list, a gap, leading or trailing bytes, comments, extra fields,
// data descriptors) make a bundle not valid, even though every listed entry is intact.
TEST_F(BundleTamper, NoPlaceToHideDataInTheContainer) {
  const Bytes raw = read_bytes(s.small);
  const RawZip original = RawZip::parse(raw);
  ASSERT_EQ(original.bytes(), raw);  // the helper is faithful
  ASSERT_EQ(original.members.size(), 11u);
  const Bytes secret = {'s', 'e', 'c', 'r', 'e', 't', '\n'};
  const io::stored_zip::Member hidden_member{"hidden.txt", secret.size(), io::crc32_update(0, secret)};
  const RawZip::Member hidden{io::stored_zip::local_header(hidden_member), secret, {},
                              io::stored_zip::central_header(hidden_member, 0), false};
  const Bytes timestamp = {0x55, 0x54, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};  // APPNOTE 4.6.1 "UT"

  std::vector<std::pair<std::string, RawZip>> cases;
  auto add_case = [&](const std::string& what, const std::function<void(RawZip&)>& change) {
    RawZip z = original;
    change(z);
    cases.emplace_back(what, std::move(z));
  };
  add_case("a local entry the central directory does not list, after the payload",
           [&](RawZip& z) { z.members.push_back(hidden); });
  add_case("a local entry the central directory does not list, after the mimetype",
           [&](RawZip& z) { z.members.insert(z.members.begin() + 1, hidden); });
  add_case("an extra entry listed everywhere", [&](RawZip& z) {
    z.members.push_back(hidden);
    z.members.back().listed = true;
  });
  add_case("16 bytes between two entries", [](RawZip& z) { z.members[5].after = Bytes(16, 0); });
  add_case("16 leading bytes", [](RawZip& z) { z.leading = Bytes(16, 'x'); });
  add_case("a trailing byte", [](RawZip& z) { z.trailing = {'x'}; });
  add_case("a comment in the end record", [&](RawZip& z) { z.comment = secret; });
  add_case("an extra field in a central header", [&](RawZip& z) { RawZip::add_extra(z.members[3].central, 30, timestamp); });
  add_case("an extra field in a local header", [&](RawZip& z) { RawZip::add_extra(z.members[3].local, 28, timestamp); });
  add_case("an extra field in both headers", [&](RawZip& z) {
    RawZip::add_extra(z.members[4].local, 28, timestamp);
    RawZip::add_extra(z.members[4].central, 30, timestamp);
  });
  add_case("a file comment in a central header", [&](RawZip& z) {
    auto& c = z.members[6].central;
    c.insert(c.end(), secret.begin(), secret.end());
    RawZip::put16(c, 32, secret.size());
  });
  add_case("a data descriptor after a payload entry", [](RawZip& z) {
    auto& m = z.members[7];
    RawZip::put16(m.local, 6, RawZip::u16(m.local, 6) | 0x0008);
    RawZip::put16(m.central, 8, RawZip::u16(m.central, 8) | 0x0008);
    m.after = Bytes(16, 0);
    RawZip::put32(m.after, 0, 0x08074B50u);
    for (std::size_t at = 14; at < 26; ++at) m.after[at - 10] = m.local[at];  // CRC and sizes
  });
  add_case("the UTF-8 flag on the first entry", [](RawZip& z) {
    RawZip::put16(z.members[0].local, 6, 0x0800);
    RawZip::put16(z.members[0].central, 8, 0x0800);
  });
  add_case("MS-DOS as the system that made an entry", [](RawZip& z) { z.members[2].central[5] = 0; });
  add_case("a modification time", [](RawZip& z) {
    RawZip::put16(z.members[8].local, 10, 0x6000);
    RawZip::put16(z.members[8].central, 12, 0x6000);
  });
  add_case("the central directory in another order", [](RawZip& z) { std::swap(z.members[9].central, z.members[10].central); });

  for (const auto& [what, z] : cases) {
    write_bytes(bundle, z.bytes());
    EXPECT_EQ(verify_rejects(k.signer_pub), "") << what;
  }
  // Leading bytes with the offsets left as they were (how self-extracting archives look).
  Bytes shifted(16, 'x');
  shifted.insert(shifted.end(), raw.begin(), raw.end());
  write_bytes(bundle, shifted);
  EXPECT_EQ(verify_rejects(k.signer_pub), "") << "16 leading bytes, offsets unchanged";
  // And the helper's own rebuild, unchanged, is valid: what is refused above is the change.
  write_bytes(bundle, original.bytes());
  EXPECT_EQ(verify_rejects(k.signer_pub), "verify says valid");
}

// open does not read the payload twice: it decrypts each entry straight from the container and
// checks its digest on the way. A document's ciphertext replaced by another valid one of the
// same size, its CRC-32 set right in both headers so that the container is canonical, while the
// signed manifest is left alone: verify finds the digest; open stops on that entry with the
// digest as the reason, having decrypted it, and leaves nothing.
TEST_F(BundleTamper, OpenChecksEachDigestAsItDecrypts) {
  const RawZip original = RawZip::parse(read_bytes(s.small));
  const RawZip twin = RawZip::parse(read_bytes(s.twin));
  ASSERT_EQ(original.members.size(), 11u);
  RawZip z = original;
  auto& m = z.members[10];  // payload/0007.age
  ASSERT_EQ(m.data.size(), twin.members[10].data.size());
  ASSERT_NE(m.data, twin.members[10].data);
  m.data = twin.members[10].data;
  const std::uint32_t crc = io::crc32_update(0, m.data);
  RawZip::put32(m.local, 14, crc);
  RawZip::put32(m.central, 16, crc);
  write_bytes(bundle, z.bytes());

  auto v = app::verify_bundle(bundle, k.signer_pub);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->valid);
  ASSERT_EQ(v->problems.size(), 1u);
  EXPECT_EQ(v->problems[0].check, app::BundleCheck::digest);
  EXPECT_EQ(v->problems[0].entry, app::payload_entry_name(7));

  auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->opened);
  EXPECT_TRUE(r->files.empty());
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->check, app::BundleCheck::digest);
  EXPECT_EQ(r->error->entry, app::payload_entry_name(7));
  EXPECT_NE(r->error->detail.find("BLAKE2b-512"), std::string::npos) << r->error->detail;
  EXPECT_EQ(r->error_code, Errc::crypto);
  EXPECT_TRUE(listing(open_parent).empty());

  // A CRC-32 that is not the bytes' own is the container's fault, named as such by both.
  z = original;
  RawZip::put32(z.members[10].local, 14, crc);
  RawZip::put32(z.members[10].central, 16, crc);
  write_bytes(bundle, z.bytes());
  v = app::verify_bundle(bundle, k.signer_pub);
  ASSERT_TRUE(v);
  ASSERT_FALSE(v->valid);
  EXPECT_NE(v->problems[0].detail.find("CRC-32"), std::string::npos) << v->problems[0].detail;
  r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->opened);
  ASSERT_TRUE(r->error);
  EXPECT_NE(r->error->detail.find("CRC-32"), std::string::npos) << r->error->detail;
  EXPECT_TRUE(listing(open_parent).empty());
}

// The signature file is exactly what seal writes: its untrusted comment is not signed, and
// base64 can spell the same bytes in more than one way, so either could carry unsigned data.
TEST_F(BundleTamper, SignatureFileIsExactlyAsSealed) {
  const auto original = BundleEntries::load(s.small);
  const std::string sig = original.text(app::kSignatureEntry);
  ASSERT_EQ(sig.rfind("untrusted comment: signature from dossier signing key " + k.signer.key_id_hex() + "\n", 0), 0u)
      << sig;
  const auto last_line = sig.rfind('\n', sig.size() - 2) + 1;
  ASSERT_EQ(sig.substr(sig.size() - 3), "==\n");  // 64 bytes: the last character carries 4 unused bits
  std::string loose_bits = sig;
  char& c = loose_bits[sig.size() - 4];
  c = c == 'A' ? 'B' : c == 'Q' ? 'R' : c == 'g' ? 'h' : 'x';  // same 2 high bits, low bits set
  ASSERT_GT(last_line, 0u);

  const std::vector<std::pair<std::string, std::string>> variants = {
      {"another untrusted comment", replace_once(sig, "signature from dossier signing key", "meet me at the station at 9")},
      {"CRLF line ends", [&] {
         std::string t;
         for (char ch : sig) t += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
         return t;
       }()},
      {"no final line end", sig.substr(0, sig.size() - 1)},
      {"an extra line", sig + "hidden\n"},
      {"non-zero padding bits in the global signature", loose_bits},
  };
  for (const auto& [what, text] : variants) {
    ASSERT_NE(text, sig) << what;
    auto b = original;
    b.at(app::kSignatureEntry).data.assign(text.begin(), text.end());
    b.save(bundle);
    EXPECT_EQ(verify_rejects(k.signer_pub), "") << what;
  }
}

// Issue 8: a manifest signed by the legitimate key is still not valid when its creation time
// is no real time or a label holds characters a terminal hides or obeys.
TEST_F(BundleTamper, SignedManifestWithAnImpossibleTimeOrHiddenCharactersIsNotValid) {
  const std::vector<std::pair<std::string, std::function<void(app::Manifest&)>>> tweaks = {
      {"created 9999-99-99T99:99:99Z", [](app::Manifest& m) { m.created = "9999-99-99T99:99:99Z"; }},
      {"created on 30 February", [](app::Manifest& m) { m.created = "2026-02-30T10:00:00Z"; }},
      {"a right-to-left override in the profile version", [](app::Manifest& m) { m.profile_version += "\xE2\x80\xAE"; }},
      {"an isolate in the profile id", [](app::Manifest& m) { m.profile_id = "\xE2\x81\xA6" + m.profile_id; }},
      {"an escape sequence in the profile id", [](app::Manifest& m) { m.profile_id += "\xC2\x9B" "2J"; }},
  };
  for (const auto& [what, tweak] : tweaks) {
    auto b = BundleEntries::load(s.small);
    b.resign(k.signer, tweak);
    b.save(bundle);
    auto v = app::verify_bundle(bundle, k.signer_pub);
    ASSERT_TRUE(v) << what;
    EXPECT_FALSE(v->valid) << what;
    ASSERT_FALSE(v->problems.empty()) << what;
    EXPECT_EQ(v->problems.front().check, app::BundleCheck::manifest) << what << ": " << v->problems.front().detail;
    EXPECT_FALSE(v->manifest) << what;
    EXPECT_FALSE(app::read_manifest(bundle)) << what;  // inspect shows none of it either
  }
}

TEST_F(BundleTamper, TruncationIsRejected) {
  const Bytes raw = read_bytes(s.small);
  const auto located = locate_entries(raw);
  const std::size_t cd = located.back().offset + located.back().size;
  for (const std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{30}, located[3].offset + 10, raw.size() / 2,
                                cd - 1, cd, raw.size() - 22, raw.size() - 1}) {
    write_bytes(bundle, std::span<const std::uint8_t>(raw).first(len));
    expect_rejected("truncated to " + std::to_string(len) + " of " + std::to_string(raw.size()));
  }
  // A payload entry cut short inside the ZIP, with a manifest that still names its old size.
  auto b = BundleEntries::load(s.small);
  b.at(app::payload_entry_name(2)).data.resize(200);
  b.save(bundle);
  expect_rejected("a payload entry truncated");
}

TEST_F(BundleTamper, SwappedEntriesAreRejected) {
  auto b = BundleEntries::load(s.small);
  std::swap(b.at(app::payload_entry_name(1)).data, b.at(app::payload_entry_name(2)).data);
  b.save(bundle);
  expect_rejected("contents of two payload entries swapped");

  b = BundleEntries::load(s.small);
  std::swap(b.entries[4], b.entries[5]);  // payload/0001.age and 0002.age, names and all
  b.save(bundle);
  expect_rejected("two payload entries in the other order");

  b = BundleEntries::load(s.small);
  std::swap(b.entries[1], b.entries[2]);  // signature before manifest
  b.save(bundle);
  expect_rejected("signature before the manifest");

  b = BundleEntries::load(s.small);
  std::rotate(b.entries.begin(), b.entries.begin() + 1, b.entries.end());  // mimetype last
  b.save(bundle);
  expect_rejected("mimetype not first");

  b = BundleEntries::load(s.small);
  b.deflated.insert("mimetype");
  b.save(bundle);
  expect_rejected("mimetype deflated");

  // The same signed bytes, deflated: refused, since a deflate stream can be altered (a block
  // flag, an equivalent back-reference) without changing what it inflates to.
  for (const std::string& name : std::vector<std::string>{app::kManifestEntry, app::kIndexEntry}) {
    b = BundleEntries::load(s.small);
    b.deflated.insert(name);
    b.save(bundle);
    expect_rejected(name + " deflated");
  }
}

TEST_F(BundleTamper, ExtraAndMissingEntriesAreRejected) {
  for (const std::string extra : {"payload/0008.age", "payload/extra.age", "extra.txt", "META-INF/other.xml"}) {
    auto b = BundleEntries::load(s.small);
    b.entries.push_back(Entry{extra, b.at(app::payload_entry_name(7)).data});
    b.save(bundle);
    expect_rejected("extra entry " + extra);
  }
  for (const std::string& gone : std::vector<std::string>{"mimetype", app::kManifestEntry, app::kSignatureEntry, app::kIndexEntry,
                                 app::payload_entry_name(3), app::payload_entry_name(7)}) {
    auto b = BundleEntries::load(s.small);
    b.remove(gone);
    b.save(bundle);
    expect_rejected("missing entry " + gone);
  }
  auto b = BundleEntries::load(s.small);
  b.at("mimetype").data.push_back('\n');
  b.save(bundle);
  expect_rejected("another mimetype");
  // A missing document even with a manifest that no longer lists it: the index still does.
  b = BundleEntries::load(s.small);
  b.remove(app::payload_entry_name(7));
  b.resign(k.signer, [](app::Manifest& m) { m.entries.pop_back(); });
  b.save(bundle);
  const auto r = open_verified_fails(k.signer_pub, "document dropped and manifest re-signed");
  EXPECT_EQ(r.error_code, Errc::hostile);
}

TEST_F(BundleTamper, BundleSignedByAnotherKeyIsRejected) {
  fs::copy_file(s.foreign, bundle);
  expect_rejected("sealed and signed by the attacker");
  auto v = app::verify_bundle(bundle, k.signer_pub);
  ASSERT_TRUE(v && !v->problems.empty());
  EXPECT_EQ(v->problems.front().check, app::BundleCheck::signature);
  EXPECT_FALSE(v->manifest);  // nothing of an unverified manifest is reported

  // The legitimate manifest, signed by the attacker.
  auto b = BundleEntries::load(s.small);
  b.resign(k.attacker);
  b.save(bundle);
  expect_rejected("re-signed by the attacker, verified with the signer's key");
  expect_rejected(k.attacker_pub, "re-signed by the attacker, manifest naming the signer");
}

TEST_F(BundleTamper, ManifestResignedByAnotherKeyDoesNotOpen) {
  // The attacker writes its own key id into the manifest and signs: verify with the attacker's
  // key holds (the outside is consistent), but the encrypted index names the real signer.
  auto b = BundleEntries::load(s.small);
  b.resign(k.attacker, [&](app::Manifest& m) { m.signer_key_id = k.attacker.key_id_hex(); });
  b.save(bundle);
  expect_rejected(k.signer_pub, "re-signed by the attacker, verified with the signer's key");
  const auto r = open_verified_fails(k.attacker_pub, "re-signed by the attacker with its key id");
  EXPECT_EQ(r.error_code, Errc::hostile);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->entry, app::kIndexEntry);
  EXPECT_NE(r.error->detail.find(k.signer.key_id_hex()), std::string::npos) << r.error->detail;
}

TEST_F(BundleTamper, TrustedCommentMustMatchTheManifest) {
  auto b = BundleEntries::load(s.small);
  const auto m = b.manifest();
  auto other = m;
  other.dossier_id = std::string(32, '0');
  const std::string xml = b.text(app::kManifestEntry);
  auto sig = crypto::minisign::sign(k.signer, span_of(xml), app::trusted_comment_for(other), app::untrusted_comment_for(m));
  ASSERT_TRUE(sig);
  b.at(app::kSignatureEntry).data.assign(sig->begin(), sig->end());
  b.save(bundle);
  expect_rejected("trusted comment of another dossier");
  auto v = app::verify_bundle(bundle, k.signer_pub);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->problems.size(), 1u);
  EXPECT_EQ(v->problems[0].check, app::BundleCheck::trusted_comment);
}

TEST_F(BundleTamper, PayloadEntryFromAnotherBundleIsRejected) {
  const auto big = BundleEntries::load(s.big);
  // A document from another bundle (another version of the same request).
  auto b = BundleEntries::load(s.small);
  b.at(app::payload_entry_name(1)).data = big.at(app::payload_entry_name(1)).data;
  b.save(bundle);
  expect_rejected("a document from another bundle");
  b.resign(k.signer);
  b.save(bundle);
  auto r = open_verified_fails(k.signer_pub, "a document from another bundle, manifest re-signed");
  EXPECT_EQ(r.error_code, Errc::crypto);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->entry, app::payload_entry_name(1));

  // A document of the same size from another bundle: only its plaintext SHA-256 differs.
  const auto twin = BundleEntries::load(s.twin);
  b = BundleEntries::load(s.small);
  ASSERT_EQ(b.at(app::payload_entry_name(7)).data.size(), twin.at(app::payload_entry_name(7)).data.size());
  b.at(app::payload_entry_name(7)).data = twin.at(app::payload_entry_name(7)).data;
  b.resign(k.signer);
  b.save(bundle);
  r = open_verified_fails(k.signer_pub, "a same-size document from another bundle, manifest re-signed");
  EXPECT_EQ(r.error_code, Errc::crypto);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->entry, app::payload_entry_name(7));

  // The index from another bundle: its dossier id is not this manifest's.
  b = BundleEntries::load(s.small);
  b.at(app::kIndexEntry).data = big.at(app::kIndexEntry).data;
  b.save(bundle);
  expect_rejected("the index from another bundle");
  b.resign(k.signer);
  b.save(bundle);
  r = open_verified_fails(k.signer_pub, "the index from another bundle, manifest re-signed");
  EXPECT_EQ(r.error_code, Errc::hostile);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->entry, app::kIndexEntry);

  // And the manifest and signature of another bundle over this payload.
  b = BundleEntries::load(s.small);
  b.at(app::kManifestEntry).data = big.at(app::kManifestEntry).data;
  b.at(app::kSignatureEntry).data = big.at(app::kSignatureEntry).data;
  b.save(bundle);
  expect_rejected("the signed manifest of another bundle");
}

class BundleChunks : public BundleTamper {
 protected:
  static constexpr std::size_t kSealed = crypto::age::kChunkSize + 16;  // a chunk with its tag

  // Rebuilds the big bundle with payload/0001.age changed by `edit` (on its chunks after the
  // header and the 16-byte nonce) and the manifest re-signed by the legitimate key.
  void rebuild(const std::function<void(std::vector<Bytes>&)>& edit) {
    auto b = BundleEntries::load(s.big);
    auto& data = b.at(app::payload_entry_name(1)).data;
    const std::size_t start = age_header_length(data) + 16;
    std::vector<Bytes> chunks;
    for (std::size_t at = start; at < data.size(); at += kSealed) {
      const auto end = std::min(data.size(), at + kSealed);
      chunks.emplace_back(data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(end));
    }
    ASSERT_EQ(chunks.size(), 4u);
    ASSERT_EQ(chunks[2].size(), kSealed);
    ASSERT_LT(chunks[3].size(), kSealed);
    edit(chunks);
    data.resize(start);
    for (const auto& c : chunks) data.insert(data.end(), c.begin(), c.end());
    b.resign(k.signer);
    b.save(bundle);
  }
  void expect_decryption_fails(const std::string& what) {
    const auto r = open_verified_fails(k.signer_pub, what);
    EXPECT_EQ(r.error_code, Errc::crypto) << what;
    ASSERT_TRUE(r.error) << what;
    EXPECT_EQ(r.error->entry, app::payload_entry_name(1)) << what;
    EXPECT_EQ(r.error->check, app::BundleCheck::document) << what;
  }
};

TEST_F(BundleChunks, UntouchedChunksOpen) {
  rebuild([](std::vector<Bytes>&) {});
  auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(r && r->opened);  // the rebuild itself is faithful
}

TEST_F(BundleChunks, ReorderedChunkFailsAtDecryption) {
  rebuild([](std::vector<Bytes>& c) { std::swap(c[1], c[2]); });
  expect_decryption_fails("chunks 1 and 2 swapped");
}

TEST_F(BundleChunks, DuplicatedChunkFailsAtDecryption) {
  rebuild([](std::vector<Bytes>& c) { c.insert(c.begin() + 1, c[1]); });
  expect_decryption_fails("chunk 1 duplicated");
}

TEST_F(BundleChunks, DroppedOrMovedFinalChunkFailsAtDecryption) {
  rebuild([](std::vector<Bytes>& c) { c.erase(c.begin() + 2); });
  expect_decryption_fails("chunk 2 dropped");
  rebuild([](std::vector<Bytes>& c) { c.pop_back(); });
  expect_decryption_fails("final chunk dropped");
  rebuild([](std::vector<Bytes>& c) { std::swap(c[0], c[3]); });
  expect_decryption_fails("final chunk first");
}

}  // namespace
}  // namespace dossier::test::bundle

namespace dossier::test::bundle {
namespace {

// A legitimately signed bundle whose encrypted index names an unsafe path (a buggy or hostile
// sender): open must refuse it before writing anything, and nothing may appear anywhere.
TEST_F(BundleTamper, UnsafePathsInTheEncryptedIndexAreRefused) {
  const auto original = BundleEntries::load(s.small);
  auto plain = crypto::age::decrypt({&k.comensha}, original.at(app::kIndexEntry).data);
  ASSERT_TRUE(plain) << plain.error().message;
  const auto index = nlohmann::json::parse(plain->begin(), plain->end());
  const std::string first = index["documents"][0]["path"];
  std::string first_upper = first;
  for (auto& c : first_upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"../evil.pdf", "traversal"},
      {"politie/../../evil.pdf", "traversal inside"},
      {"/tmp/evil.pdf", "absolute"},
      {"C:evil.pdf", "drive letter"},
      {"politie\\evil.pdf", "backslash"},
      {"politie//evil.pdf", "empty segment"},
      {"./evil.pdf", "dot segment"},
      {"a/b/c/d/evil.pdf", "deeper than a package may be"},
      {std::string("evil\x01.pdf"), "control character"},
      {"Referral.XML", "referral.xml in other case"},
      {"referral.xml/evil.pdf", "inside referral.xml"},
      {first, "the same path as another document"},
      {first_upper, "another document's path in other case"},
      {first + "/evil.pdf", "inside another document"},
      {".dossier-ciphertext", "the reserved name of open's old working copy"},
  };
  for (const auto& [path, why] : hostile) {  // document 1's path becomes each; document 0 keeps `first`
    auto changed = index;
    changed["documents"][1]["path"] = path;
    const std::string text = changed.dump();
    const crypto::age::X25519Recipient r = k.comensha.recipient();
    auto cipher = crypto::age::encrypt({&r}, span_of(text));
    ASSERT_TRUE(cipher);
    auto b = original;
    b.at(app::kIndexEntry).data = *cipher;
    b.resign(k.signer);
    b.save(bundle);
    const auto result = open_verified_fails(k.signer_pub, why);
    ASSERT_TRUE(result.error.has_value()) << why;
    EXPECT_EQ(result.error->check, app::BundleCheck::path) << why;
    EXPECT_EQ(result.error_code, Errc::hostile) << why << ": " << result.error->detail;
    EXPECT_FALSE(fs::exists(tmp.path() / "evil.pdf")) << why;
    EXPECT_FALSE(fs::exists("/tmp/evil.pdf")) << why;
  }
}

// Issue 9: the reading copy sealed after the documents is held to what the signed index says.
// Each case is with_copy with its index (and, where needed, a payload entry) changed and the
// manifest re-signed by the legitimate key: verify holds, open refuses, and nothing is left at
// DIR or beside it (the reading copy's folder included).
TEST_F(BundleTamper, ReadingCopyIsHeldToTheSignedIndex) {
  const auto original = BundleEntries::load(s.with_copy);
  auto plain = crypto::age::decrypt({&k.comensha}, original.at(app::kIndexEntry).data);
  ASSERT_TRUE(plain) << plain.error().message;
  const auto index = nlohmann::json::parse(plain->begin(), plain->end());
  ASSERT_TRUE(index.contains("reading_copy"));
  ASSERT_EQ(index["reading_copy"].size(), 3u);
  const std::size_t docs = index["documents"].size();
  EXPECT_EQ(index["reading_copy"][0]["entry"], app::payload_entry_name(docs + 1));
  EXPECT_EQ(index["reading_copy"][0]["role"], "dossier");
  EXPECT_EQ(index["reading_copy"][1]["role"], "cover");
  EXPECT_EQ(index["reading_copy"][2]["role"], "report");
  const crypto::age::X25519Recipient r = k.comensha.recipient();
  const auto with_index = [&](const nlohmann::json& changed, BundleEntries b) {
    const std::string text = changed.dump();
    auto cipher = crypto::age::encrypt({&r}, span_of(text));
    ASSERT_TRUE(cipher);
    b.at(app::kIndexEntry).data = *cipher;
    b.resign(k.signer);
    b.save(bundle);
  };
  const fs::path copy_dir = app::reading_copy_dir(open_dir, k.messages.lang());
  struct Case {
    std::string why;
    std::function<void(nlohmann::json&)> change;
    app::BundleCheck check;
    Errc code;
  };
  const std::vector<Case> cases = {
      {"dossier.pdf's SHA-256 is not the index's",
       [](nlohmann::json& j) { j["reading_copy"][0]["sha256"] = std::string(64, 'a'); }, app::BundleCheck::document,
       Errc::crypto},
      {"the cover sheet's size is not the index's",
       [](nlohmann::json& j) { j["reading_copy"][1]["size"] = j["reading_copy"][1]["size"].get<std::uint64_t>() + 1; },
       app::BundleCheck::document, Errc::crypto},
      {"a name that is not one of the reading copy's",
       [](nlohmann::json& j) { j["reading_copy"][0]["name"] = "../evil.pdf"; }, app::BundleCheck::index,
       Errc::hostile},
      {"roles swapped",
       [](nlohmann::json& j) { std::swap(j["reading_copy"][0], j["reading_copy"][1]); }, app::BundleCheck::index,
       Errc::hostile},
      {"the reading copy left out of the index, its entries still in the manifest",
       [](nlohmann::json& j) { j.erase("reading_copy"); }, app::BundleCheck::index, Errc::hostile},
      {"two files instead of three",
       [](nlohmann::json& j) { j["reading_copy"].erase(2); }, app::BundleCheck::index, Errc::malformed},
      {"a document's entry named as the reading copy's",
       [&](nlohmann::json& j) { j["reading_copy"][0]["entry"] = app::payload_entry_name(1); }, app::BundleCheck::index,
       Errc::hostile},
  };
  for (const auto& c : cases) {
    auto changed = index;
    c.change(changed);
    with_index(changed, original);
    const auto result = open_verified_fails(k.signer_pub, c.why);
    ASSERT_TRUE(result.error.has_value()) << c.why;
    EXPECT_EQ(result.error->check, c.check) << c.why << ": " << result.error->detail;
    EXPECT_EQ(result.error_code, c.code) << c.why << ": " << result.error->detail;
    EXPECT_FALSE(fs::exists(copy_dir)) << c.why;
    EXPECT_TRUE(staging_leftovers(open_parent).empty()) << c.why;
  }
  // The report's ciphertext swapped for the cover sheet's (both re-signed): the digest holds, the
  // plaintext is not the report the index names.
  {
    auto b = original;
    b.at(app::payload_entry_name(docs + 3)).data = original.at(app::payload_entry_name(docs + 2)).data;
    b.resign(k.signer);
    b.save(bundle);
    const auto result = open_verified_fails(k.signer_pub, "cover sheet in the report's place");
    ASSERT_TRUE(result.error.has_value());
    EXPECT_EQ(result.error->check, app::BundleCheck::document) << result.error->detail;
    EXPECT_EQ(result.error->entry, app::payload_entry_name(docs + 3));
    EXPECT_FALSE(fs::exists(copy_dir));
  }
  // A flipped byte in dossier.pdf's ciphertext, not re-signed: not valid.
  {
    auto b = original;
    auto& data = b.at(app::payload_entry_name(docs + 1)).data;
    data[data.size() / 2] ^= 0x01;
    b.save(bundle);
    expect_rejected("a flipped byte in the sealed dossier.pdf");
    EXPECT_FALSE(fs::exists(copy_dir));
  }
}

// Issue 8: documents a registered coordinator's key could sign into a bundle that open must not
// write. s.small with documents appended to the index and the payload (a copy of document 1,
// encrypted to CoMensha), `declare` added to the <documents> of the index's referral.xml, and
// the manifest re-signed by the legitimate key, so verify holds and only open's rules remain.
class BundleIndexPaths : public BundleTamper {
 protected:
  void add_documents(const std::vector<std::string>& paths, const std::vector<std::string>& declare) {
    auto b = BundleEntries::load(s.small);
    auto plain = crypto::age::decrypt({&k.comensha}, b.at(app::kIndexEntry).data);
    ASSERT_TRUE(plain) << plain.error().message;
    auto index = nlohmann::json::parse(plain->begin(), plain->end());
    auto pdf = crypto::age::decrypt({&k.comensha}, b.at(app::payload_entry_name(1)).data);
    ASSERT_TRUE(pdf) << pdf.error().message;
    const crypto::age::X25519Recipient r = k.comensha.recipient();
    std::vector<app::ManifestEntry> added;
    for (const auto& path : paths) {
      const std::string name = app::payload_entry_name(index["documents"].size() + 1);
      auto cipher = crypto::age::encrypt({&r}, *pdf);
      ASSERT_TRUE(cipher);
      crypto::Blake2b512 h;
      h.update(*cipher);
      added.push_back({name, cipher->size(), h.hex_final()});
      b.entries.push_back(Entry{name, *cipher});
      index["documents"].push_back({{"entry", name}, {"path", path}, {"size", pdf->size()}, {"sha256", crypto::sha256_hex(*pdf)}});
    }
    std::string referral = index["referral_xml"];
    for (const auto& path : declare) {
      referral = replace_once(referral, "  </documents>",
                              "    <document path=\"" + path + "\" date=\"2026-10-02\" issuer=\"Politie, AVIM\"/>\n  </documents>");
    }
    index["referral_xml"] = referral;
    index["referral_sha256"] = crypto::sha256_hex(span_of(referral));
    const std::string text = index.dump();
    auto cipher = crypto::age::encrypt({&r}, span_of(text));
    ASSERT_TRUE(cipher);
    b.at(app::kIndexEntry).data = *cipher;
    b.resign(k.signer, [&](app::Manifest& m) { m.entries.insert(m.entries.end(), added.begin(), added.end()); });
    b.save(bundle);
  }
  // open refuses the bundle at `bundle`, which verifies, with this code and check, and a detail
  // holding `words`; nothing is written.
  void expect_open_refuses(Errc code, app::BundleCheck check, const std::string& words, const std::string& why) {
    const auto r = open_verified_fails(k.signer_pub, why);
    ASSERT_TRUE(r.error) << why;
    EXPECT_EQ(r.error_code, code) << why << ": " << r.error->detail;
    EXPECT_EQ(r.error->check, check) << why << ": " << r.error->detail;
    EXPECT_NE(r.error->detail.find(words), std::string::npos) << why << ": " << r.error->detail;
    EXPECT_NE(r.error->entry.find("payload/00"), std::string::npos) << why;
    EXPECT_FALSE(fs::exists(open_dir)) << why;
  }
};

TEST_F(BundleIndexPaths, TheFixtureOpensWithoutAnExtraDocument) {
  add_documents({}, {});
  auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(r && r->opened) << (r && r->error ? r->error->detail : "");
  // Sealed without a reading copy: open makes the three files itself.
  const auto names = app::assembly_names(k.messages.lang());
  EXPECT_FALSE(r->sealed_copy);
  EXPECT_EQ(r->assembly_files, (std::vector<std::string>{names.dossier, names.cover, names.report}));
  EXPECT_EQ(listing(r->assembly_dir), (std::set<std::string>{names.dossier, names.cover, names.report}));
}

// Names the package reader skips (io::is_os_clutter): open would write the file and the
// re-check, which skips it too, would say COMPLETE about a folder holding an unchecked file.
TEST_F(BundleIndexPaths, OperatingSystemClutterIsRefused) {
  for (const std::string path : {"__MACOSX/politie/intake-avim.pdf", "politie/._intake-avim.pdf", "politie/.DS_Store",
                                 "politie/Thumbs.db", "politie/desktop.ini", "Thumbs.db"}) {
    add_documents({path}, {path});  // declared too: the clutter rule alone must refuse it
    expect_open_refuses(Errc::hostile, app::BundleCheck::path, "operating-system clutter", path);
  }
}

// A document referral.xml does not declare: the re-check only warns about it.
TEST_F(BundleIndexPaths, UndeclaredDocumentIsRefused) {
  add_documents({"politie/extra-verslag.pdf"}, {});
  expect_open_refuses(Errc::hostile, app::BundleCheck::path, "not declared in referral.xml", "undeclared");
  add_documents({"politie/extra-verslag.pdf"}, {"politie/extra-verslag.pdf"});
  auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(r && r->opened) << (r && r->error ? r->error->detail : "");  // declared, it opens
}

// Two names a case-insensitive file system cannot keep apart, or one name in two Unicode
// forms: not tampering (a package made on Linux can hold them), but not openable everywhere.
TEST_F(BundleIndexPaths, NamesThatDifferOnlyInCaseOrNormalisationAreRefusedAsSuch) {
  const std::string first = "politie/intake-avim.pdf";
  for (const std::string twin : {"politie/INTAKE-AVIM.pdf", "politie/Intake-avim.pdf"}) {
    add_documents({twin}, {twin});
    expect_open_refuses(Errc::unsupported, app::BundleCheck::names, "case-insensitive file system", twin);
    const auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
    ASSERT_TRUE(r && r->error);
    EXPECT_EQ(r->error->detail.find("listed twice"), std::string::npos) << r->error->detail;
    EXPECT_NE(r->error->detail.find(first), std::string::npos) << r->error->detail;
  }
  // Non-ASCII case: Ä and ä.
  add_documents({"politie/\xC3\x84rztlich.pdf", "politie/\xC3\xA4rztlich.pdf"},
                {"politie/\xC3\x84rztlich.pdf", "politie/\xC3\xA4rztlich.pdf"});
  expect_open_refuses(Errc::unsupported, app::BundleCheck::names, "case-insensitive file system", "Ä and ä");
  // café as NFC (U+00E9) and as NFD (e + U+0301): the NFD one is refused, whichever comes first.
  const std::string nfc = "politie/caf\xC3\xA9.pdf";
  const std::string nfd = "politie/cafe\xCC\x81.pdf";
  add_documents({nfc, nfd}, {nfc, nfd});
  expect_open_refuses(Errc::unsupported, app::BundleCheck::names, "NFC", "NFC and NFD twins");
  add_documents({nfd}, {nfd});
  expect_open_refuses(Errc::unsupported, app::BundleCheck::names, "NFC", "an NFD name alone");
  add_documents({nfc}, {nfc});
  auto r = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(r && r->opened) << (r && r->error ? r->error->detail : "");  // the NFC name alone opens
}

}  // namespace
}  // namespace dossier::test::bundle
