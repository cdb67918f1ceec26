# dossier-pdf-inspector, the parser process of inspect_pdf (docs/pdf-inspection.md): run by a
# person, it says what it is and does nothing (exit 2). Its protocol is tested in
# unit/pdf_inspect_test.cpp (PdfInspector.*), its work by every test that reads a PDF.
add_test(NAME inspector.explains_itself COMMAND dossier-pdf-inspector)
set_tests_properties(inspector.explains_itself PROPERTIES
  PASS_REGULAR_EXPRESSION "sandboxed PDF parser of dossier.*dossier check")
add_test(NAME inspector.refuses_a_stranger_parent
  COMMAND dossier-pdf-inspector --dossier-internal-v1 1 "1,2,3,4,5,6,7,8,9,10,11,12,13" x.pdf)
set_tests_properties(inspector.refuses_a_stranger_parent PROPERTIES WILL_FAIL TRUE)
