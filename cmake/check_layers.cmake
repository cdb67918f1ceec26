# Refuses an #include "layer/..." that the layer of the including file may not use, so that the
# layering (core, then crypto and io, then app, then cli) is enforced by the build, not by
# convention. Run by src/CMakeLists.txt as a build step of each layer's library:
#   cmake -DLAYER=core "-DALLOWED=core" "-DFILES=a.cpp;a.hpp" -DSTAMP=... -P check_layers.cmake
# Also refuses, in core, the headers of the file system and of the edge libraries: the core
# parses bytes and never reads files itself.
cmake_minimum_required(VERSION 3.25)
set(_bad "")
foreach(_file IN LISTS FILES)
  file(STRINGS "${_file}" _lines REGEX "^[ \t]*#[ \t]*include")
  foreach(_line IN LISTS _lines)
    if(_line MATCHES "#[ \t]*include[ \t]*\"([a-z_]+)/[^\"]*\"")
      set(_layer "${CMAKE_MATCH_1}")
      if(NOT _layer IN_LIST ALLOWED)
        string(APPEND _bad "${_file}: ${LAYER} may not include ${_layer}/ (${_line})\n")
      endif()
    endif()
    if(LAYER STREQUAL "core" AND _line MATCHES "#[ \t]*include[ \t]*<(filesystem|fstream|fcntl\\.h|unistd\\.h|dirent\\.h|sodium\\.h|zip\\.h|poppler/|qpdf/|tesseract/|leptonica/|unicode/)")
      string(APPEND _bad "${_file}: core may not include <${CMAKE_MATCH_1}> (the file system and the edge libraries are io's and crypto's)\n")
    endif()
  endforeach()
endforeach()
if(_bad)
  # The findings go out as they are (a FATAL_ERROR's text is wrapped at 80 columns, which would
  # split a long path from its reason); then the build stops.
  message(NOTICE "wrong-layer include (see docs/architecture.md):\n${_bad}")
  message(FATAL_ERROR "the layering of docs/architecture.md is broken (see above)")
endif()
file(TOUCH "${STAMP}")
