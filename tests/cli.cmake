# CLI golden tests: one ctest test per tests/cli/cases/*.case (see tests/cli/golden.sh).
file(GLOB DOSSIER_CLI_CASES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cli/cases/*.case)
foreach(case_file IN LISTS DOSSIER_CLI_CASES)
  get_filename_component(case_name ${case_file} NAME_WE)
  add_test(NAME cli.${case_name}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/golden.sh $<TARGET_FILE:dossier> ${PROJECT_SOURCE_DIR} ${case_name})
endforeach()
