// The dossier PDF, assembled in the sandboxed helper program dossier-pdf-assembler: see
// io/pdf_assemble.hpp; what the two say to each other is in io/pdf_assemble_wire.hpp, the
// helper's side in io/pdf_assembler.cpp.
#include "io/pdf_assemble.hpp"

#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>
#include <string_view>

#include "io/pdf_assemble_wire.hpp"
#include "io/pdf_child.hpp"

namespace dossier::io {
namespace {

using json = nlohmann::json;
using detail::put_u32;
using detail::write_all;
using namespace detail::wire;

constexpr const char* kAssemblerProgram = "dossier-pdf-assembler";

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

std::string serialise(const AssemblyLimits& l) {
  return std::to_string(l.max_memory) + "," + std::to_string(l.cpu_seconds) + "," + std::to_string(l.max_output_bytes) +
         "," + std::to_string(l.max_pages) + "," + std::to_string(l.thumbnail_width) + "," +
         std::to_string(l.thumbnail_max_height);
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

// Sends `part` to the helper's control socket by `deadline`; false when the helper is gone or
// the time is up (wait_for_child then says what became of it).
bool send_all(int fd, std::span<const std::uint8_t> part, std::chrono::steady_clock::time_point deadline) {
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
  return true;
}

// The late cover sheet: u32 length, the bytes.
bool send_cover(int fd, std::span<const std::uint8_t> cover, std::chrono::steady_clock::time_point deadline) {
  std::string len;
  put_u32(len, static_cast<std::uint32_t>(cover.size()));
  return send_all(fd, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(len.data()), len.size()),
                  deadline) &&
         send_all(fd, cover, deadline);
}

}  // namespace

Result<AssemblyHelper> AssemblyHelper::start(int out_fd, const AssemblyLimits& limits) {
#ifdef DOSSIER_PDF_ASSEMBLER_BUILD
  const auto program = detail::helper_program("assembly", kAssemblerProgram, "DOSSIER_PDF_ASSEMBLER", DOSSIER_PDF_ASSEMBLER_BUILD);
#else
  const auto program = detail::helper_program("assembly", kAssemblerProgram, "DOSSIER_PDF_ASSEMBLER", nullptr);
#endif
  if (!program) return tl::unexpected(program.error());
  AssemblyHelper h;
  h.limits_ = limits;
  h.plan_ = detail::above_child_fds(UniqueFd(memfd_create("dossier-assembly", MFD_CLOEXEC | MFD_ALLOW_SEALING)));
  if (!h.plan_) return fail(Errc::io, std::string("memfd: ") + std::strerror(errno));
  UniqueFd out = detail::above_child_fds(UniqueFd(fcntl(out_fd, F_DUPFD_CLOEXEC, detail::kFirstFreeFd)));
  if (!out) return fail(Errc::io, std::string("dossier.pdf: ") + std::strerror(errno));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(Errc::io, std::string("pipe: ") + std::strerror(errno));
  h.result_ = UniqueFd(fds[0]);
  UniqueFd write_end = detail::above_child_fds(UniqueFd(fds[1]));
  if (!write_end) return fail(Errc::io, std::string("pipe: ") + std::strerror(errno));
  // The control socket: a socket, so that sending to a helper that died fails (EPIPE) instead
  // of raising SIGPIPE.
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return fail(Errc::io, std::string("socketpair: ") + std::strerror(errno));
  h.control_ = UniqueFd(sv[0]);
  UniqueFd control_receive = detail::above_child_fds(UniqueFd(sv[1]));
  if (!control_receive) return fail(Errc::io, std::string("socketpair: ") + std::strerror(errno));

  h.started_ = std::chrono::steady_clock::now();
  auto pid = detail::spawn_helper(*program, {kAssemblerFlag, std::to_string(getpid()), serialise(limits)},
                                  {h.plan_.get(), write_end.get(), out.get(), control_receive.get()});
  if (!pid) return tl::unexpected(pid.error());
  h.pid_ = *pid;
  return h;
}

AssemblyHelper::AssemblyHelper(AssemblyHelper&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      limits_(other.limits_),
      started_(other.started_),
      plan_(std::move(other.plan_)),
      result_(std::move(other.result_)),
      control_(std::move(other.control_)) {}

AssemblyHelper& AssemblyHelper::operator=(AssemblyHelper&& other) noexcept {
  if (this != &other) {
    reap();
    pid_ = std::exchange(other.pid_, -1);
    limits_ = other.limits_;
    started_ = other.started_;
    plan_ = std::move(other.plan_);
    result_ = std::move(other.result_);
    control_ = std::move(other.control_);
  }
  return *this;
}

AssemblyHelper::~AssemblyHelper() { reap(); }

// A helper that has sent its result is exiting (the kill changes nothing then); one that has
// not is stopped.
void AssemblyHelper::reap() noexcept {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Result<Assembly> AssemblyHelper::assemble(const AssemblyInput& input, const LateCover& late_cover) {
  if (pid_ <= 0 || !result_) return fail(Errc::usage, "the assembly helper has been used already");
  if (input.cover.empty() && !late_cover) return fail(Errc::usage, "no cover sheet");
  std::uint64_t total = input.cover.size();
  for (const auto& p : input.parts) {
    total += p.pdf.size() + p.notice.size();
    for (const auto& l : p.layers) total += l.pdf.size();
  }
  if (total > limits_.max_input_bytes)
    return fail(Errc::limit, "the documents together are larger than the assembly limit of " +
                                 std::to_string(limits_.max_input_bytes / (1024u * 1024u)) + " MiB");
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

  std::string head(kPlanMagic);
  put_u32(head, static_cast<std::uint32_t>(header.size()));
  head += header;
  bool written = write_all(plan_.get(), head);
  for (const auto& part : blobs.parts())
    written = written && write_all(plan_.get(), std::string_view(reinterpret_cast<const char*>(part.data()), part.size()));
  if (!written) return fail(Errc::io, std::string("memfd: ") + std::strerror(errno));
  if (fcntl(plan_.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0)
    return fail(Errc::io, std::string("memfd: ") + std::strerror(errno));
  plan_ = UniqueFd();

  const auto deadline = started_ + std::chrono::seconds(limits_.wall_seconds);
  const char ready = kPlanReady;
  (void)send_all(control_.get(), std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(&ready), 1),
                 deadline);
  // The helper copies the documents' pages while the cover sheet is laid out here.
  std::optional<Error> cover_error;
  if (input.cover.empty()) {
    auto cover = late_cover();
    if (!cover) {
      cover_error = cover.error();
    } else if (cover->empty() || cover->size() > kMaxCoverBytes || total + cover->size() > limits_.max_input_bytes) {
      cover_error = Error{Errc::limit, "the cover sheet is empty or larger than the assembly allows"};
    } else {
      (void)send_cover(control_.get(), *cover, deadline);
    }
  }
  control_ = UniqueFd();  // the helper reads the end of it: without a cover, it stops
  const pid_t pid = std::exchange(pid_, -1);
  const detail::ChildEnd end = detail::wait_for_child(pid, std::move(result_), started_, limits_.wall_seconds,
                                                      limits_.wall_seconds, kMaxResult, {}, std::stop_token{}, true);
  // It closed dossier.pdf before it sent its result; its exit is reaped when this object goes.
  if (end.exiting) pid_ = pid;
  if (cover_error) return tl::unexpected(*cover_error);
  const std::string why = "the dossier PDF could not be made: ";
  if (end.timed_out) return fail(Errc::limit, why + "it took longer than " + std::to_string(end.wall_limit) + " s");
  if (end.oversize) return fail(Errc::malformed, why + "the helper's answer is too large");
  if (!end.exited_cleanly()) {
    if (WIFSIGNALED(end.status) && WTERMSIG(end.status) == SIGXFSZ)
      return fail(Errc::limit, why + "it would be larger than " +
                                   std::to_string(limits_.max_output_bytes / (1024u * 1024u)) + " MiB");
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

Result<Assembly> assemble_pdf(const AssemblyInput& input, int out_fd, const AssemblyLimits& limits) {
  if (input.cover.empty()) return fail(Errc::usage, "no cover sheet");
  return assemble_pdf(input, out_fd, limits, LateCover{});
}

Result<Assembly> assemble_pdf(const AssemblyInput& input, int out_fd, const AssemblyLimits& limits,
                              const LateCover& late_cover) {
  if (input.cover.empty() && !late_cover) return fail(Errc::usage, "no cover sheet");
  auto helper = AssemblyHelper::start(out_fd, limits);
  if (!helper) return tl::unexpected(helper.error());
  return helper->assemble(input, late_cover);
}

}  // namespace dossier::io
