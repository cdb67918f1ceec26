// "Safe relative path" rules shared by every reader that turns a name from untrusted
// input into a path: ZIP entry names, files found in a package folder, bundle members.
// The rules are written up in docs/zip-safety.md; the limits in docs/limits.md.
//
// A safe relative path is non-empty valid UTF-8, uses '/' as its only separator, has no
// '.', '..' or empty segments (a single trailing '/' marks a directory), is not absolute
// ("/x", "C:x", "\\x", "//host"), contains no backslash, ':' , NUL, C0/C1 control or
// Unicode bidirectional-override character, and stays within a length and depth limit.
// The checks are pure: no file system access.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dossier::io {

inline constexpr std::size_t kDefaultMaxPathDepth = 8;
inline constexpr std::size_t kDefaultMaxPathLength = 240;

// Checks `name` and returns its canonical form: the same bytes without a trailing '/'.
// Errors: Errc::hostile (traversal, absolute, backslash, control characters, empty,
// invalid UTF-8), Errc::limit (longer than `max_len` bytes, more than `max_depth`
// segments). The message says what is wrong but does not repeat the name; callers add it.
Result<std::string> normalise_entry_name(std::string_view name,
                                         std::size_t max_depth = kDefaultMaxPathDepth,
                                         std::size_t max_len = kDefaultMaxPathLength);

// The same rules as a predicate. When it returns false and `why` is not null, *why holds
// the reason (same text as normalise_entry_name's message).
bool is_safe_relative_path(std::string_view name, std::size_t max_depth, std::size_t max_len,
                           std::string* why);

// Key under which two safe paths collide on common file systems: Unicode canonical caseless
// matching (Unicode 15 section 3.13, D145: NFD, full case folding, NFC), so "Report.pdf" and
// "report.pdf", "Ä" and "ä", and "cliënt" written composed (U+00EB) or decomposed (e U+0308)
// each get one key, as they are one file on Windows (NTFS) or macOS (APFS, HFS+). A trailing
// '/' is dropped. Full case folding also joins "ß" and "ss", or the ligature U+FB01 and "fi":
// stricter than some file systems, never looser. NOT guaranteed: other compatibility forms
// (fullwidth letters) keep their own key, as they do on those file systems. Input must be
// valid UTF-8 (a safe relative path); should ICU fail, the bytes are lower-cased in ASCII.
std::string collision_key(std::string_view canonical);

// True when `name` (valid UTF-8) is in Unicode Normalization Form C, the composed form that
// keyboards, Windows and Linux produce ("ë" as U+00EB). Some macOS programs write names
// decomposed (NFD: "e" followed by U+0308): the same name on screen, other bytes on disk.
bool is_nfc(std::string_view name);

}  // namespace dossier::io
