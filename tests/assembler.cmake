# dossier-pdf-assembler, the helper of assemble_pdf (docs/assembly.md, "The helper"): run by a
# person, it says what it is and does nothing (exit 2); started by anyone but its parent, it
# stops. It links qpdf, Poppler and cairo only: none of the inspector's libraries, which would
# cost it 20 ms of start and widen what runs beside hostile documents. Its work is tested in
# unit/assemble_test.cpp (AssemblePdf.*, Assemble.*, AssembleComplete.*).
add_test(NAME assembler.explains_itself COMMAND dossier-pdf-assembler)
set_tests_properties(assembler.explains_itself PROPERTIES
  PASS_REGULAR_EXPRESSION "sandboxed helper of dossier.*dossier assemble")
add_test(NAME assembler.refuses_a_stranger_parent
  COMMAND dossier-pdf-assembler --dossier-assemble-v1 1 "1,2,3,4,200,300")
set_tests_properties(assembler.refuses_a_stranger_parent PROPERTIES WILL_FAIL TRUE)
add_test(NAME assembler.links_only_qpdf_poppler_and_cairo
  COMMAND sh -c "ldd \"$1\" > /dev/null && ! ldd \"$1\" | grep -E 'tesseract|lept|pango|libzip|icu|sodium|xml|pugi'"
          assembler $<TARGET_FILE:dossier-pdf-assembler>)
