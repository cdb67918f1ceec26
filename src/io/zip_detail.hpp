// What the ZIP reader and writer (zip_reader.cpp, zip_writer.cpp) share: libzip's error codes in
// our terms, and names made printable for messages. Internal to src/io; not an API.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dossier::io::zip_detail {

// libzip's text for one of its ZIP_ER_* codes.
std::string libzip_message(int code);
// Our Errc for one of libzip's ZIP_ER_* codes.
Errc errc_from_libzip(int code);
// Raw names can hold anything: control bytes become "\xNN".
std::string printable(std::string_view raw);
// "entry 'NAME': ", the start of every message about one entry.
std::string entry_prefix(std::string_view shown);

}  // namespace dossier::io::zip_detail
