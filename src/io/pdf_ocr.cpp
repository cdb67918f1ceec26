#include "io/pdf_ocr.hpp"

#include "io/thumbnail.hpp"

#include <dlfcn.h>
#include <time.h>

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/renderer.h>
#include <sys/mman.h>
#include <unistd.h>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <system_error>
#include <string_view>
#include <thread>

namespace dossier::io::ocr {

unsigned render_dpi(double width_pt, double height_pt, const PdfLimits& limits) {
  if (!std::isfinite(width_pt) || !std::isfinite(height_pt) || width_pt <= 0 || height_pt <= 0) return 0;
  const double w_in = width_pt / 72.0, h_in = height_pt / 72.0;
  double dpi = static_cast<double>(limits.ocr_dpi);
  // pixels = w_in * h_in * dpi^2 must stay within max_page_pixels.
  dpi = std::min(dpi, std::sqrt(static_cast<double>(limits.max_page_pixels) / (w_in * h_in)));
  dpi = std::min(dpi, static_cast<double>(kMaxSidePixels) / std::max(w_in, h_in));
  if (!std::isfinite(dpi) || dpi < static_cast<double>(kMinDpi)) return 0;
  return static_cast<unsigned>(dpi);  // rounds down, so the limits hold
}

unsigned thread_count(const PdfLimits& limits, std::size_t pages) {
  unsigned n = limits.ocr_threads;
  if (n == 0) {
    n = std::min(std::max(std::thread::hardware_concurrency(), 1u), 4u);
    const std::uint64_t mem = std::max(limits.ocr_max_memory, limits.max_memory);
    const std::uint64_t fit = mem > kBaseMemory ? (mem - kBaseMemory) / kThreadMemory : 0;
    n = static_cast<unsigned>(std::min<std::uint64_t>(n, std::max<std::uint64_t>(fit, 1)));
  }
  n = std::min(n, 64u);
  if (pages < n) n = static_cast<unsigned>(pages);
  return std::max(n, 1u);
}

namespace {

// Tesseract's LSTM runs "#pragma omp parallel" loops with up to 4 threads (and 10 for
// several languages) when libtesseract is built with OpenMP, as Debian's is. Each of our
// threads must recognise with one thread only. OMP_THREAD_LIMIT is read by libgomp when it
// is loaded (in the parent, long before the fork), so setting it in the child is too late;
// what works per thread is max-active-levels 0: every parallel region then runs on the
// encountering thread alone. Looked up at run time: a Tesseract without OpenMP does not
// bring libgomp along, and then there is nothing to do.
void one_openmp_thread() {
  using SetLevels = void (*)(int);
  void* sym = dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
  if (sym != nullptr) reinterpret_cast<SetLevels>(sym)(0);
}

double process_cpu_seconds() {
  timespec ts{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Drops the lines without any letter or digit (ASCII letters and digits, or any non-ASCII
// character): speckles and smudges on a scan come out as lines like "*", "+ ." or "|".
std::string drop_symbol_lines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    const bool blank = line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
    const bool letters = std::any_of(line.begin(), line.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || u >= 0xC0u;
    });
    if (blank || letters) {
      out.append(line);
      out.push_back('\n');
    }
    start = end + 1;
  }
  return out;
}

void trim_right(std::string& s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t' ||
                        s.back() == '\f' || s.back() == '\v'))
    s.pop_back();
}

struct Shared {
  std::span<const std::uint8_t> bytes;
  const std::vector<int>* pages = nullptr;
  const PdfLimits* limits = nullptr;
  std::chrono::steady_clock::time_point wall_end;
  double cpu_end = 0;
  const std::function<void(int)>* page_finished = nullptr;

  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;  // guards everything below
  int finished = 0;
  Stop why = Stop::none;
  std::string error;
  std::vector<PageResult>* results = nullptr;

  bool over_budget() const {
    return std::chrono::steady_clock::now() >= wall_end || process_cpu_seconds() >= cpu_end;
  }
  void halt(Stop s, std::string e = {}) {
    std::lock_guard lock(mutex);
    if (why == Stop::none) {
      why = s;
      error = std::move(e);
    }
    stop = true;
  }
  void finish(std::size_t k, PageResult r) {
    std::lock_guard lock(mutex);
    (*results)[k] = std::move(r);
    ++finished;
    if (*page_finished) (*page_finished)(finished);
  }
};

// Tesseract's cancel hook, called between words: stop when the budget is spent.
bool cancel_hook(void* data, int /*words*/) {
  auto* shared = static_cast<Shared*>(data);
  if (shared->stop) return true;
  if (shared->over_budget()) {
    shared->halt(Stop::time);
    return true;
  }
  return false;
}

class Recogniser {
 public:
  explicit Recogniser(Shared& shared) : shared_(shared) {
    renderer_.set_image_format(poppler::image::format_gray8);
    renderer_.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer_.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  }

  // A page with fewer than 8 pixels darker than mid-grey has nothing to read (a blank page,
  // the back of a sheet). Loading the nld+eng models costs about 0.9 s of CPU per thread.
  static bool blank(const poppler::image& img) {
    const auto* data = reinterpret_cast<const unsigned char*>(img.const_data());
    const auto row = static_cast<std::size_t>(img.bytes_per_row());
    int dark = 0;
    for (int y = 0; y < img.height(); ++y) {
      const unsigned char* line = data + static_cast<std::size_t>(y) * row;
      for (int x = 0; x < img.width(); ++x)
        if (line[x] < 128 && ++dark >= 8) return false;
    }
    return true;
  }

  // False with shared.halt() called when Tesseract cannot start.
  bool init() {
    ready_ = true;
    // Nothing may reach the disk: no debug output file, no debug images, no learned
    // adaptation written back. (Leptonica's debug file output is off in the whole child.)
    const std::vector<std::string> names = {"debug_file", "tessedit_write_images", "tessedit_dump_pageseg_images",
                                            "classify_save_adapted_templates"};
    const std::vector<std::string> values = {"/dev/null", "0", "0", "0"};
    if (api_.Init(nullptr, kLanguages, tesseract::OEM_LSTM_ONLY, nullptr, 0, &names, &values, false) != 0) {
      shared_.halt(Stop::failed, std::string("Tesseract could not load the language data '") + kLanguages + "'");
      return false;
    }
    api_.SetPageSegMode(tesseract::PSM_AUTO);
    return true;
  }

  PageResult page(poppler::document& doc, int index) {
    PageResult r;
    std::unique_ptr<poppler::page> page(doc.create_page(index));
    if (!page) {
      r.status = PageResult::Status::render_failed;
      return r;
    }
    const poppler::rectf box = page->page_rect(poppler::crop_box);
    r.dpi = render_dpi(box.width(), box.height(), *shared_.limits);
    if (r.dpi == 0) {
      r.status = PageResult::Status::too_large;
      return r;
    }
    const double res = static_cast<double>(r.dpi);
    poppler::image img = renderer_.render_page(page.get(), res, res);
    if (!img.is_valid() || img.width() <= 0 || img.height() <= 0 || img.format() != poppler::image::format_gray8) {
      r.status = PageResult::Status::render_failed;
      return r;
    }
    if (shared_.stop) return r;  // not_done
    // The first page's picture for the report, from this render: drawing the page again for it
    // would cost a scan's whole image decoded and scaled down once more.
    std::string thumbnail;
    if (index == 0)
      thumbnail = grey_thumbnail_png(reinterpret_cast<const unsigned char*>(img.const_data()), img.width(),
                                     img.height(), img.bytes_per_row());
    if (blank(img)) {  // nothing to recognise: no need to load Tesseract for it
      r.status = PageResult::Status::done;
      r.thumbnail = std::move(thumbnail);
      return r;
    }
    if (!ready_ && !init()) return r;  // not_done; shared.halt() says why
    const Gray gray{reinterpret_cast<const unsigned char*>(img.const_data()), img.width(), img.height(),
                    img.bytes_per_row()};
    if (!read(gray, r)) return r;
    // A sheet scanned sideways or upside down reads as a few low-confidence fragments. Only
    // then is the orientation detected (Tesseract's OSD model) and the page read again turned
    // upright; the better reading is kept. Upright pages pay nothing for this.
    if (poor(r)) {
      const int turn = orientation(gray);
      if (turn != 0 && !shared_.stop) {
        std::vector<unsigned char> turned;
        const Gray upright = turn_clockwise(gray, turn, turned);
        PageResult again;
        again.dpi = r.dpi;
        again.turn = turn;
        if (!read(upright, again)) return again;
        if (again.confidence > r.confidence) r = std::move(again);
      }
    }
    r.status = PageResult::Status::done;
    r.thumbnail = std::move(thumbnail);
    return r;
  }

  // Under 60% confidence or fewer than 20 letters and digits: worth a look at the orientation.
  static bool poor(const PageResult& r) {
    const auto letters = std::count_if(r.text.begin(), r.text.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0;
    });
    return r.confidence < 60 || letters < 20;
  }

 private:
  struct Gray {
    const unsigned char* data;
    int width, height, stride;
  };

  // Recognises `img` into r (text, confidence); false (r cancelled) when stopped meanwhile.
  bool read(const Gray& img, PageResult& r) {
    api_.SetImage(img.data, img.width, img.height, 1, img.stride);
    api_.SetSourceResolution(static_cast<int>(r.dpi));
    tesseract::ETEXT_DESC monitor;
    monitor.cancel = cancel_hook;
    monitor.cancel_this = &shared_;
    const int rc = api_.Recognize(&monitor);
    if (rc != 0 || shared_.stop) {
      api_.Clear();
      r.status = PageResult::Status::cancelled;
      return false;
    }
    std::unique_ptr<char[]> text(api_.GetUTF8Text());
    r.text = text ? drop_symbol_lines(text.get()) : std::string();
    trim_right(r.text);
    // Layout gaps and dropped lines leave runs of empty lines: keep at most one.
    for (std::size_t at; (at = r.text.find("\n\n\n")) != std::string::npos;) r.text.erase(at, 1);
    while (!r.text.empty() && r.text.front() == '\n') r.text.erase(0, 1);
    r.confidence = r.text.empty() ? -1 : std::clamp(api_.MeanTextConf(), 0, 100);
    if (!r.text.empty()) r.layer = text_layer(api_);
    api_.Clear();
    return true;
  }

  // The recognised page as Tesseract's text-only PDF (invisible text where the words are). Its
  // renderer writes only to a named file or to stdout: stdout (/dev/null in this process) is
  // pointed at a memfd for the time it writes, one page at a time. Empty on any failure.
  static std::string text_layer(tesseract::TessBaseAPI& api) {
    static std::mutex stdout_in_use;
    const std::lock_guard lock(stdout_in_use);
    const int fd = memfd_create("dossier-text-layer", MFD_CLOEXEC);
    if (fd < 0) return {};
    std::fflush(stdout);
    const int saved = dup(STDOUT_FILENO);
    bool ok = saved >= 0 && dup2(fd, STDOUT_FILENO) >= 0;
    if (ok) {
      tesseract::TessPDFRenderer renderer("stdout", api.GetDatapath(), true);
      ok = renderer.happy() && renderer.BeginDocument("") && renderer.AddImage(&api) && renderer.EndDocument();
      std::fflush(stdout);
    }
    if (saved >= 0) {
      dup2(saved, STDOUT_FILENO);
      close(saved);
    }
    std::string pdf;
    const off_t size = lseek(fd, 0, SEEK_END);
    if (ok && size > 0 && size < (16 << 20)) {
      pdf.resize(static_cast<std::size_t>(size));
      if (pread(fd, pdf.data(), pdf.size(), 0) != size) pdf.clear();
    }
    close(fd);
    return pdf;
  }

  // The clockwise turn (0, 90, 180, 270) that makes the page upright, by Tesseract's
  // orientation detection; 0 when it is unsure or its model (osd) is missing.
  int orientation(const Gray& img) {
    if (!osd_tried_) {
      osd_tried_ = true;
      const std::vector<std::string> names = {"debug_file"};
      const std::vector<std::string> values = {"/dev/null"};
      osd_ready_ = osd_.Init(nullptr, "osd", tesseract::OEM_TESSERACT_ONLY, nullptr, 0, &names, &values, false) == 0;
      if (osd_ready_) osd_.SetPageSegMode(tesseract::PSM_OSD_ONLY);
    }
    if (!osd_ready_) return 0;
    osd_.SetImage(img.data, img.width, img.height, 1, img.stride);
    int deg = 0;
    float conf = 0;
    const char* script = nullptr;
    float script_conf = 0;
    const bool ok = osd_.DetectOrientationScript(&deg, &conf, &script, &script_conf);
    osd_.Clear();
    // Tesseract reports the counter-clockwise turn of the text; confidence above 2 is
    // what its own command line treats as reliable.
    if (!ok || conf < 2.0f) return 0;
    return (360 - deg) % 360;
  }

  // img turned clockwise by `turn` degrees, its pixels in `store`.
  static Gray turn_clockwise(const Gray& img, int turn, std::vector<unsigned char>& store) {
    const int w = img.width, h = img.height;
    const bool swap = turn == 90 || turn == 270;
    const int ow = swap ? h : w, oh = swap ? w : h;
    store.assign(static_cast<std::size_t>(ow) * static_cast<std::size_t>(oh), 255);
    for (int y = 0; y < h; ++y) {
      const unsigned char* row = img.data + static_cast<std::size_t>(y) * static_cast<std::size_t>(img.stride);
      for (int x = 0; x < w; ++x) {
        int nx = x, ny = y;
        if (turn == 90) nx = h - 1 - y, ny = x;
        else if (turn == 180) nx = w - 1 - x, ny = h - 1 - y;
        else if (turn == 270) nx = y, ny = w - 1 - x;
        store[static_cast<std::size_t>(ny) * static_cast<std::size_t>(ow) + static_cast<std::size_t>(nx)] = row[x];
      }
    }
    return Gray{store.data(), ow, oh, ow};
  }

  Shared& shared_;
  bool ready_ = false;  // init() was called
  tesseract::TessBaseAPI api_;
  bool osd_tried_ = false, osd_ready_ = false;
  tesseract::TessBaseAPI osd_;
  poppler::page_renderer renderer_;
};

void worker(Shared& shared) {
  try {
    one_openmp_thread();
    const auto& pages = *shared.pages;
    // poppler documents are not safe to share between threads: each has its own, on the
    // same bytes (load_from_raw_data does not copy them).
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
        reinterpret_cast<const char*>(shared.bytes.data()), static_cast<int>(shared.bytes.size())));
    if (!doc || doc->is_locked()) {
      shared.halt(Stop::failed, "poppler could not open the document for text recognition");
      return;
    }
    std::unique_ptr<Recogniser> rec;
    for (;;) {
      if (shared.stop) return;
      if (shared.over_budget()) {
        shared.halt(Stop::time);
        return;
      }
      const std::size_t k = shared.next++;
      if (k >= pages.size()) return;
      if (!rec) rec = std::make_unique<Recogniser>(shared);
      PageResult r = rec->page(*doc, pages[k]);
      if (r.status == PageResult::Status::not_done) return;  // stopped meanwhile
      shared.finish(k, std::move(r));
    }
  } catch (const std::bad_alloc&) {
    shared.halt(Stop::memory);
  } catch (const std::exception& e) {
    shared.halt(Stop::failed, std::string("text recognition failed: ") + e.what());
  } catch (...) {
    shared.halt(Stop::failed, "text recognition failed");
  }
}

}  // namespace

Run recognise(std::span<const std::uint8_t> bytes, const std::vector<int>& pages, const PdfLimits& limits,
              unsigned threads, std::chrono::steady_clock::time_point wall_end, double cpu_end_seconds,
              const std::function<void(int finished)>& page_finished) {
  Run run;
  run.pages.resize(pages.size());
  if (pages.empty()) return run;
  setLeptDebugOK(0);  // Leptonica must not write debug images (to /tmp/lept/...)
  setMsgSeverity(L_SEVERITY_NONE);

  Shared shared;
  shared.bytes = bytes;
  shared.pages = &pages;
  shared.limits = &limits;
  shared.wall_end = wall_end;
  shared.cpu_end = cpu_end_seconds;
  shared.page_finished = &page_finished;
  shared.results = &run.pages;

  // This thread works too; the others are extra. If a thread cannot be created (the
  // address-space limit), the work goes on with fewer.
  std::vector<std::thread> extra;
  for (unsigned i = 1; i < threads; ++i) {
    try {
      extra.emplace_back(worker, std::ref(shared));
    } catch (const std::system_error&) {
      break;
    }
  }
  run.threads = static_cast<unsigned>(extra.size()) + 1;
  worker(shared);
  for (auto& t : extra) t.join();
  run.stop = shared.why;
  run.error = shared.error;
  return run;
}

}  // namespace dossier::io::ocr
