# The layer check of cmake/check_layers.cmake (docs/architecture.md): it refuses a wrong-layer
# include and the file system in core, and passes what the layering allows. The real tree is
# checked by every build.
set(_layers_data ${CMAKE_CURRENT_SOURCE_DIR}/data/layers)
foreach(case core_includes_io core_reads_files)
  add_test(NAME layers.refuses_${case}
    COMMAND ${CMAKE_COMMAND} -DLAYER=core -DALLOWED=core -DFILES=${_layers_data}/${case}.cpp
            -DSTAMP=${CMAKE_CURRENT_BINARY_DIR}/layers-${case}.stamp -P ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake)
  set_tests_properties(layers.refuses_${case} PROPERTIES WILL_FAIL TRUE)
endforeach()
add_test(NAME layers.allows_app_uses_lower_layers
  COMMAND ${CMAKE_COMMAND} -DLAYER=app "-DALLOWED=core;crypto;io;app" -DFILES=${_layers_data}/app_uses_lower_layers.cpp
          -DSTAMP=${CMAKE_CURRENT_BINARY_DIR}/layers-app.stamp -P ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake)
# The refusal names the file and the include.
add_test(NAME layers.refusal_names_file_and_include
  COMMAND ${CMAKE_COMMAND} -DLAYER=core -DALLOWED=core -DFILES=${_layers_data}/core_includes_io.cpp
          -DSTAMP=${CMAKE_CURRENT_BINARY_DIR}/layers-named.stamp -P ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake)
set_tests_properties(layers.refusal_names_file_and_include PROPERTIES
  PASS_REGULAR_EXPRESSION "core_includes_io.cpp: core may not include io/")
# The bundle formats are pure: no io, no app.
add_test(NAME layers.refuses_bundle_includes_io
  COMMAND ${CMAKE_COMMAND} -DLAYER=bundle "-DALLOWED=core;crypto;bundle" -DFILES=${_layers_data}/bundle_includes_io.cpp
          -DSTAMP=${CMAKE_CURRENT_BINARY_DIR}/layers-bundle.stamp -P ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake)
set_tests_properties(layers.refuses_bundle_includes_io PROPERTIES
  PASS_REGULAR_EXPRESSION "bundle_includes_io.cpp: bundle may not include io/")
