# PDF tests generate their inputs with the synthetic generator (tools/mkpdf).
target_link_libraries(dossier_tests PRIVATE dossier_mkpdf)
