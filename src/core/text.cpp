#include "core/text.hpp"

#include <array>
#include <cstdio>
#include <utility>

namespace dossier {

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Folding of U+00C0..U+00FF (second byte after 0xC3 is 0x80..0xBF for U+00C0..U+00FF).
constexpr std::array<const char*, 64> kLatin1Fold = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",    // C0-CF
    "d", "n", "o", "o", "o", "o", "o", "x", "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",    // E0-EF
    "d", "n", "o", "o", "o", "o", "o", "/", "o", "u", "u", "u", "u", "y", "th", "y",   // F0-FF
};

// Latin Extended-A U+0100..U+017F: base letters (from NFKD; strokes and ligatures by hand).
constexpr std::array<const char*, 128> kExtAFold = {
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",  // 0100
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",  // 0110
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",  // 0120
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",  // 0130
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",  // 0140
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",  // 0150
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",  // 0160
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",  // 0170
};

struct Month {
  const char* name;
  int number;
};

// Dutch and English month names and common abbreviations (already folded).
constexpr std::array<Month, 35> kMonths = {{
    {"januari", 1}, {"january", 1}, {"jan", 1},
    {"februari", 2}, {"february", 2}, {"feb", 2}, {"febr", 2},
    {"maart", 3}, {"march", 3}, {"mrt", 3}, {"mar", 3},
    {"april", 4}, {"apr", 4},
    {"mei", 5}, {"may", 5},
    {"juni", 6}, {"june", 6}, {"jun", 6},
    {"juli", 7}, {"july", 7}, {"jul", 7},
    {"augustus", 8}, {"august", 8}, {"aug", 8},
    {"september", 9}, {"sept", 9}, {"sep", 9},
    {"oktober", 10}, {"october", 10}, {"okt", 10}, {"oct", 10},
    {"november", 11}, {"nov", 11},
    {"december", 12}, {"dec", 12},
}};

// Reads 1..max_digits digits at pos; returns value and advances pos. -1 if none or too many.
int read_number(std::string_view s, std::size_t& pos, std::size_t min_digits, std::size_t max_digits) {
  std::size_t start = pos;
  int value = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (pos - start >= max_digits) return -1;  // too many digits: not this pattern
    value = value * 10 + (s[pos] - '0');
    ++pos;
  }
  if (pos - start < min_digits) return -1;
  return value;
}

bool digit_at(std::string_view s, std::size_t pos) { return pos < s.size() && is_digit(s[pos]); }

std::string iso(int y, int m, int d) {
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02d", y, m, d);
  return std::string(buf.data());
}

bool plausible_year(int y) noexcept { return y >= 1900 && y <= 2099; }

std::size_t skip_spaces(std::string_view s, std::size_t pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) ++pos;
  return pos;
}

// Month name at pos in folded text; on success advances pos past the word (and an optional '.').
int read_month(std::string_view s, std::size_t& pos) {
  std::size_t end = pos;
  while (end < s.size() && is_alpha(s[end])) ++end;
  std::string_view word = s.substr(pos, end - pos);
  for (const auto& m : kMonths) {
    if (word == m.name) {
      pos = end;
      if (pos < s.size() && s[pos] == '.') ++pos;
      return m.number;
    }
  }
  return -1;
}

// Numeric date starting at pos (pos is at a digit that does not follow a digit).
std::optional<std::string> numeric_date_at(std::string_view s, std::size_t pos) {
  std::size_t p = pos;
  int first = read_number(s, p, 1, 4);
  if (first < 0 || p >= s.size()) return std::nullopt;
  std::size_t first_len = p - pos;
  char sep = s[p];
  if (first_len == 4) {  // yyyy-mm-dd
    if (sep != '-') return std::nullopt;
    ++p;
    int m = read_number(s, p, 1, 2);
    if (m < 0 || p >= s.size() || s[p] != '-') return std::nullopt;
    ++p;
    int d = read_number(s, p, 1, 2);
    if (d < 0 || digit_at(s, p)) return std::nullopt;
    if (plausible_year(first) && valid_date(first, m, d)) return iso(first, m, d);
    return std::nullopt;
  }
  if (first_len > 2) return std::nullopt;
  if (sep == '-' || sep == '/' || sep == '.') {  // dd-mm-yyyy, dd-mm-yy
    ++p;
    int m = read_number(s, p, 1, 2);
    if (m < 0 || p >= s.size() || s[p] != sep) return std::nullopt;
    ++p;
    const std::size_t year_start = p;
    int y = read_number(s, p, 2, 4);
    if (y < 0 || digit_at(s, p)) return std::nullopt;
    if (p - year_start == 3) return std::nullopt;
    if (p - year_start == 2) {
      // A two-digit year only when nothing date-like follows ("2-10-26", not "2-10-26-1").
      if (p < s.size() && (s[p] == sep || s[p] == '-' || s[p] == '/')) return std::nullopt;
      y += y < 70 ? 2000 : 1900;
    }
    if (plausible_year(y) && valid_date(y, m, first)) return iso(y, m, first);
    return std::nullopt;
  }
  // dd <month> yyyy
  std::size_t q = skip_spaces(s, p);
  if (q == p && !(q < s.size() && is_alpha(s[q]))) return std::nullopt;
  int m = read_month(s, q);
  if (m < 0) return std::nullopt;
  q = skip_spaces(s, q);
  int y = read_number(s, q, 4, 4);
  if (y < 0 || digit_at(s, q)) return std::nullopt;
  if (plausible_year(y) && valid_date(y, m, first)) return iso(y, m, first);
  return std::nullopt;
}

// "<month> dd, yyyy" starting at a word start.
std::optional<std::string> month_first_date_at(std::string_view s, std::size_t pos) {
  std::size_t p = pos;
  int m = read_month(s, p);
  if (m < 0) return std::nullopt;
  p = skip_spaces(s, p);
  int d = read_number(s, p, 1, 2);
  if (d < 0) return std::nullopt;
  if (p < s.size() && s[p] == ',') ++p;
  p = skip_spaces(s, p);
  int y = read_number(s, p, 4, 4);
  if (y < 0 || digit_at(s, p)) return std::nullopt;
  if (plausible_year(y) && valid_date(y, m, d)) return iso(y, m, d);
  return std::nullopt;
}

}  // namespace

std::string fold_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      out.push_back(lower(text[i]));
      continue;
    }
    if (i + 1 < text.size()) {
      auto c = static_cast<unsigned char>(text[i + 1]);
      if ((c & 0xC0u) == 0x80u && (b == 0xC3 || b == 0xC4 || b == 0xC5)) {
        unsigned cp = ((b & 0x1Fu) << 6u) | (c & 0x3Fu);
        if (cp >= 0xC0 && cp <= 0xFF) {
          out += kLatin1Fold[cp - 0xC0];
          ++i;
          continue;
        }
        if (cp >= 0x100 && cp - 0x100 < kExtAFold.size()) {
          out += kExtAFold[cp - 0x100];
          ++i;
          continue;
        }
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string trim_space(std::string_view text) {
  const auto b = text.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(b, e - b + 1));
}

bool valid_date(int year, int month, int day) noexcept {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = kDays[static_cast<std::size_t>(month - 1)] + ((month == 2 && leap) ? 1 : 0);
  return day <= max;
}

std::vector<DateHit> find_dates(std::string_view s) {
  std::vector<DateHit> out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool word_start = i == 0 || !(is_digit(s[i - 1]) || is_alpha(s[i - 1]));
    if (!word_start) continue;
    std::optional<std::string> d;
    if (is_digit(s[i])) d = numeric_date_at(s, i);
    else if (is_alpha(s[i])) d = month_first_date_at(s, i);
    if (d) out.push_back({i, std::move(*d)});
  }
  return out;
}

std::optional<long> iso_days(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  std::size_t p = 0;
  const int y = read_number(iso, p, 4, 4);
  p = 5;
  const int m = read_number(iso, p, 2, 2);
  p = 8;
  const int d = read_number(iso, p, 2, 2);
  if (y < 0 || m < 0 || d < 0 || !valid_date(y, m, d)) return std::nullopt;
  // Howard Hinnant's days_from_civil.
  const int yy = y - (m <= 2 ? 1 : 0);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<long>(era) * 146097L + static_cast<long>(doe) - 719468L;
}

std::optional<std::string> find_first_date(std::string_view text) {
  const std::string s = fold_text(text);
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool word_start = i == 0 || !(is_digit(s[i - 1]) || is_alpha(s[i - 1]));
    if (!word_start) continue;
    if (is_digit(s[i])) {
      if (auto d = numeric_date_at(s, i)) return d;
    } else if (is_alpha(s[i])) {
      if (auto d = month_first_date_at(s, i)) return d;
    }
  }
  return std::nullopt;
}

}  // namespace dossier
