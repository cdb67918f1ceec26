// Errors are values: a stable code plus a technical message. Only the CLI turns
// them into words for people (with a hint of what to do).
#pragma once

#include <cstdint>
#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace dossier {

enum class Errc {
  usage,          // the caller asked for something impossible (bad option, missing file)
  not_found,      // a named file or key does not exist
  io,             // reading or writing failed
  malformed,      // input is not in the expected format
  limit,          // input exceeds a documented limit
  hostile,        // input tries something forbidden (traversal, bombs, active content)
  crypto,         // authentication, decryption or signature verification failed
  no_identity,    // none of the given identities could unwrap the file key
  bad_passphrase, // the passphrase did not decrypt the key
  unsupported,    // valid but outside what dossier accepts
  internal,       // a bug
};

// Where in a format's processing an error arose, for callers that act on it (the age
// conformance driver tells a header failure from a payload failure by it, never by the
// message text). Most errors have none.
enum class Stage : std::uint8_t {
  unspecified,
  armor,    // age: the ASCII armor
  header,   // age: the header and its recipient stanzas
  mac,      // age: the header MAC
  payload,  // age: the STREAM payload
};

struct Error {
  Errc code;
  std::string message;
  Stage stage = Stage::unspecified;
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(Errc code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline tl::unexpected<Error> fail(Errc code, Stage stage, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message), stage});
}

const char* errc_name(Errc code) noexcept;
const char* stage_name(Stage stage) noexcept;  // "armor", "header", ...; "" for unspecified

}  // namespace dossier
