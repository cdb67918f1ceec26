#include "core/evidence.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/text.hpp"

namespace dossier {
namespace {

bool ascii_alnum(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool word_byte(char c) noexcept { return ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80u; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// fold_text plus what OCR and word processors add: ligatures, soft hyphens, no-break spaces,
// typographic dashes; and words hyphenated at a line end joined ("behan-\ndeling").
std::string normalise(std::string_view text) {
  std::string folded = fold_text(text);
  std::string s;
  s.reserve(folded.size());
  for (std::size_t i = 0; i < folded.size(); ++i) {
    const auto b = static_cast<unsigned char>(folded[i]);
    const std::string_view rest(folded.data() + i, folded.size() - i);
    if (b == 0xC2 && rest.size() >= 2 && static_cast<unsigned char>(rest[1]) == 0xA0) {  // no-break space
      s.push_back(' ');
      ++i;
    } else if (b == 0xC2 && rest.size() >= 2 && static_cast<unsigned char>(rest[1]) == 0xAD) {  // soft hyphen
      ++i;
    } else if (b == 0xEF && rest.size() >= 3 && static_cast<unsigned char>(rest[1]) == 0xAC &&
               static_cast<unsigned char>(rest[2]) >= 0x80 && static_cast<unsigned char>(rest[2]) <= 0x84) {
      static constexpr const char* kLig[] = {"ff", "fi", "fl", "ffi", "ffl"};
      s += kLig[static_cast<unsigned char>(rest[2]) - 0x80u];
      i += 2;
    } else if (b == 0xE2 && rest.size() >= 3 && static_cast<unsigned char>(rest[1]) == 0x80 &&
               static_cast<unsigned char>(rest[2]) >= 0x90 && static_cast<unsigned char>(rest[2]) <= 0x95) {
      s.push_back('-');  // hyphens and dashes
      i += 2;
    } else {
      s.push_back(folded[i]);
    }
  }
  // Join "xxx-\n   yyy" when both sides are letters: a word broken at a line end.
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-' && !out.empty() && word_byte(out.back()) && !is_digit(out.back())) {
      std::size_t j = i + 1;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
      if (j < s.size() && s[j] == '\n') {
        ++j;
        while (j < s.size() && is_space(s[j])) ++j;
        if (j < s.size() && s[j] >= 'a' && s[j] <= 'z') {
          i = j - 1;
          continue;
        }
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

struct Token {
  std::string text;
  std::size_t begin = 0;
  std::size_t end = 0;
};

std::vector<Token> tokens_of(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !word_byte(s[i])) ++i;
    const std::size_t b = i;
    while (i < s.size() && word_byte(s[i])) ++i;
    if (i > b) out.push_back({s.substr(b, i - b), b, i});
  }
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool token_matches(const std::string& token, const std::string& want, bool open_start, bool open_end) {
  if (open_start && open_end) return token.find(want) != std::string::npos;
  if (open_start) return ends_with(token, want);
  if (open_end) return starts_with(token, want);
  return token == want;
}

class Text {
 public:
  explicit Text(std::string_view raw) : norm_(normalise(raw)), tokens_(tokens_of(norm_)) {
    for (std::size_t i = 0; i < tokens_.size(); ++i) index_[tokens_[i].text].push_back(i);
  }

  // Token index after each occurrence of phrase (i.e. the index of the token following it).
  std::vector<std::size_t> ends_of(const Phrase& p) const {
    std::vector<std::size_t> out;
    if (p.tokens.empty()) return out;
    const std::size_t n = p.tokens.size();
    auto check_from = [&](std::size_t i) {
      if (i + n > tokens_.size()) return;
      for (std::size_t k = 0; k < n; ++k) {
        const bool os = k == 0 && p.open_start;
        const bool oe = k + 1 == n && p.open_end;
        if (!token_matches(tokens_[i + k].text, p.tokens[k], os, oe)) return;
      }
      out.push_back(i + n);
    };
    if (!p.open_start && !(n == 1 && p.open_end)) {
      const auto it = index_.find(p.tokens.front());
      if (it == index_.end()) return out;
      for (const auto i : it->second) check_from(i);
    } else {
      for (std::size_t i = 0; i < tokens_.size(); ++i) check_from(i);
    }
    return out;
  }

  std::string slice(std::size_t first_token, std::size_t end_token) const {
    if (first_token >= end_token || end_token > tokens_.size()) return {};
    return norm_.substr(tokens_[first_token].begin, tokens_[end_token - 1].end - tokens_[first_token].begin);
  }

  // Index of the first token that starts at or after byte offset pos.
  std::size_t token_at(std::size_t pos) const {
    auto it = std::lower_bound(tokens_.begin(), tokens_.end(), pos,
                               [](const Token& t, std::size_t p) { return t.begin < p; });
    return static_cast<std::size_t>(it - tokens_.begin());
  }

  // The number of tokens in the first n non-empty lines.
  std::size_t tokens_before_line(int n) const {
    int lines = 0;
    bool content = false;
    for (std::size_t i = 0; i < norm_.size(); ++i) {
      if (norm_[i] == '\n' || norm_[i] == '\f') {
        if (content && ++lines == n) return token_at(i);
        content = false;
      } else if (word_byte(norm_[i])) {
        content = true;
      }
    }
    return tokens_.size();
  }

  const std::string& norm() const { return norm_; }
  const std::vector<Token>& tokens() const { return tokens_; }
  bool has_token(const std::string& t) const { return index_.count(t) != 0; }
  const std::vector<DateHit>& dates() const {
    if (!dates_done_) {
      dates_ = find_dates(norm_);
      dates_done_ = true;
    }
    return dates_;
  }

 private:
  std::string norm_;
  std::vector<Token> tokens_;
  std::unordered_map<std::string, std::vector<std::size_t>> index_;
  mutable std::vector<DateHit> dates_;
  mutable bool dates_done_ = false;
};

std::string upper(std::string s) {
  for (auto& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// A classification code at byte pos of normalised text (pos at a word start). Returns its length.
std::size_t classification_at(const std::string& s, std::size_t pos, bool dsm, bool icd) {
  auto digit = [&](std::size_t i) { return i < s.size() && is_digit(s[i]); };
  auto boundary = [&](std::size_t i) { return i >= s.size() || !word_byte(s[i]); };
  // ICD-10: a letter and two digits, optionally .d or .dd (F43.1, Z63.0, F10.20).
  if (pos + 3 <= s.size() && s[pos] >= 'a' && s[pos] <= 'z' && digit(pos + 1) && digit(pos + 2)) {
    std::size_t e = pos + 3;
    bool dotted = false;
    if (e + 1 < s.size() && s[e] == '.' && digit(e + 1)) {
      e += 2;
      if (digit(e)) ++e;
      dotted = true;
    }
    if (boundary(e) && (s[pos] == 'f' || (dotted && (icd || dsm)))) return e - pos;
  }
  // ICD-11: digit, letter, two digits (6B40, 6C40.2), only where the text names the ICD.
  if (icd && pos + 4 <= s.size() && digit(pos) && s[pos + 1] >= 'a' && s[pos + 1] <= 'z' && digit(pos + 2) &&
      digit(pos + 3)) {
    std::size_t e = pos + 4;
    if (e + 1 < s.size() && s[e] == '.' && digit(e + 1)) e += 2;
    if (boundary(e)) return e - pos;
  }
  // DSM-IV/5 numeric codes (309.81, 304.20), only where the text names the DSM.
  if (dsm && digit(pos) && digit(pos + 1) && digit(pos + 2) && pos + 4 < s.size() && s[pos + 3] == '.' &&
      digit(pos + 4)) {
    std::size_t e = pos + 5;
    if (digit(e)) ++e;
    if (boundary(e) && !digit(pos + 3)) return e - pos;
  }
  return 0;
}

int digits_in(const std::string& t) {
  return static_cast<int>(std::count_if(t.begin(), t.end(), [](char c) { return is_digit(c); }));
}

// Tries one matcher; fills `found` and returns true on a match.
bool match(const Matcher& m, const Text& text, FoundFact& found) {
  const auto& toks = text.tokens();
  switch (m.kind) {
    case Matcher::Kind::words: {
      std::size_t best_end = 0, best_begin = toks.size() + 1;
      const Phrase* best = nullptr;
      for (const auto& p : m.phrases) {
        for (const auto e : text.ends_of(p)) {
          const std::size_t b = e - p.tokens.size();
          if (m.head_lines > 0 && b >= text.tokens_before_line(m.head_lines)) continue;
          if (b < best_begin) {
            best_begin = b;
            best_end = e;
            best = &p;
          }
        }
      }
      if (best == nullptr) return false;
      found.value = best->spelled;
      found.matched = text.slice(best_begin, best_end);
      return true;
    }
    case Matcher::Kind::date: {
      const auto& dates = text.dates();
      if (m.phrases.empty()) {
        if (dates.empty()) return false;
        found.value = dates.front().iso;
        const auto t = text.token_at(dates.front().pos);
        found.matched = text.slice(t, std::min(t + 3, toks.size()));
        return true;
      }
      std::vector<std::pair<std::size_t, std::size_t>> labels;  // (label begin, token after label)
      for (const auto& p : m.phrases) {
        for (const auto e : text.ends_of(p)) labels.emplace_back(e - p.tokens.size(), e);
      }
      std::sort(labels.begin(), labels.end());
      for (const auto& [lb, le] : labels) {
        for (const auto& d : dates) {
          const auto t = text.token_at(d.pos);
          if (t >= le && t <= le + static_cast<std::size_t>(m.window)) {
            found.value = d.iso;
            found.matched = text.slice(lb, std::min(t + 3, toks.size()));
            return true;
          }
        }
      }
      return false;
    }
    case Matcher::Kind::classification: {
      const bool dsm = text.has_token("dsm") || text.has_token("dsm5") || text.has_token("dsmiv");
      const bool icd = text.has_token("icd") || text.has_token("icd10") || text.has_token("icd11");
      const auto& s = text.norm();
      for (const auto& t : toks) {
        const auto n = classification_at(s, t.begin, dsm, icd);
        if (n > 0) {
          found.value = upper(s.substr(t.begin, n));
          found.matched = s.substr(t.begin, n);
          return true;
        }
      }
      return false;
    }
    case Matcher::Kind::reference: {
      for (const auto& p : m.phrases) {
        for (const auto e : text.ends_of(p)) {
          for (std::size_t t = e; t < toks.size() && t <= e + static_cast<std::size_t>(m.window); ++t) {
            if (digits_in(toks[t].text) >= 4) {
              found.value.clear();  // a number that may identify a case: never reported
              found.matched = text.slice(e - p.tokens.size(), t + 1);
              return true;
            }
          }
        }
      }
      return false;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  for (auto& t : tokens_of(normalise(text))) out.push_back(std::move(t.text));
  return out;
}

std::vector<Phrase> parse_phrases(std::string_view alternatives) {
  std::vector<Phrase> out;
  std::size_t start = 0;
  while (start <= alternatives.size()) {
    auto bar = alternatives.find('|', start);
    if (bar == std::string_view::npos) bar = alternatives.size();
    std::string_view alt = alternatives.substr(start, bar - start);
    while (!alt.empty() && is_space(alt.front())) alt.remove_prefix(1);
    while (!alt.empty() && is_space(alt.back())) alt.remove_suffix(1);
    if (!alt.empty()) {
      Phrase p;
      p.spelled = std::string(alt);
      if (alt.front() == '*') {
        p.open_start = true;
        alt.remove_prefix(1);
      }
      if (!alt.empty() && alt.back() == '*') {
        p.open_end = true;
        alt.remove_suffix(1);
      }
      p.tokens = tokenize(alt);
      if (!p.tokens.empty()) out.push_back(std::move(p));
    }
    start = bar + 1;
  }
  return out;
}

Reading read_facts(std::string_view raw, const std::vector<Fact>& facts) {
  const Text text(raw);
  Reading r;
  for (const auto& f : facts) {
    if (f.identifying) ++r.identifying_total;
    FoundFact hit;
    hit.id = f.id;
    bool ok = false;
    for (const auto& m : f.matchers) {
      if (match(m, text, hit)) {
        ok = true;
        break;
      }
    }
    if (ok) {
      if (f.identifying) ++r.identifying_found;
      if (f.document_date && !r.date && !hit.value.empty()) r.date = hit.value;
      if (f.expiry && !r.expiry && !hit.value.empty()) r.expiry = hit.value;
      r.found.push_back(std::move(hit));
    } else if (f.identifying) {
      r.missing_identifying.push_back(f.id);
    } else {
      r.missing_supporting.push_back(f.id);
    }
  }
  return r;
}

bool looks_like_classification(std::string_view code) {
  const std::string s = normalise(code);
  return !s.empty() && classification_at(s, 0, true, true) == s.size();
}

}  // namespace dossier
