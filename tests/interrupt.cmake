# Fault 1 of issue 8 (tests/tools/interrupt.sh): Ctrl-C, SIGTERM and SIGHUP during open and seal
# leave nothing behind; the next run removes what SIGKILL left.
add_test(NAME interrupt.signals_leave_nothing
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/tools/interrupt.sh
                 $<TARGET_FILE:dossier> $<TARGET_FILE:dossier-mkpdf> ${PROJECT_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/interrupt)
set_tests_properties(interrupt.signals_leave_nothing PROPERTIES LABELS large TIMEOUT 600 RUN_SERIAL TRUE)
