// Pages from templates: see app/paged_template.hpp.
#include "app/paged_template.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "app/data_files.hpp"
#include "core/unicode.hpp"

namespace dossier::app {

namespace mu = kainjow::mustache;

std::string shown(std::string_view raw, std::size_t max_bytes) {
  std::string spaced;
  bool space = false;
  for (char c : raw) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !spaced.empty()) spaced += ' ';
    space = false;
    spaced += c;
  }
  std::string out = unicode::escape_for_terminal(spaced);
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0u) == 0x80u) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

mu::data template_words(const Catalogue& m, std::string_view prefix) {
  mu::data t{mu::data::type::object};
  for (auto [key, value] : m.with_prefix(prefix)) {
    std::replace(key.begin(), key.end(), '-', '_');
    t.set(key, value);
  }
  return t;
}

Result<std::string> render_template(const std::string& data_dir, const std::string& path, const mu::data& context) {
  auto text = read_data_file(data_dir + "/" + path);
  if (!text) return tl::unexpected(text.error());
  mu::mustache tmpl(*text);
  if (!tmpl.is_valid()) return fail(Errc::malformed, path + ": " + tmpl.error_message());
  std::string out = tmpl.render(context);
  if (!tmpl.is_valid()) return fail(Errc::malformed, path + ": " + tmpl.error_message());
  return out;
}

Result<io::PagedDocument> parse_blocks(const std::string& text, const std::string& name) {
  io::PagedDocument doc;
  io::PagedBlock* row = nullptr;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    auto rest = [&](std::string_view directive) { return std::string(line.substr(directive.size())); };
    using K = io::PagedBlock::Kind;
    if (line.starts_with("@cell ") || line == "@cell") {
      if (row == nullptr) return fail(Errc::malformed, name + ": @cell outside a @row");
      row->cells.push_back(line == "@cell" ? std::string() : rest("@cell "));
      continue;
    }
    row = nullptr;
    if (line.starts_with("@title ")) {
      doc.blocks.push_back({K::title, {rest("@title ")}, {}, false});
    } else if (line.starts_with("@h ")) {
      doc.blocks.push_back({K::heading, {rest("@h ")}, {}, false});
    } else if (line.starts_with("@p ")) {
      doc.blocks.push_back({K::paragraph, {rest("@p ")}, {}, false});
    } else if (line == "@rule") {
      doc.blocks.push_back({K::rule, {}, {}, false});
    } else if (line.starts_with("@row ")) {
      io::PagedBlock b{K::row, {}, {}, false};
      std::string spec = rest("@row ");
      if (auto sp = spec.find(' '); sp != std::string::npos) {
        const std::string flag = spec.substr(sp + 1);
        b.strong = flag == "strong";
        b.open = flag == "open";
        if (!b.strong && !b.open) return fail(Errc::malformed, name + ": unknown @row flag " + flag);
        spec.resize(sp);
      }
      for (std::size_t p = 0; p < spec.size();) {
        std::size_t comma = spec.find(',', p);
        if (comma == std::string::npos) comma = spec.size();
        try {
          b.widths.push_back(std::stod(spec.substr(p, comma - p)));
        } catch (const std::exception&) {
          return fail(Errc::malformed, name + ": bad @row widths " + spec);
        }
        p = comma + 1;
      }
      doc.blocks.push_back(std::move(b));
      row = &doc.blocks.back();
    } else {
      return fail(Errc::malformed, name + ": a line that is no block: " + std::string(line.substr(0, 40)));
    }
  }
  return doc;
}

Result<io::PagedDocument> paged_document(const std::string& data_dir, const std::string& path,
                                         const mu::data& context, const std::string& title, const Catalogue& m,
                                         const std::string& page_of_key) {
  auto text = render_template(data_dir, path, context);
  if (!text) return tl::unexpected(text.error());
  auto doc = parse_blocks(*text, path);
  if (!doc) return tl::unexpected(doc.error());
  doc->title = title;
  doc->page_of = m.get(page_of_key);
  doc->language = lang_code(m.lang());
  return doc;
}

}  // namespace dossier::app
