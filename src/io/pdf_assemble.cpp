// The dossier PDF, assembled in the sandboxed helper process: see io/pdf_assemble.hpp.
//
// The parent writes a plan into a sealed memfd (descriptor 3 of the helper):
//   "dossier-assembly-1\n", u32 length of a JSON header, the header, then the blobs
// (cover, documents, notices, text layers) the header points into as [offset, length] from the
// first byte after the header. The helper writes dossier.pdf to descriptor 5 and one result
// record to the pipe (descriptor 4): u32 length of a JSON header, the header, then the PNG
// thumbnails it points into the same way.
#include "io/pdf_assemble.hpp"

#include "io/thumbnail.hpp"

#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <future>
#include <memory>
#include <new>
#include <string_view>

#include "io/pdf_child.hpp"
#include "io/pdf_merge.hpp"

namespace dossier::io {
namespace {

using json = nlohmann::json;

constexpr std::string_view kPlanMagic = "dossier-assembly-1\n";
constexpr int kPlanFd = 3;
constexpr int kPipeFd = 4;
constexpr int kOutFd = 5;
constexpr int kCoverFd = 6;  // a socket: u32 length and the cover sheet, when it comes late
constexpr std::size_t kMaxHeader = 16u * 1024u * 1024u;
constexpr std::size_t kMaxResult = 64u * 1024u * 1024u;

using detail::put_u32;
using detail::write_all;

std::uint32_t get_u32(std::string_view s) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  return v;
}

// The plan's blobs, as references into the caller's bytes (which outlive the plan): written
// into the memfd straight from there, not gathered into one buffer first.
class Blobs {
 public:
  json add(std::span<const std::uint8_t> b) {
    json ref = json::array({size_, b.size()});
    if (!b.empty()) parts_.push_back(b);
    size_ += b.size();
    return ref;
  }
  const std::vector<std::span<const std::uint8_t>>& parts() const { return parts_; }

 private:
  std::vector<std::span<const std::uint8_t>> parts_;
  std::uint64_t size_ = 0;
};

// [offset, length] within `region`, checked.
detail::Bytes blob_at(const json& ref, std::span<const std::uint8_t> region) {
  if (!ref.is_array() || ref.size() != 2) throw std::runtime_error("bad reference");
  const auto off = ref.at(0).get<std::uint64_t>();
  const auto len = ref.at(1).get<std::uint64_t>();
  if (off > region.size() || len > region.size() - off) throw std::runtime_error("reference outside the plan");
  return detail::Bytes{region.data() + off, static_cast<std::size_t>(len)};
}

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

std::string serialise(const AssemblyLimits& l) {
  return std::to_string(l.max_memory) + "," + std::to_string(l.cpu_seconds) + "," + std::to_string(l.max_output_bytes) +
         "," + std::to_string(l.max_pages) + "," + std::to_string(l.thumbnail_width) + "," +
         std::to_string(l.thumbnail_max_height);
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

// The cover sheet the parent sends on kCoverFd once it is laid out: u32 length, the bytes.
std::string read_late_cover() {
  auto read_exactly = [](char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t got = read(kCoverFd, p, n);
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
  close(kCoverFd);
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

Result<Assembly> parse_result(const std::string& record, std::size_t parts) {
  auto bad = [] { return fail(Errc::malformed, "the assembly helper gave an unreadable result"); };
  if (record.size() < 4) return bad();
  const std::uint32_t n = get_u32(record);
  if (n > record.size() - 4) return bad();
  try {
    const json h = json::parse(std::string_view(record).substr(4, n));
    if (h.contains("error"))
      return fail(Errc::malformed, "the dossier PDF could not be made: " + h.at("error").get<std::string>());
    const std::string_view region = std::string_view(record).substr(4 + n);
    const auto region_bytes =
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(region.data()), region.size());
    Assembly a;
    a.cover_pages = h.at("cover_pages").get<int>();
    a.pages = h.at("pages").get<int>();
    for (const auto& p : h.at("parts")) {
      AssembledPart part;
      part.included = p.at("included").get<bool>();
      part.first_page = p.at("first_page").get<int>();
      part.pages = p.at("pages").get<int>();
      part.layers = p.at("layers").get<int>();
      part.note = p.at("note").get<std::string>();
      const auto png = blob_at(p.at("thumbnail"), region_bytes);
      part.thumbnail.assign(reinterpret_cast<const char*>(png.data), png.size);
      if (part.first_page < 0 || part.pages < 0 || part.first_page > a.pages || part.pages > a.pages - part.first_page)
        return bad();
      a.parts.push_back(std::move(part));
    }
    if (a.parts.size() != parts || a.cover_pages < 0 || a.cover_pages > a.pages) return bad();
    return a;
  } catch (const std::exception&) {
    return bad();
  }
}

}  // namespace

namespace {

// Sends the cover sheet to the helper (kCoverFd) by `deadline`; false when the helper is gone
// or the time is up (wait_for_child then says what became of it).
bool send_cover(int fd, std::span<const std::uint8_t> cover, std::chrono::steady_clock::time_point deadline) {
  std::string len;
  put_u32(len, static_cast<std::uint32_t>(cover.size()));
  const std::array<std::span<const std::uint8_t>, 2> parts = {
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(len.data()), len.size()), cover};
  for (auto part : parts) {
    while (!part.empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd, POLLOUT, 0};
      const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
      if (r < 0 && errno != EINTR) return false;
      if (r <= 0) continue;
      const ssize_t n = send(fd, part.data(), part.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) return false;
      part = part.subspan(static_cast<std::size_t>(n));
    }
  }
  return true;
}

}  // namespace

Result<Assembly> assemble_pdf(const AssemblyInput& input, int out_fd, const AssemblyLimits& limits) {
  if (input.cover.empty()) return fail(Errc::usage, "no cover sheet");
  return assemble_pdf(input, out_fd, limits, LateCover{});
}

Result<Assembly> assemble_pdf(const AssemblyInput& input, int out_fd, const AssemblyLimits& limits,
                              const LateCover& late_cover) {
  if (input.cover.empty() && !late_cover) return fail(Errc::usage, "no cover sheet");
  std::uint64_t total = input.cover.size();
  for (const auto& p : input.parts) {
    total += p.pdf.size() + p.notice.size();
    for (const auto& l : p.layers) total += l.pdf.size();
  }
  if (total > limits.max_input_bytes)
    return fail(Errc::limit, "the documents together are larger than the assembly limit of " +
                                 std::to_string(limits.max_input_bytes / (1024u * 1024u)) + " MiB");
  for (const auto& s : input.sections)
    for (std::size_t i : s.parts)
      if (i >= input.parts.size()) return fail(Errc::usage, "a section names a document that is not there");

  Blobs blobs;
  json h;
  h["cover"] = blobs.add(input.cover);
  h["cover_outline"] = input.cover_outline;
  h["cover_label"] = input.cover_label;
  h["title"] = input.title;
  h["subject"] = input.subject;
  h["language"] = input.language;
  h["parts"] = json::array();
  for (const auto& p : input.parts) {
    json layers = json::array();
    for (const auto& l : p.layers) {
      const json ref = blobs.add(l.pdf);
      layers.push_back(json::array({l.page, l.turn, ref.at(0), ref.at(1)}));
    }
    h["parts"].push_back({{"outline", p.outline},
                          {"label", p.label},
                          {"pdf", blobs.add(p.pdf)},
                          {"notice", blobs.add(p.notice)},
                          {"layers", layers},
                          {"draw", p.thumbnail.empty()}});
  }
  h["sections"] = json::array();
  for (const auto& s : input.sections) h["sections"].push_back({{"outline", s.outline}, {"parts", s.parts}});
  const std::string header = h.dump(-1, ' ', false, json::error_handler_t::replace);

  const auto program = detail::find_helper_program();
  if (!program)
    return fail(Errc::io, "the PDF helper program dossier-pdf-inspector is not next to this program nor in "
                          "../libexec/dossier: reinstall dossier, or set DOSSIER_PDF_INSPECTOR to its path");
  UniqueFd plan = detail::above_child_fds(UniqueFd(memfd_create("dossier-assembly", MFD_CLOEXEC | MFD_ALLOW_SEALING)));
  if (!plan) return fail(Errc::io, std::string("memfd: ") + std::strerror(errno));
  std::string head(kPlanMagic);
  put_u32(head, static_cast<std::uint32_t>(header.size()));
  head += header;
  bool written = write_all(plan.get(), head);
  for (const auto& part : blobs.parts())
    written = written && write_all(plan.get(), std::string_view(reinterpret_cast<const char*>(part.data()), part.size()));
  if (!written) return fail(Errc::io, std::string("memfd: ") + std::strerror(errno));
  fcntl(plan.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  UniqueFd out = detail::above_child_fds(UniqueFd(fcntl(out_fd, F_DUPFD_CLOEXEC, detail::kFirstFreeFd)));
  if (!out) return fail(Errc::io, std::string("dossier.pdf: ") + std::strerror(errno));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(Errc::io, std::string("pipe: ") + std::strerror(errno));
  UniqueFd read_end(fds[0]);
  UniqueFd write_end = detail::above_child_fds(UniqueFd(fds[1]));
  if (!write_end) return fail(Errc::io, std::string("pipe: ") + std::strerror(errno));

  // The late cover's way in: a socket, so that sending to a helper that died fails (EPIPE)
  // instead of raising SIGPIPE.
  UniqueFd cover_send, cover_receive;
  if (input.cover.empty()) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      return fail(Errc::io, std::string("socketpair: ") + std::strerror(errno));
    cover_send = UniqueFd(sv[0]);
    cover_receive = detail::above_child_fds(UniqueFd(sv[1]));
    if (!cover_receive) return fail(Errc::io, std::string("socketpair: ") + std::strerror(errno));
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<int> child_fds = {plan.get(), write_end.get(), out.get()};
  if (cover_receive) child_fds.push_back(cover_receive.get());
  auto pid = detail::spawn_helper(*program, {kAssemblerFlag, std::to_string(getpid()), serialise(limits)}, child_fds);
  write_end = UniqueFd();
  out = UniqueFd();
  plan = UniqueFd();
  cover_receive = UniqueFd();
  if (!pid) return tl::unexpected(pid.error());
  // The helper copies the documents' pages while the cover sheet is laid out here.
  std::optional<Error> cover_error;
  if (cover_send) {
    auto cover = late_cover();
    if (!cover) {
      cover_error = cover.error();
    } else if (cover->empty() || cover->size() > kMaxCoverBytes || total + cover->size() > limits.max_input_bytes) {
      cover_error = Error{Errc::limit, "the cover sheet is empty or larger than the assembly allows"};
    } else {
      (void)send_cover(cover_send.get(), *cover, start + std::chrono::seconds(limits.wall_seconds));
    }
    cover_send = UniqueFd();  // the helper reads the end of it: without a cover, it stops
  }
  const detail::ChildEnd end = detail::wait_for_child(*pid, std::move(read_end), start, limits.wall_seconds,
                                                      limits.wall_seconds, kMaxResult, {}, std::stop_token{});
  if (cover_error) return tl::unexpected(*cover_error);
  const std::string why = "the dossier PDF could not be made: ";
  if (end.timed_out) return fail(Errc::limit, why + "it took longer than " + std::to_string(end.wall_limit) + " s");
  if (end.oversize) return fail(Errc::malformed, why + "the helper's answer is too large");
  if (!end.exited_cleanly()) {
    if (WIFSIGNALED(end.status) && WTERMSIG(end.status) == SIGXFSZ)
      return fail(Errc::limit, why + "it would be larger than " +
                                   std::to_string(limits.max_output_bytes / (1024u * 1024u)) + " MiB");
    return fail(Errc::malformed, why + end.describe());
  }
  if (!end.have_result) return fail(Errc::malformed, why + "the helper gave no result");
  auto assembled = parse_result(end.result, input.parts.size());
  if (!assembled) return assembled;
  for (std::size_t i = 0; i < input.parts.size(); ++i) {
    const auto& given = input.parts[i].thumbnail;
    if (!given.empty() && assembled->parts[i].included)
      assembled->parts[i].thumbnail.assign(reinterpret_cast<const char*>(given.data()), given.size());
  }
  return assembled;
}

int run_pdf_assembler(int argc, char** argv) {
  if (argc != 4 || std::string_view(argv[1]) != kAssemblerFlag) return 2;
  detail::bind_to_parent(argv[2]);
  HelperLimits limits;
  struct stat st {};
  if (!parse(argv[3], limits) || fstat(kPlanFd, &st) != 0 || st.st_size <= 0) _exit(3);
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, kPlanFd, 0);
  if (map == MAP_FAILED) _exit(3);
  close(kPlanFd);
  apply_limits(limits);
  bool ok = false;
  try {
    const std::string record =
        assemble_in_child(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(map), size), limits);
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
