// What the parent (io/pdf_assemble.cpp) and the helper program dossier-pdf-assembler
// (io/pdf_assembler.cpp) say to each other. Not a public interface: for those two files.
//
// The helper is started with
//   dossier-pdf-assembler --dossier-assemble-v1 PARENT_PID LIMITS
// and these descriptors:
//   3  the plan: a memfd, sealed against writing before the helper may read it;
//   4  the pipe for the result record (a framed record, io/pdf_child.hpp);
//   5  dossier.pdf, written from its first byte;
//   6  the control socket: the parent sends one byte kPlanReady once the plan is complete and
//      sealed (the helper starts while the parent still prepares it), and then, when the plan has
//      no cover sheet, the cover sheet as a u32 length and its bytes (io::LateCover).
// The plan is "dossier-assembly-1\n", u32 length of a JSON header, the header, then the blobs
// (cover, documents, notices, text layers) the header points into as [offset, length] from the
// first byte after the header. The result record is a u32 length of a JSON header, the header,
// then the PNG thumbnails it points into the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

#include "io/pdf_merge.hpp"

namespace dossier::io::detail::wire {

inline constexpr std::string_view kPlanMagic = "dossier-assembly-1\n";
inline constexpr int kPlanFd = 3;
inline constexpr int kPipeFd = 4;
inline constexpr int kOutFd = 5;
inline constexpr int kControlFd = 6;
inline constexpr char kPlanReady = 'G';
inline constexpr std::size_t kMaxHeader = 16u * 1024u * 1024u;
inline constexpr std::size_t kMaxResult = 64u * 1024u * 1024u;

inline std::uint32_t get_u32(std::string_view s) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  return v;
}

// [offset, length] within `region`, checked.
inline Bytes blob_at(const nlohmann::json& ref, std::span<const std::uint8_t> region) {
  if (!ref.is_array() || ref.size() != 2) throw std::runtime_error("bad reference");
  const auto off = ref.at(0).get<std::uint64_t>();
  const auto len = ref.at(1).get<std::uint64_t>();
  if (off > region.size() || len > region.size() - off) throw std::runtime_error("reference outside the plan");
  return Bytes{region.data() + off, static_cast<std::size_t>(len)};
}

}  // namespace dossier::io::detail::wire
