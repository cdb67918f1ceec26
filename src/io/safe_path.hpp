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

// Key under which two safe paths collide on common file systems: the canonical form with
// ASCII letters lower-cased. NOT guaranteed: non-ASCII case folding and Unicode
// normalisation (NFC/NFD) are not applied, so "Ä" and "ä" get different keys.
std::string collision_key(std::string_view canonical);

}  // namespace dossier::io
