// ASCII armor for age files. Spec: C2SP age.md, section "ASCII armor", which requires
// the strict PEM encoding of RFC 7468 §3 (Figure 3) with label "AGE ENCRYPTED FILE",
// padded canonical base64, and allows whitespace before/after the block and LF or CRLF.
#include "crypto/age_armor.hpp"

#include <string>

#include "crypto/base64.hpp"

namespace dossier::crypto::age {
namespace {

bool is_ws(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Longest line we are willing to buffer: 64 columns plus CR, with margin.
constexpr std::size_t kMaxArmorLine = 128;

tl::unexpected<Error> armor_error(const std::string& what) {
  return fail(Errc::malformed, Stage::armor, "age: armor: " + what);
}

}  // namespace

ArmorWriter::ArmorWriter(std::ostream& out) : out_(out), pending_{} {}

Result<void> ArmorWriter::flush_line(std::size_t n) {
  // RFC 7468 §3: 64 columns of padded base64 per line ("ASCII armor").
  const std::string line = base64::encode(std::span<const std::uint8_t>(pending_, n), true);
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.put('\n');
  pending_len_ = 0;
  if (!out_) return fail(Errc::io, Stage::armor, "age: armor: write failed");
  return {};
}

Result<void> ArmorWriter::write(const std::uint8_t* data, std::size_t n) {
  if (!started_) {
    out_ << kArmorBegin << '\n';
    started_ = true;
  }
  while (n > 0) {
    const std::size_t take = std::min(n, sizeof pending_ - pending_len_);
    std::copy_n(data, take, pending_ + pending_len_);
    pending_len_ += take;
    data += take;
    n -= take;
    if (pending_len_ == sizeof pending_) {
      if (auto r = flush_line(pending_len_); !r) return r;
    }
  }
  return {};
}

Result<void> ArmorWriter::finish() {
  if (!started_) {
    out_ << kArmorBegin << '\n';
    started_ = true;
  }
  if (pending_len_ > 0) {
    if (auto r = flush_line(pending_len_); !r) return r;
  }
  out_ << kArmorEnd << '\n';
  if (!out_) return fail(Errc::io, Stage::armor, "age: armor: write failed");
  return {};
}

ArmorReader::ArmorReader(std::istream& in, std::string prefix)
    : in_(in), prefix_(std::move(prefix)), line_{} {}

int ArmorReader::get() {
  if (prefix_pos_ < prefix_.size()) return static_cast<unsigned char>(prefix_[prefix_pos_++]);
  return in_.get();
}

namespace {
// Reads one line without its LF (and without one trailing CR: CRLF is allowed).
// Returns false at EOF with nothing read; sets `too_long` past kMaxArmorLine.
template <typename Get>
bool read_armor_line(Get&& get, int first, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  int c = first;
  if (c == std::char_traits<char>::eof()) return false;
  while (c != std::char_traits<char>::eof() && c != '\n') {
    if (line.size() >= kMaxArmorLine) {
      too_long = true;
      return true;
    }
    line.push_back(static_cast<char>(c));
    c = get();
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}
}  // namespace

Result<void> ArmorReader::next_line() {
  std::string line;
  bool too_long = false;
  auto getter = [this] { return get(); };
  if (!started_) {
    // "ASCII armor": whitespace before the PEM block is tolerated.
    int c = get();
    while (c != std::char_traits<char>::eof() && is_ws(c)) c = get();
    if (!read_armor_line(getter, c, line, too_long) || too_long || line != kArmorBegin) {
      return armor_error("input is neither a binary age file nor armor starting with \"" +
                         std::string(kArmorBegin) + "\"");
    }
    started_ = true;
  }
  if (!read_armor_line(getter, get(), line, too_long)) {
    return armor_error("missing END line");
  }
  if (too_long) return armor_error("line longer than 64 columns");
  if (line == kArmorEnd) {
    // "ASCII armor": only whitespace may follow the PEM block.
    for (int c = get(); c != std::char_traits<char>::eof(); c = get()) {
      if (!is_ws(c)) return armor_error("data after the END line");
    }
    if (in_.bad()) return fail(Errc::io, Stage::armor, "age: armor: read failed");
    done_ = true;
    line_len_ = line_pos_ = 0;
    return {};
  }
  // RFC 7468 §3 strict form: no headers, no blank lines, every line but the last is
  // exactly 64 columns, padding only at the very end.
  if (saw_short_line_) return armor_error("short line or padding before the last line");
  if (line.empty()) return armor_error("empty line");
  if (line.size() > kArmorColumns) return armor_error("line longer than 64 columns");
  if (line.size() < kArmorColumns || line.back() == '=') saw_short_line_ = true;
  // Each line is a whole number of 4-character groups (64 is), so lines decode alone;
  // base64::decode_into rejects bytes outside the alphabet, bad padding and non-canonical
  // trailing bits.
  auto n = base64::decoded_size(line, true);
  if (!n) return armor_error(n.error().message);
  if (auto ok = base64::decode_into(line, std::span<std::uint8_t>(line_, *n), true); !ok) {
    return armor_error(ok.error().message);
  }
  line_len_ = *n;
  line_pos_ = 0;
  return {};
}

Result<std::size_t> ArmorReader::read(std::uint8_t* buf, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    if (line_pos_ < line_len_) {
      const std::size_t take = std::min(n - got, line_len_ - line_pos_);
      std::copy_n(line_ + line_pos_, take, buf + got);
      line_pos_ += take;
      got += take;
      continue;
    }
    if (done_) break;
    if (auto r = next_line(); !r) return tl::unexpected(r.error());
  }
  return got;
}

}  // namespace dossier::crypto::age
