// referral.xml: the pre-parse checks (DTD, entities, UTF-8, limits), libxml2's XSD validation
// and pugixml (core/referral.hpp), and the BSN finder that runs over the same text.
#include <cstddef>
#include <cstdint>

#include "app/data_files.hpp"
#include "core/referral.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  static const std::string xsd = app::read_referral_schema(fuzz::source_dir()).value();
  const auto text = fuzz::text_of(data, size);
  const Referral r = Referral::parse(text, xsd);
  if (r.valid() && !r.usable()) fuzz::broken("valid referral that is not usable");
  if (r.usable()) {
    if (!r.root()) fuzz::broken("usable referral without a root");
    for (const auto& d : r.documents()) (void)d.path.size();
    (void)r.profile_hint();
  } else if (!r.documents().empty()) {
    fuzz::broken("documents from an unusable referral");
  }
  (void)find_bsn_like_numbers(text);
  return 0;
}
