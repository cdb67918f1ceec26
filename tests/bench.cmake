# bench/run on a tiny package, so the benchmark script keeps working (the real run is by hand:
# bench/run, results in docs/benchmarks.md).
add_test(NAME bench.smoke COMMAND ${PROJECT_SOURCE_DIR}/bench/run 1 1)
set_tests_properties(bench.smoke PROPERTIES
  ENVIRONMENT "DOSSIER_BENCH_DOSSIER=$<TARGET_FILE:dossier>;DOSSIER_BENCH_MKPDF=$<TARGET_FILE:dossier-mkpdf>"
  PASS_REGULAR_EXPRESSION "seal +[0-9.]+ +[0-9-]+ +age -r per file"
  TIMEOUT 120)
