# age conformance: C2SP CCTV vectors (npm cctv-age@0.2.0) -> tests/conformance/cctv_age.cpp.
# The package is fetched at test time into the build tree; failing to fetch fails the test.
find_package(ZLIB REQUIRED)
add_executable(cctv_age ${CMAKE_CURRENT_LIST_DIR}/conformance/cctv_age.cpp)
target_link_libraries(cctv_age PRIVATE dossier_lib dossier_warnings ZLIB::ZLIB PkgConfig::SODIUM)
add_test(NAME age.cctv_conformance
         COMMAND ${CMAKE_COMMAND}
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/cctv
                 -DDRIVER=$<TARGET_FILE:cctv_age>
                 -DEXTRACT=${CMAKE_CURRENT_LIST_DIR}/conformance/cctv_extract.mjs
                 -P ${CMAKE_CURRENT_LIST_DIR}/conformance/run_cctv.cmake)
set_tests_properties(age.cctv_conformance PROPERTIES
  PASS_REGULAR_EXPRESSION "cctv-age: [1-9][0-9]* passed, 0 failed, [0-9]+ skipped"
  FAIL_REGULAR_EXPRESSION "FATAL_ERROR|CMake Error"
  TIMEOUT 900)
