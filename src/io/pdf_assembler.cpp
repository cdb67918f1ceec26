// The helper program dossier-pdf-assembler: copies the documents' pages into dossier.pdf with
// libqpdf and draws the thumbnails the check did not (io/pdf_assemble.hpp, docs/assembly.md).
// It links qpdf, Poppler and cairo only, not the inspector's libraries (Tesseract, Leptonica,
// pango, libzip, ICU), so that it starts in a few milliseconds. The wire: io/pdf_assemble_wire.hpp.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <cerrno>
#include <cstdio>
#include <charconv>
#include <cstdint>
#include <exception>
#include <future>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "io/pdf_assemble.hpp"
#include "io/pdf_assemble_wire.hpp"
#include "io/pdf_child.hpp"
#include "io/pdf_merge.hpp"
#include "io/thumbnail.hpp"

namespace dossier::io {
namespace {

using json = nlohmann::json;
using detail::put_u32;
using namespace detail::wire;

void silence_poppler(const std::string&, void*) {}

// A PNG of the first page of `pdf` (io/thumbnail.hpp); empty when poppler cannot render it.
std::string thumbnail(detail::Bytes pdf, unsigned width, unsigned max_height) {
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(reinterpret_cast<const char*>(pdf.data), static_cast<int>(pdf.size)));
  if (!doc || doc->is_locked() || doc->pages() < 1) return {};
  std::unique_ptr<poppler::page> page(doc->create_page(0));
  if (!page) return {};
  return page_thumbnail_png(*page, width, max_height);
}

struct HelperLimits {
  std::uint64_t max_memory = 0;
  std::uint64_t cpu_seconds = 0;
  std::uint64_t max_output = 0;
  std::uint64_t max_pages = 0;
  std::uint64_t thumbnail_width = 0;
  std::uint64_t thumbnail_max_height = 0;
};

// Blocks until the parent says the plan is complete (kPlanReady on the control socket): false
// when the parent closed it without saying so (it failed, or is gone).
bool plan_ready() {
  char c = 0;
  for (;;) {
    const ssize_t n = read(kControlFd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    return n == 1 && c == kPlanReady;
  }
}

bool parse(std::string_view text, HelperLimits& l) {
  std::uint64_t* fields[] = {&l.max_memory, &l.cpu_seconds, &l.max_output, &l.max_pages, &l.thumbnail_width,
                             &l.thumbnail_max_height};
  const char* p = text.data();
  const char* end = p + text.size();
  for (std::size_t i = 0; i < std::size(fields); ++i) {
    auto [next, ec] = std::from_chars(p, end, *fields[i]);
    if (ec != std::errc{} || next == p) return false;
    p = next;
    if (i + 1 < std::size(fields)) {
      if (p == end || *p != ',') return false;
      ++p;
    }
  }
  return p == end && l.max_pages <= 1'000'000 && l.thumbnail_width >= 16 && l.thumbnail_width <= 2000 &&
         l.thumbnail_max_height >= 16 && l.thumbnail_max_height <= 4000;
}

void apply_limits(const HelperLimits& l) {
  rlimit core{0, 0};
  setrlimit(RLIMIT_CORE, &core);
  rlimit cpu{static_cast<rlim_t>(l.cpu_seconds), static_cast<rlim_t>(l.cpu_seconds + 1)};
  setrlimit(RLIMIT_CPU, &cpu);
  rlimit fsize{static_cast<rlim_t>(l.max_output), static_cast<rlim_t>(l.max_output)};
  setrlimit(RLIMIT_FSIZE, &fsize);
#ifndef DOSSIER_ASAN
  const auto as = static_cast<rlim_t>(l.max_memory + detail::own_address_space());
  rlimit mem{as, as};
  setrlimit(RLIMIT_AS, &mem);
#endif
}

// The cover sheet the parent sends on kControlFd once it is laid out: u32 length, the bytes.
std::string read_late_cover() {
  auto read_exactly = [](char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t got = read(kControlFd, p, n);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw std::runtime_error("the cover sheet did not come");
      p += got;
      n -= static_cast<std::size_t>(got);
    }
  };
  char len[4];
  read_exactly(len, 4);
  const std::uint32_t n = get_u32(std::string_view(len, 4));
  if (n == 0 || n > kMaxCoverBytes) throw std::runtime_error("the cover sheet is empty or too large");
  std::string cover(n, '\0');
  read_exactly(cover.data(), n);
  close(kControlFd);
  return cover;
}

// The helper's work: the plan in `plan`, dossier.pdf to kOutFd; the result record.
std::string assemble_in_child(std::span<const std::uint8_t> plan_bytes, const HelperLimits& limits) {
  const std::string_view all(reinterpret_cast<const char*>(plan_bytes.data()), plan_bytes.size());
  if (all.substr(0, kPlanMagic.size()) != kPlanMagic || all.size() < kPlanMagic.size() + 4)
    throw std::runtime_error("not a plan");
  const std::uint32_t header_len = get_u32(all.substr(kPlanMagic.size()));
  const std::size_t header_at = kPlanMagic.size() + 4;
  if (header_len > kMaxHeader || header_len > all.size() - header_at) throw std::runtime_error("bad plan header");
  const json h = json::parse(all.substr(header_at, header_len));
  const auto region = plan_bytes.subspan(header_at + header_len);

  detail::MergePlan plan;
  plan.cover = blob_at(h.at("cover"), region);
  if (plan.cover.size == 0) plan.late_cover = read_late_cover;
  plan.cover_outline = h.at("cover_outline").get<std::string>();
  plan.cover_label = h.at("cover_label").get<std::string>();
  plan.title = h.at("title").get<std::string>();
  plan.subject = h.at("subject").get<std::string>();
  plan.language = h.at("language").get<std::string>();
  plan.max_pages = static_cast<int>(limits.max_pages);
  plan.exit_after = true;  // run_pdf_assembler _exits when the result is sent
  for (const auto& p : h.at("parts")) {
    detail::MergePart part;
    part.outline = p.at("outline").get<std::string>();
    part.label = p.at("label").get<std::string>();
    part.pdf = blob_at(p.at("pdf"), region);
    part.notice = blob_at(p.at("notice"), region);
    part.draw_thumbnail = p.at("draw").get<bool>();
    for (const auto& l : p.at("layers")) {
      const int turn = l.at(1).get<int>();
      if (turn != 0 && turn != 90 && turn != 180 && turn != 270) throw std::runtime_error("bad turn");
      part.layers.push_back({l.at(0).get<int>(), turn, blob_at(json::array({l.at(2), l.at(3)}), region)});
    }
    plan.parts.push_back(std::move(part));
  }
  for (const auto& s : h.at("sections")) {
    detail::MergeSection section;
    section.outline = s.at("outline").get<std::string>();
    for (const auto& i : s.at("parts")) {
      const auto k = i.get<std::size_t>();
      if (k >= plan.parts.size()) throw std::runtime_error("bad section");
      section.parts.push_back(k);
    }
    plan.sections.push_back(std::move(section));
  }

  // The thumbnails are drawn on a second thread while qpdf copies the pages (both read the plan's
  // bytes only); a thumbnail that cannot be drawn is left empty, but running out of memory ends
  // the helper.
  poppler::set_debug_error_function(silence_poppler, nullptr);
  auto thumbnails = std::async(std::launch::async, [&plan, &limits] {
    std::vector<std::string> out(plan.parts.size());
    for (std::size_t i = 0; i < plan.parts.size(); ++i) {
      if (plan.parts[i].pdf.size == 0 || !plan.parts[i].draw_thumbnail) continue;
      try {
        out[i] = thumbnail(plan.parts[i].pdf, static_cast<unsigned>(limits.thumbnail_width),
                           static_cast<unsigned>(limits.thumbnail_max_height));
      } catch (const std::bad_alloc&) {
        throw;
      } catch (...) {
        out[i].clear();
      }
    }
    return out;
  });
  const detail::MergeResult merged = [&] {
    try {
      return detail::merge_pdf(plan, kOutFd);
    } catch (...) {
      thumbnails.wait();
      throw;
    }
  }();
  const std::vector<std::string> drawn = thumbnails.get();

  json r;
  r["cover_pages"] = merged.cover_pages;
  r["pages"] = merged.pages;
  r["parts"] = json::array();
  std::string pngs;
  for (std::size_t i = 0; i < merged.parts.size(); ++i) {
    const auto& m = merged.parts[i];
    const std::string png = m.included ? drawn.at(i) : std::string();
    r["parts"].push_back({{"included", m.included},
                          {"first_page", m.first_page},
                          {"pages", m.pages},
                          {"layers", m.layers},
                          {"note", m.note},
                          {"thumbnail", json::array({pngs.size(), png.size()})}});
    pngs += png;
  }
  const std::string header = r.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(header.size()));
  out += header;
  out += pngs;
  return out;
}

// The result record of a helper that could not make the dossier: why, technical, English.
std::string error_record(std::string why) {
  if (why.size() > 1000) why.resize(1000);
  const std::string header = json{{"error", why}}.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(header.size()));
  return out + header;
}


}  // namespace

int run_pdf_assembler(int argc, char** argv) {
  if (argc != 4 || std::string_view(argv[1]) != kAssemblerFlag) {
    std::fputs(
        "dossier-pdf-assembler is the sandboxed helper of dossier that copies the documents' pages into\n"
        "dossier.pdf (docs/assembly.md); it does nothing on its own. Use `dossier assemble` instead.\n",
        stderr);
    return 2;
  }
  detail::bind_to_parent(argv[2]);
  HelperLimits limits;
  if (!parse(argv[3], limits) || !plan_ready()) _exit(3);
  // The plan is read only once the parent can no longer change it.
  constexpr int kSealed = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
  struct stat st {};
  if ((fcntl(kPlanFd, F_GET_SEALS) & kSealed) != kSealed || fstat(kPlanFd, &st) != 0 || st.st_size <= 0) _exit(3);
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, kPlanFd, 0);
  if (map == MAP_FAILED) _exit(3);
  close(kPlanFd);
  apply_limits(limits);
  bool ok = false;
  try {
    const std::string record =
        assemble_in_child(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(map), size), limits);
    close(kOutFd);  // dossier.pdf is complete before the parent hears so
    ok = detail::send_result(kPipeFd, record);
  } catch (const std::bad_alloc&) {
    ok = detail::send_result(kPipeFd, error_record("memory limit reached"));
  } catch (const std::exception& e) {
    ok = detail::send_result(kPipeFd, error_record(e.what()));
  } catch (...) {
    ok = false;  // the parent reports the exit status
  }
  close(kPipeFd);
  close(kOutFd);
  _exit(ok ? 0 : 4);
}

}  // namespace dossier::io
