# The committed example packages are exactly what scripts/make-examples generates.
add_test(NAME examples.up_to_date
         COMMAND bash -c "out=$(mktemp -d) && trap 'rm -rf $out' EXIT && '${PROJECT_SOURCE_DIR}/scripts/make-examples' '$<TARGET_FILE:dossier-mkpdf>' \"$out\" >/dev/null && diff -r \"$out/complete\" '${PROJECT_SOURCE_DIR}/examples/complete' && diff -r \"$out/incomplete\" '${PROJECT_SOURCE_DIR}/examples/incomplete' && diff -r \"$out/not-eligible\" '${PROJECT_SOURCE_DIR}/examples/not-eligible'")
