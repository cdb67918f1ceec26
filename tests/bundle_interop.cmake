# Sealed bundles against the standard tools (tests/interop/bundle.sh): the auditor's commands of
# docs/bundle-format.md (unzip, minisign -V, b2sum -c), Debian's age decrypting the payload, keys
# made by minisign -G and age-keygen, and a tampered bundle. A missing tool fails the test.
foreach(scenario auditor age-decrypt foreign-keys tamper tamper-crc)
  add_test(NAME interop.bundle_${scenario}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/interop/bundle.sh $<TARGET_FILE:dossier> ${PROJECT_SOURCE_DIR} ${scenario})
  set_tests_properties(interop.bundle_${scenario} PROPERTIES TIMEOUT 120 LABELS interop)
endforeach()
