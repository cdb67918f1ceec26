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

# Scanned documents: deterministic too, without any text layer, and legible to OCR.
set(_mkscan_common --scan --rotate 1.5 --pages 2 --title "Bevestiging intake"
    --line "Politie Eenheid Voorbeeld, team mensenhandel." --line "Intake op 2 oktober 2026 met cliënt CL-2026-0042.")
set(_mkscan_args ${_mkscan_common} --noise 7)
add_test(NAME mkpdf.scan.first COMMAND dossier-mkpdf ${_mkscan_args} -o ${CMAKE_CURRENT_BINARY_DIR}/mkscan-1.pdf)
add_test(NAME mkpdf.scan.second COMMAND dossier-mkpdf ${_mkscan_args} -o ${CMAKE_CURRENT_BINARY_DIR}/mkscan-2.pdf)
add_test(NAME mkpdf.scan.deterministic COMMAND ${CMAKE_COMMAND} -E compare_files
         ${CMAKE_CURRENT_BINARY_DIR}/mkscan-1.pdf ${CMAKE_CURRENT_BINARY_DIR}/mkscan-2.pdf)
# Another seed gives other noise (bash gets the generator and its arguments as $0 "$@").
add_test(NAME mkpdf.scan.other_seed
         COMMAND bash -c "\"$0\" \"$@\" --noise 8 -o '${CMAKE_CURRENT_BINARY_DIR}/mkscan-3.pdf' && ! cmp -s '${CMAKE_CURRENT_BINARY_DIR}/mkscan-1.pdf' '${CMAKE_CURRENT_BINARY_DIR}/mkscan-3.pdf'"
                 $<TARGET_FILE:dossier-mkpdf> ${_mkscan_common})
set_tests_properties(mkpdf.scan.first mkpdf.scan.second PROPERTIES FIXTURES_SETUP mkscan_files)
set_tests_properties(mkpdf.scan.deterministic mkpdf.scan.other_seed PROPERTIES FIXTURES_REQUIRED mkscan_files)
find_program(DOSSIER_PDFTOTEXT pdftotext)
find_program(DOSSIER_PDFTOPPM pdftoppm)
find_program(DOSSIER_TESSERACT tesseract)
if(DOSSIER_PDFTOTEXT)
  add_test(NAME mkpdf.scan.no_text_layer
           COMMAND bash -c "! '${DOSSIER_PDFTOTEXT}' '${CMAKE_CURRENT_BINARY_DIR}/mkscan-1.pdf' - | grep -q '[^[:space:]]'")
  set_tests_properties(mkpdf.scan.no_text_layer PROPERTIES FIXTURES_REQUIRED mkscan_files)
endif()
if(DOSSIER_PDFTOPPM AND DOSSIER_TESSERACT)
  add_test(NAME mkpdf.scan.ocr_reads_it
           COMMAND bash -c "d=$(mktemp -d) && trap 'rm -rf $d' EXIT && '${DOSSIER_PDFTOPPM}' -r 200 -gray -f 1 -l 1 '${CMAKE_CURRENT_BINARY_DIR}/mkscan-1.pdf' \"$d/p\" && OMP_THREAD_LIMIT=1 '${DOSSIER_TESSERACT}' \"$d\"/p-1.pgm - -l nld 2>/dev/null | grep -q 'mensenhandel'")
  set_tests_properties(mkpdf.scan.ocr_reads_it PROPERTIES FIXTURES_REQUIRED mkscan_files)
endif()
