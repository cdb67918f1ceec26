// verify and open of a bundle (app/bundle.hpp): the input is the .dossier file, checked with
// the fixed signing key and opened with the fixed identity of tests/fuzz/keys into a private
// temporary folder. A bundle that verifies must name the trusted signer; open must leave
// nothing behind unless it opened, and must not open what verify refuses.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

#include "app/bundle.hpp"
#include "app/data_files.hpp"
#include "core/messages.hpp"
#include "fuzz_keys.hpp"

namespace {

using namespace dossier;
using namespace dossier::crypto;

const Catalogue& messages() {
  static const Catalogue catalogue = [] {
    auto c = app::load_catalogue(fuzz::source_dir(), Lang::en);
    if (!c) fuzz::broken("the message catalogue");
    return std::move(*c);
  }();
  return catalogue;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const minisign::PublicKey& signer = fuzz::signing_key();
  fuzz::TempDir dir;
  const auto bundle = fuzz::input_file(dir, "input.dossier", data, size);
  app::BundleLimits limits;
  limits.max_entry_bytes = 4u << 20;
  limits.max_bundle_bytes = 16u << 20;

  auto verified = app::verify_bundle(bundle, signer, limits);
  if (!verified) fuzz::broken("verify_bundle failed on an existing file");
  if (verified->valid && (!verified->problems.empty() || verified->signer_key_id != signer.key_id_hex())) {
    fuzz::broken("valid bundle with problems or another signer");
  }
  if (!verified->valid && verified->problems.empty()) fuzz::broken("invalid bundle without a problem");
  (void)app::read_manifest(bundle, limits);

  app::OpenOptions options;
  options.identities.push_back(&fuzz::encryption_identity());
  options.signer = &signer;
  options.check.data_dir = fuzz::source_dir();
  options.check.check_date = "2026-01-15";
  options.check.parallel = 1;
  options.check.pdf_limits.max_ocr_pages = 0;
  options.limits = limits;
  const auto out = dir.path() / "opened";
  auto opened = app::open_bundle(bundle, out, options, messages());
  if (!opened) fuzz::broken("open_bundle failed before verifying");
  if (std::getenv("DOSSIER_FUZZ_VERBOSE") != nullptr) {
    std::fprintf(stderr, "bundle: verify %s, open %s%s%s\n", verified->valid ? "valid" : "invalid",
                 opened->opened ? "opened" : "refused", opened->error ? ": " : "",
                 opened->error ? opened->error->detail.c_str() : "");
  }
  std::error_code ec;
  if (opened->opened) {
    if (!verified->valid) fuzz::broken("open opened what verify refused");
  } else {
    // Nothing at DIR, and no staging folder next to it.
    for (const auto& e : std::filesystem::directory_iterator(dir.path(), ec)) {
      if (e.path() != bundle) fuzz::broken("open failed and left something behind");
    }
  }
  return 0;
}
