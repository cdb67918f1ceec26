#include "io/pdf_inspect.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

// qpdf 11: use std::shared_ptr, no PointerHolder (silences its transition #warning).
#ifndef POINTERHOLDER_TRANSITION
#define POINTERHOLDER_TRANSITION 4
#endif
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <set>
#include <string_view>

#include "core/text.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define DOSSIER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DOSSIER_ASAN 1
#endif
#endif

namespace dossier::io {

using Outcome = PdfInfo::Outcome;

const char* outcome_name(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::not_pdf: return "not-pdf";
    case Outcome::empty: return "empty";
    case Outcome::damaged: return "damaged";
    case Outcome::locked: return "locked";
    case Outcome::encrypted: return "encrypted";
    case Outcome::unsafe: return "unsafe";
  }
  return "unknown";
}

namespace {

constexpr std::size_t kHeaderWindow = 1024;
constexpr std::size_t kSerialOverhead = 64u * 1024u;  // detail, active content, date

// ---- serialisation of PdfInfo over the pipe (length-prefixed, little-endian) ----

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

std::string serialise(const PdfInfo& info) {
  std::string out = "DPI1";
  put_u32(out, static_cast<std::uint32_t>(info.outcome));
  put_str(out, info.detail);
  put_u32(out, static_cast<std::uint32_t>(std::max(info.pages, 0)));
  put_u32(out, info.has_text ? 1u : 0u);
  put_str(out, info.text);
  put_u32(out, static_cast<std::uint32_t>(info.active_content.size()));
  for (const auto& a : info.active_content) put_str(out, a);
  put_u32(out, info.date ? 1u : 0u);
  if (info.date) put_str(out, *info.date);
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool u32(std::uint32_t& v) {
    if (data_.size() - pos_ < 4) return false;
    v = 0;
    for (std::size_t i = 0; i < 4; ++i)
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return true;
  }
  bool str(std::string& s) {
    std::uint32_t n = 0;
    if (!u32(n) || data_.size() - pos_ < n) return false;
    s.assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool magic(std::string_view m) {
    if (data_.substr(0, m.size()) != m) return false;
    pos_ = m.size();
    return true;
  }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

std::optional<PdfInfo> deserialise(std::string_view data) {
  Reader r(data);
  PdfInfo info;
  std::uint32_t outcome = 0, pages = 0, has_text = 0, count = 0, has_date = 0;
  if (!r.magic("DPI1") || !r.u32(outcome) || outcome > static_cast<std::uint32_t>(Outcome::unsafe) ||
      !r.str(info.detail) || !r.u32(pages) || pages > 100'000'000u || !r.u32(has_text) ||
      !r.str(info.text) || !r.u32(count) || count > 64)
    return std::nullopt;
  info.outcome = static_cast<Outcome>(outcome);
  info.pages = static_cast<int>(pages);
  info.has_text = has_text != 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string a;
    if (!r.str(a)) return std::nullopt;
    info.active_content.push_back(std::move(a));
  }
  if (!r.u32(has_date)) return std::nullopt;
  if (has_date != 0) {
    std::string d;
    if (!r.str(d)) return std::nullopt;
    info.date = std::move(d);
  }
  if (!r.at_end()) return std::nullopt;
  return info;
}

// ---- the work done inside the child ----

bool has_pdf_header(std::span<const std::uint8_t> bytes) {
  std::string_view head(reinterpret_cast<const char*>(bytes.data()), std::min(bytes.size(), kHeaderWindow));
  return head.find("%PDF-") != std::string_view::npos;
}

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
void cap_utf8(std::string& s, std::size_t max) {
  if (s.size() <= max) return;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0u) == 0x80u) --cut;
  s.resize(cut);
}

bool non_blank(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v';
  });
}

class ActiveContent {
 public:
  void add(const char* what) {
    if (seen_.insert(what).second) order_.emplace_back(what);
  }
  std::vector<std::string> take() { return std::move(order_); }

 private:
  std::set<std::string> seen_;
  std::vector<std::string> order_;
};

bool name_is(QPDFObjectHandle dict, const char* key, const char* value) {
  if (!dict.hasKey(key)) return false;
  QPDFObjectHandle v = dict.getKey(key);
  return v.isName() && v.getName() == value;
}

// A plain /GoTo action (or a destination array) only moves to a page. Anything else,
// including a chained /Next action, can do more and is reported.
bool benign_action(QPDFObjectHandle action) {
  if (action.isArray() || action.isNull()) return true;  // a destination / nothing
  return action.isDictionary() && name_is(action, "/S", "/GoTo") && !action.hasKey("/Next");
}

// /AA maps trigger events (page open, field focus, ...) to actions run automatically.
bool benign_triggers(QPDFObjectHandle aa) {
  if (!aa.isDictionary()) return aa.isNull();
  for (auto& [event, action] : aa.getDictAsMap())
    if (!benign_action(action)) return false;
  return true;
}

void scan_dictionary(QPDFObjectHandle dict, ActiveContent& found) {
  if (dict.hasKey("/JS") || name_is(dict, "/S", "/JavaScript")) found.add("JavaScript");
  if (name_is(dict, "/S", "/Launch") || dict.hasKey("/Launch")) found.add("Launch");
  if (dict.hasKey("/AA") && !benign_triggers(dict.getKey("/AA"))) found.add("AA (additional actions)");
  if (name_is(dict, "/Type", "/EmbeddedFile") || dict.hasKey("/EmbeddedFiles") ||
      name_is(dict, "/Subtype", "/FileAttachment") || name_is(dict, "/S", "/GoToE"))
    found.add("EmbeddedFile");
  if (dict.hasKey("/EF")) {
    QPDFObjectHandle ef = dict.getKey("/EF");
    if (ef.isDictionary()) found.add("EmbeddedFile");
  }
  if (name_is(dict, "/Subtype", "/RichMedia") || dict.hasKey("/RichMediaContent") ||
      name_is(dict, "/S", "/RichMediaExecute"))
    found.add("RichMedia");
  if (dict.hasKey("/XFA")) found.add("XFA");
  if (name_is(dict, "/S", "/GoToR")) found.add("GoToR");
  if (name_is(dict, "/S", "/SubmitForm")) found.add("SubmitForm");
  if (name_is(dict, "/S", "/ImportData")) found.add("ImportData");
  // Multimedia players: old plug-in attack surface, and CoMensha cannot archive them.
  if (name_is(dict, "/S", "/Movie") || name_is(dict, "/Subtype", "/Movie")) found.add("Movie");
  if (name_is(dict, "/S", "/Sound") || name_is(dict, "/Subtype", "/Sound")) found.add("Sound");
  if (name_is(dict, "/S", "/Rendition") || name_is(dict, "/Subtype", "/Screen")) found.add("Rendition");
  if (name_is(dict, "/Subtype", "/3D") || name_is(dict, "/S", "/GoTo3DView")) found.add("3D");
}

// Scans obj and the direct objects nested in it (an action is often a direct
// dictionary inside an annotation or outline item). Indirect references are not
// followed: every indirect object is visited once from getAllObjects().
void scan_object(QPDFObjectHandle obj, ActiveContent& found, int depth) {
  if (depth > 32) return;  // deeper nesting is not a document structure
  if (obj.isStream()) obj = obj.getDict();
  if (obj.isDictionary()) {
    scan_dictionary(obj, found);
    for (auto& [key, value] : obj.getDictAsMap())
      if (!value.isIndirect() && (value.isDictionary() || value.isArray())) scan_object(value, found, depth + 1);
  } else if (obj.isArray()) {
    for (QPDFObjectHandle item : obj.aitems())
      if (!item.isIndirect() && (item.isDictionary() || item.isArray())) scan_object(item, found, depth + 1);
  }
}

// Parses with qpdf: encryption, damage and active content. Returns false when the
// outcome is final (damaged/locked) and poppler must not be asked.
bool inspect_structure(std::span<const std::uint8_t> bytes, const std::string& name, PdfInfo& info,
                       bool& encrypted, std::size_t& warnings) {
  QPDF qpdf;
  qpdf.setSuppressWarnings(true);
  try {
    qpdf.processMemoryFile(name.c_str(), reinterpret_cast<const char*>(bytes.data()), bytes.size());
  } catch (const QPDFExc& e) {
    if (e.getErrorCode() == qpdf_e_password) {
      info.outcome = Outcome::locked;
      info.detail = "encrypted with a user password (qpdf: " + e.getMessageDetail() + ")";
      return false;
    }
    info.outcome = Outcome::damaged;
    info.detail = std::string("qpdf: ") + e.what();
    return false;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    info.outcome = Outcome::damaged;
    info.detail = std::string("qpdf: ") + e.what();
    return false;
  }

  encrypted = qpdf.isEncrypted();
  ActiveContent found;
  try {
    QPDFObjectHandle root = qpdf.getRoot();
    if (root.isDictionary()) {
      if (root.hasKey("/OpenAction") && !benign_action(root.getKey("/OpenAction"))) found.add("OpenAction");
      if (root.hasKey("/AcroForm")) {
        QPDFObjectHandle form = root.getKey("/AcroForm");
        if (form.isDictionary() && form.hasKey("/XFA")) found.add("XFA");
      }
    }
    for (QPDFObjectHandle obj : qpdf.getAllObjects()) {
      try {
        scan_object(obj, found, 0);
      } catch (const std::bad_alloc&) {
        throw;
      } catch (const std::exception&) {
        ++warnings;  // one unreadable object does not hide the others
      }
    }
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    info.outcome = Outcome::damaged;
    info.detail = std::string("qpdf: ") + e.what();
    info.active_content = found.take();
    return false;
  }
  info.active_content = found.take();
  warnings += qpdf.numWarnings();
  return true;
}

void silence_poppler(const std::string&, void*) {}

void inspect_text(std::span<const std::uint8_t> bytes, const PdfLimits& limits, PdfInfo& info) {
  poppler::set_debug_error_function(silence_poppler, nullptr);
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
      reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size())));
  if (!doc) {
    info.outcome = Outcome::damaged;
    info.detail = "poppler could not open the document";
    return;
  }
  // Poppler 22.12 crashes in pages()/has_embedded_files() on a locked document.
  if (doc->is_locked()) {
    info.outcome = Outcome::locked;
    info.detail = "a user password is needed to open the document";
    return;
  }
  info.pages = doc->pages();
  if (info.pages <= 0) {
    info.outcome = Outcome::damaged;
    info.detail = "the document has no pages";
    return;
  }
  std::string text;
  const int last = std::min(info.pages, static_cast<int>(std::min(limits.max_pages_for_text, 100'000u)));
  for (int i = 0; i < last && text.size() < limits.max_text_bytes; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    poppler::byte_array utf8 = page->text().to_utf8();
    if (!text.empty()) text.push_back('\n');
    text.append(utf8.data(), utf8.size());
  }
  cap_utf8(text, limits.max_text_bytes);
  info.has_text = non_blank(text);
  info.date = find_first_date(text);
  info.text = std::move(text);
}

PdfInfo inspect_in_child(std::span<const std::uint8_t> bytes, const std::string& name,
                         const PdfLimits& limits) {
  PdfInfo info;
  try {
    bool encrypted = false;
    std::size_t warnings = 0;
    if (!inspect_structure(bytes, name, info, encrypted, warnings)) return info;
    inspect_text(bytes, limits, info);
    if (info.outcome != Outcome::ok) return info;
    if (encrypted) {
      info.outcome = Outcome::encrypted;
      info.detail = "encrypted (opens without a user password, but an owner password restricts it)";
    } else if (warnings > 0) {
      info.detail = "repaired: " + std::to_string(warnings) + " structural warning(s) from qpdf";
    }
  } catch (const std::bad_alloc&) {
    info = PdfInfo{};
    info.outcome = Outcome::unsafe;
    info.detail = "could not be inspected safely: memory limit reached";
  } catch (const std::exception& e) {
    info = PdfInfo{};
    info.outcome = Outcome::damaged;
    info.detail = std::string("parser error: ") + e.what();
  } catch (...) {
    info = PdfInfo{};
    info.outcome = Outcome::damaged;
    info.detail = "parser error";
  }
  return info;
}

#ifndef DOSSIER_ASAN
// Size of this process's address space in bytes (from /proc/self/statm), 0 if unknown.
rlim_t inherited_address_space() {
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  rlim_t pages = 0;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i)
    pages = pages * 10 + static_cast<rlim_t>(buf[i] - '0');
  long page_size = sysconf(_SC_PAGESIZE);
  return pages * static_cast<rlim_t>(page_size > 0 ? page_size : 4096);
}
#endif

void apply_child_limits(const PdfLimits& limits) {
  rlimit core{0, 0};
  setrlimit(RLIMIT_CORE, &core);
  rlimit cpu{limits.cpu_seconds, limits.cpu_seconds + 1};
  setrlimit(RLIMIT_CPU, &cpu);
#ifndef DOSSIER_ASAN
  // ASan reserves terabytes of shadow memory, so an address-space limit breaks it.
  // The child inherits the parent's address space; max_memory is what it may add.
  rlim_t limit = static_cast<rlim_t>(limits.max_memory) + inherited_address_space();
  rlimit as{limit, limit};
  setrlimit(RLIMIT_AS, &as);
#endif
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
  }
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

[[noreturn]] void child_main(int fd, std::span<const std::uint8_t> bytes, const std::string& name,
                             const PdfLimits& limits) {
  apply_child_limits(limits);
  PdfInfo info = inspect_in_child(bytes, name, limits);
  bool ok = write_all(fd, serialise(info));
  close(fd);
  _exit(ok ? 0 : 3);
}

PdfInfo unsafe(std::string why) {
  PdfInfo info;
  info.outcome = Outcome::unsafe;
  info.detail = "could not be inspected safely: " + why;
  return info;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU) return "CPU time limit exceeded";
    const char* desc = strsignal(sig);
    return std::string("parser died of signal ") + std::to_string(sig) + " (" + (desc ? desc : "?") + ")";
  }
  if (WIFEXITED(status)) return "parser exited with status " + std::to_string(WEXITSTATUS(status));
  return "parser stopped";
}

}  // namespace

Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, const PdfLimits& limits) {
  return inspect_pdf(bytes, "document.pdf", limits);
}

Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, std::string_view display_name,
                            const PdfLimits& limits) {
  PdfInfo info;
  if (bytes.empty()) {
    info.outcome = Outcome::empty;
    info.detail = "the file is empty";
    return info;
  }
  if (bytes.size() > limits.max_bytes) {
    return unsafe("larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  if (!has_pdf_header(bytes)) {
    info.outcome = Outcome::not_pdf;
    info.detail = "no %PDF- header in the first 1024 bytes";
    return info;
  }

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(Errc::io, std::string("pipe: ") + std::strerror(errno));
  const std::string name(display_name);
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(fds[0]);
    close(fds[1]);
    return fail(Errc::io, std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], bytes, name, limits);
  }
  close(fds[1]);
  const int fd = fds[0];
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(limits.wall_seconds);
  const std::size_t cap = limits.max_text_bytes + kSerialOverhead;
  std::string data;
  bool eof = false, oversize = false, timed_out = false, reaped = false;
  int status = 0;
  char buf[65536];

  auto drain = [&]() {
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        data.append(buf, static_cast<std::size_t>(n));
        if (data.size() > cap) {
          oversize = true;
          return;
        }
        continue;
      }
      if (n == 0) eof = true;
      else if (errno == EINTR) continue;
      return;  // EAGAIN: nothing more for now
    }
  };

  while (!eof && !oversize) {
    auto now = Clock::now();
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
    if (r < 0 && errno != EINTR) break;
    if (r > 0) drain();
    // Another thread's child may hold a copy of our pipe; also stop when ours has exited.
    if (!eof && !oversize && waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      drain();
      break;
    }
  }
  close(fd);
  if (!reaped) {
    if (timed_out || oversize) kill(pid, SIGKILL);
    // After EOF the child is exiting; give it until the deadline, then kill it.
    while (true) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (w < 0 && errno != EINTR) break;
      if (Clock::now() >= deadline) {
        kill(pid, SIGKILL);
        timed_out = true;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      usleep(2000);
    }
  }

  if (timed_out) return unsafe("wall-clock limit of " + std::to_string(limits.wall_seconds) + " s exceeded");
  if (oversize) return unsafe("result larger than " + std::to_string(cap) + " bytes");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return unsafe(describe_status(status));
  auto parsed = deserialise(data);
  if (!parsed) return unsafe("unreadable result from the parser process");
  return *parsed;
}

}  // namespace dossier::io
