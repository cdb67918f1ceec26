// Shared helpers for the sealed-bundle tests (bundle_test.cpp, bundle_tamper_test.cpp):
// a private work folder, keys, sealing a copy of examples/complete, reading a bundle's entries
// and writing a modified bundle (optionally with a re-signed manifest), locating the stored
// bytes of each entry in the ZIP file, and listing / scanning folders.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app/bundle.hpp"
#include "core/messages.hpp"
#include "crypto/age.hpp"
#include "crypto/digest.hpp"
#include "crypto/minisign.hpp"
#include "io/zip_reader.hpp"
#include "io/zip_writer.hpp"
#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier::test::bundle {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

inline std::span<const std::uint8_t> span_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline Bytes read_bytes(const fs::path& p) {
  const std::string s = read_text(p);
  return Bytes(s.begin(), s.end());
}

// A new file each time: truncating one in place makes ext4 flush it on close (auto_da_alloc),
// which costs milliseconds per write in the flip loops.
inline void write_bytes(const fs::path& p, std::span<const std::uint8_t> data) {
  std::error_code ec;
  fs::remove(p, ec);
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

// A fresh private folder, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "dossier-bundle-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Every path below `dir` (recursive, hidden ones included), relative and sorted.
inline std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    out.insert(it->path().lexically_relative(dir).generic_string());
  }
  return out;
}

// Names in `dir` (not recursive) that look like a staging folder (".NAME.partial-XXXXXX").
inline std::vector<std::string> staging_leftovers(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".") && name.find(".partial-") != std::string::npos) out.push_back(name);
  }
  return out;
}

// Every regular file below `dir` that contains one of `needles`, as "file: needle label".
inline std::vector<std::string> files_containing(const fs::path& dir,
                                                 const std::vector<std::pair<std::string, std::string>>& needles) {
  std::vector<std::string> hits;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string content = read_text(it->path());
    for (const auto& [label, needle] : needles) {
      if (content.find(needle) != std::string::npos) hits.push_back(it->path().string() + ": " + label);
    }
  }
  return hits;
}

// For each document and referral.xml of a package folder, a 32-byte slice of it found in no
// other file of the package (so a hit names the file that leaked).
inline std::vector<std::pair<std::string, std::string>> plaintext_slices(const fs::path& package) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& e : fs::recursive_directory_iterator(package)) {
    if (e.is_regular_file()) files.emplace_back(e.path().lexically_relative(package).generic_string(), read_text(e.path()));
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, content] : files) {
    std::optional<std::string> pick;
    for (std::size_t at = content.size() / 2; !pick && at + 32 <= content.size(); at += 16) {
      const std::string slice = content.substr(at, 32);
      const auto shared = std::count_if(files.begin(), files.end(),
                                        [&](const auto& f) { return f.second.find(slice) != std::string::npos; });
      if (shared == 1) pick = slice;
    }
    if (!pick) throw std::runtime_error("fixture has no distinctive slice: " + name);
    out.emplace_back(name, *pick);
  }
  return out;
}

// One ZIP entry, fully read.
struct Entry {
  std::string name;
  Bytes data;
};

struct BundleEntries {
  std::vector<Entry> entries;
  std::set<std::string> deflated;  // empty: every entry is stored, as seal writes them

  const Entry& at(const std::string& name) const {
    for (const auto& e : entries) {
      if (e.name == name) return e;
    }
    throw std::runtime_error("no entry " + name);
  }
  Entry& at(const std::string& name) { return const_cast<Entry&>(std::as_const(*this).at(name)); }
  void remove(const std::string& name) {
    std::erase_if(entries, [&](const Entry& e) { return e.name == name; });
  }
  std::string text(const std::string& name) const {
    const auto& d = at(name).data;
    return std::string(d.begin(), d.end());
  }
  app::Manifest manifest() const {
    auto m = app::Manifest::parse(text(app::kManifestEntry));
    if (!m) throw std::runtime_error("fixture manifest: " + m.error().message);
    return *m;
  }

  // Recomputes the size and digest of every manifest entry from the entries held here, lets
  // `tweak` change the manifest, and signs it with `key` (the trusted comment follows the
  // manifest, as seal writes it).
  void resign(const crypto::minisign::SecretKey& key, const std::function<void(app::Manifest&)>& tweak = {}) {
    app::Manifest m = manifest();
    for (auto& me : m.entries) {
      const auto e = std::find_if(entries.begin(), entries.end(), [&](const Entry& x) { return x.name == me.path; });
      if (e == entries.end()) continue;
      crypto::Blake2b512 h;
      h.update(e->data);
      me.size = e->data.size();
      me.blake2b = h.hex_final();
    }
    if (tweak) tweak(m);
    const std::string xml = m.serialise();
    auto sig = crypto::minisign::sign(key, span_of(xml), app::trusted_comment_for(m), app::untrusted_comment_for(m));
    if (!sig) throw std::runtime_error("sign: " + sig.error().message);
    at(app::kManifestEntry).data.assign(xml.begin(), xml.end());
    at(app::kSignatureEntry).data.assign(sig->begin(), sig->end());
  }

  static BundleEntries load(const fs::path& bundle) {
    auto zip = io::ZipReader::open(bundle);
    if (!zip) throw std::runtime_error("fixture bundle: " + zip.error().message);
    BundleEntries b;
    for (const auto& e : zip->entries()) {
      auto data = zip->read(e);
      if (!data) throw std::runtime_error("fixture entry " + e.name + ": " + data.error().message);
      b.entries.push_back(Entry{e.name, std::move(*data)});
    }
    return b;
  }

  // As seal writes it: entries in this order, in the canonical stored layout (io::stored_zip);
  // with any entry in `deflated`, through libzip instead, those deflated.
  void save(const fs::path& out) const {
    std::error_code ec;
    fs::remove(out, ec);
    if (deflated.empty()) {
      auto zip = io::StoredZipWriter::create(out);
      if (!zip) throw std::runtime_error("zip: " + zip.error().message);
      for (const auto& e : entries) {
        if (auto r = zip->add(e.name, e.data); !r) throw std::runtime_error("zip entry " + e.name + ": " + r.error().message);
      }
      if (auto r = zip->close(); !r) throw std::runtime_error("zip close: " + r.error().message);
      return;
    }
    auto zip = io::ZipWriter::create(out);
    if (!zip) throw std::runtime_error("zip: " + zip.error().message);
    for (const auto& e : entries) {
      auto r = deflated.count(e.name) != 0 ? zip->add_deflated(e.name, e.data) : zip->add_stored(e.name, e.data);
      if (!r) throw std::runtime_error("zip entry " + e.name + ": " + r.error().message);
    }
    if (auto r = zip->close(); !r) throw std::runtime_error("zip close: " + r.error().message);
  }
};

// Where an entry's stored (possibly compressed) bytes lie in the ZIP file, from the local
// file headers (APPNOTE 4.3.7): signature PK\3\4, flags at 6, method at 8, compressed size at
// 18, name length at 26, extra length at 28, then name, extra and data.
struct Located {
  std::string name;
  std::uint16_t method = 0;
  std::size_t offset = 0;  // of the data in the file
  std::size_t size = 0;    // compressed size
};

inline std::vector<Located> locate_entries(const Bytes& zip) {
  const auto u16 = [&](std::size_t at) { return static_cast<std::uint16_t>(zip.at(at) | (zip.at(at + 1) << 8)); };
  const auto u32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(u16(at)) | (static_cast<std::uint32_t>(u16(at + 2)) << 16);
  };
  std::vector<Located> out;
  std::size_t at = 0;
  while (at + 30 <= zip.size() && zip[at] == 'P' && zip[at + 1] == 'K' && zip[at + 2] == 3 && zip[at + 3] == 4) {
    if ((u16(at + 6) & 0x0008) != 0) throw std::runtime_error("data descriptor: sizes not in the local header");
    Located l;
    l.method = u16(at + 8);
    l.size = u32(at + 18);
    const std::size_t name_len = u16(at + 26);
    const std::size_t extra_len = u16(at + 28);
    l.name.assign(zip.begin() + static_cast<std::ptrdiff_t>(at + 30),
                  zip.begin() + static_cast<std::ptrdiff_t>(at + 30 + name_len));
    l.offset = at + 30 + name_len + extra_len;
    at = l.offset + l.size;
    if (at > zip.size()) throw std::runtime_error("local header of " + l.name + " runs past the end");
    out.push_back(std::move(l));
  }
  return out;
}

// Every byte of a ZIP file that is not entry data (local headers, central directory, end
// record, and anything between or around them), as offsets in increasing order.
inline std::vector<std::size_t> non_data_offsets(const Bytes& zip) {
  std::vector<bool> data(zip.size(), false);
  for (const auto& l : locate_entries(zip)) std::fill_n(data.begin() + static_cast<std::ptrdiff_t>(l.offset), l.size, true);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < zip.size(); ++i) {
    if (!data[i]) out.push_back(i);
  }
  return out;
}

// A stored ZIP taken apart into its pieces, to be put together again with some changed: local
// headers, data and central headers per member, and whatever surrounds them. bytes() writes
// the members in order (each: local header, data, `after`), then the central headers of the
// `listed` ones with their local header offsets set, then an end record with the count, the
// directory's size and offset and the comment; offsets and sizes always agree with the layout,
// so what a test changes is only what it means to change.
struct RawZip {
  struct Member {
    Bytes local;    // fixed part, name and extra field
    Bytes data;
    Bytes after;    // e.g. a data descriptor, or a gap
    Bytes central;  // fixed part, name, extra field and comment
    bool listed = true;
  };
  Bytes leading;
  std::vector<Member> members;
  Bytes comment;   // of the end record
  Bytes trailing;  // after the end record

  static std::uint16_t u16(const Bytes& b, std::size_t at) {
    return static_cast<std::uint16_t>(b.at(at) | (b.at(at + 1) << 8));
  }
  static std::uint32_t u32(const Bytes& b, std::size_t at) {
    return static_cast<std::uint32_t>(u16(b, at)) | (static_cast<std::uint32_t>(u16(b, at + 2)) << 16);
  }
  static void put16(Bytes& b, std::size_t at, std::uint64_t v) {
    b.at(at) = static_cast<std::uint8_t>(v & 0xFF);
    b.at(at + 1) = static_cast<std::uint8_t>((v >> 8) & 0xFF);
  }
  static void put32(Bytes& b, std::size_t at, std::uint64_t v) {
    put16(b, at, v & 0xFFFF);
    put16(b, at + 2, (v >> 16) & 0xFFFF);
  }

  static RawZip parse(const Bytes& zip) {
    RawZip z;
    std::size_t at = 0;
    while (at + 30 <= zip.size() && u32(zip, at) == 0x04034B50u) {
      Member m;
      const std::size_t header = 30u + u16(zip, at + 26) + u16(zip, at + 28);
      const std::size_t size = u32(zip, at + 18);
      m.local.assign(zip.begin() + static_cast<std::ptrdiff_t>(at), zip.begin() + static_cast<std::ptrdiff_t>(at + header));
      m.data.assign(zip.begin() + static_cast<std::ptrdiff_t>(at + header),
                    zip.begin() + static_cast<std::ptrdiff_t>(at + header + size));
      z.members.push_back(std::move(m));
      at += header + size;
    }
    for (auto& m : z.members) {
      if (u32(zip, at) != 0x02014B50u) throw std::runtime_error("RawZip: no central header where expected");
      const std::size_t len = 46u + u16(zip, at + 28) + u16(zip, at + 30) + u16(zip, at + 32);
      m.central.assign(zip.begin() + static_cast<std::ptrdiff_t>(at), zip.begin() + static_cast<std::ptrdiff_t>(at + len));
      at += len;
    }
    if (u32(zip, at) != 0x06054B50u || at + 22 + u16(zip, at + 20) != zip.size()) {
      throw std::runtime_error("RawZip: no end record where expected");
    }
    z.comment.assign(zip.begin() + static_cast<std::ptrdiff_t>(at + 22), zip.end());
    return z;
  }

  // An extra field (APPNOTE 4.5) appended to a header without a comment; `length_at` is where
  // its extra-field length is (28 in a local header, 30 in a central one).
  static void add_extra(Bytes& header, std::size_t length_at, const Bytes& extra) {
    header.insert(header.end(), extra.begin(), extra.end());
    put16(header, length_at, u16(header, length_at) + extra.size());
  }

  Bytes bytes() const {
    Bytes out = leading;
    std::vector<std::size_t> offsets;
    for (const auto& m : members) {
      offsets.push_back(out.size());
      for (const Bytes* part : {&m.local, &m.data, &m.after}) out.insert(out.end(), part->begin(), part->end());
    }
    const std::size_t directory = out.size();
    std::size_t count = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!members[i].listed) continue;
      Bytes c = members[i].central;
      put32(c, 42, offsets[i]);
      out.insert(out.end(), c.begin(), c.end());
      ++count;
    }
    Bytes end(22, 0);
    put32(end, 0, 0x06054B50u);
    put16(end, 8, count);
    put16(end, 10, count);
    put32(end, 12, out.size() - directory);
    put32(end, 16, directory);
    put16(end, 20, comment.size());
    for (const Bytes* part : {static_cast<const Bytes*>(&end), &comment, &trailing}) out.insert(out.end(), part->begin(), part->end());
    return out;
  }
};

// Length of the age header (up to and including the "--- MAC" line) of an age file.
inline std::size_t age_header_length(std::span<const std::uint8_t> file) {
  const std::string_view s(reinterpret_cast<const char*>(file.data()), file.size());
  const auto mac = s.find("\n--- ");
  if (mac == std::string_view::npos) throw std::runtime_error("no age MAC line");
  const auto end = s.find('\n', mac + 1);
  if (end == std::string_view::npos) throw std::runtime_error("unterminated age MAC line");
  return end + 1;
}

// A PDF made larger by an incremental update that adds an unreferenced stream object of
// `extra` bytes (PDF 1.7, 7.5.6), so the xref offsets stay right and the document still reads.
inline std::string padded_pdf(const std::string& pdf, std::size_t extra) {
  const auto sx = pdf.rfind("startxref");
  const auto tr = pdf.rfind("/Size ");
  if (sx == std::string::npos || tr == std::string::npos) throw std::runtime_error("fixture PDF lacks a trailer");
  const long prev = std::stol(pdf.substr(sx + 9));
  const int size = std::stoi(pdf.substr(tr + 6));
  std::string out = pdf;
  if (out.back() != '\n') out += '\n';
  const std::size_t obj = out.size();
  out += std::to_string(size) + " 0 obj\n<< /Length " + std::to_string(extra) + " >>\nstream\n";
  std::uint32_t x = 2463534242u;  // xorshift: incompressible, never "endstream"
  for (std::size_t i = 0; i < extra; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out += static_cast<char>('a' + x % 26);
  }
  out += "\nendstream\nendobj\n";
  const std::size_t xref = out.size();
  char line[32];
  std::snprintf(line, sizeof line, "%010zu 00000 n \n", obj);
  out += "xref\n0 1\n0000000000 65535 f \n" + std::to_string(size) + " 1\n" + line;
  out += "trailer\n<< /Size " + std::to_string(size + 1) + " /Root 1 0 R /Info 4 0 R /Prev " + std::to_string(prev) +
         " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

// Keys and a catalogue shared by all bundle tests, generated once.
struct Keys {
  crypto::minisign::SecretKey signer = crypto::minisign::SecretKey::generate();
  crypto::minisign::PublicKey signer_pub = signer.public_key();
  crypto::minisign::SecretKey attacker = crypto::minisign::SecretKey::generate();
  crypto::minisign::PublicKey attacker_pub = attacker.public_key();
  crypto::age::X25519Identity comensha = crypto::age::X25519Identity::generate();
  crypto::age::X25519Identity stranger = crypto::age::X25519Identity::generate();
  Catalogue messages = *app::load_catalogue(source_dir(), Lang::en);

  static const Keys& get() {
    static const Keys k;
    return k;
  }

  app::CheckOptions check() const {
    app::CheckOptions c;
    c.data_dir = source_dir();
    return c;
  }
  app::SealOptions seal_options(const crypto::minisign::SecretKey& key) const {
    app::SealOptions o;
    o.check = check();
    o.recipients = {comensha.recipient()};
    o.signer = &key;
    return o;
  }
  app::OpenOptions open_options(const crypto::age::Identity& id, const crypto::minisign::PublicKey& pub) const {
    app::OpenOptions o;
    o.identities = {&id};
    o.signer = &pub;
    o.check = check();
    return o;
  }
};

// Copies examples/complete (or another package) into `dest`.
inline void copy_package(const fs::path& dest, const std::string& example = "complete") {
  fs::copy(fs::path(source_dir()) / "examples" / example, dest, fs::copy_options::recursive);
}

// The path of the single document, in package order, that seal numbers `number` (1-based).
inline std::vector<std::string> package_documents(const fs::path& package) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(package)) {
    if (!e.is_regular_file()) continue;
    const auto rel = e.path().lexically_relative(package).generic_string();
    if (rel != "referral.xml") out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dossier::test::bundle
