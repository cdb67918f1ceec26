# dossier serve in Debian's chromium (tests/browser/web.test.mjs, docs/web.md): the way through
# the pages, screenshots of each step (docs/img/web-*.png are copies, scripts/make-doc-pictures),
# axe-core's accessibility check and a keyboard-only pass. scripts/setup installs chromium and the
# npm packages; when either is missing the test fails and says so (it never downloads).
find_program(DOSSIER_NODE node)
add_test(NAME browser.web
         COMMAND ${DOSSIER_NODE} ${CMAKE_CURRENT_LIST_DIR}/browser/web.test.mjs)
set_tests_properties(browser.web PROPERTIES
  LABELS browser
  TIMEOUT 600
  ENVIRONMENT "DOSSIER=$<TARGET_FILE:dossier>;DOSSIER_DATA_DIR=${PROJECT_SOURCE_DIR};SHOTS=${CMAKE_CURRENT_BINARY_DIR}/browser-shots"
  PASS_REGULAR_EXPRESSION "browser test: all steps passed")
