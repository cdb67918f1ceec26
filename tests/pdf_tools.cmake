# PDF tests generate their inputs with the synthetic generator (tools/mkpdf).
target_link_libraries(dossier_tests PRIVATE dossier_mkpdf)

# The generator tool itself: runs, and is deterministic (byte-identical output).
set(_mkpdf_args --title "Synthetisch" --line "Datum: 12 maart 2024" --line "Café (test)"
    --pages 2 --javascript --objstm --encrypt-owner eigenaar)
add_test(NAME mkpdf.first COMMAND dossier-mkpdf ${_mkpdf_args} -o ${CMAKE_CURRENT_BINARY_DIR}/mkpdf-1.pdf)
add_test(NAME mkpdf.second COMMAND dossier-mkpdf ${_mkpdf_args} -o ${CMAKE_CURRENT_BINARY_DIR}/mkpdf-2.pdf)
add_test(NAME mkpdf.deterministic COMMAND ${CMAKE_COMMAND} -E compare_files
         ${CMAKE_CURRENT_BINARY_DIR}/mkpdf-1.pdf ${CMAKE_CURRENT_BINARY_DIR}/mkpdf-2.pdf)
set_tests_properties(mkpdf.first mkpdf.second PROPERTIES FIXTURES_SETUP mkpdf_files)
set_tests_properties(mkpdf.deterministic PROPERTIES FIXTURES_REQUIRED mkpdf_files)
