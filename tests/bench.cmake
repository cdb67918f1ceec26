# bench/run on a tiny package, so the benchmark script keeps working (the real run is by hand:
# bench/run, results in docs/benchmarks.md).
add_test(NAME bench.smoke COMMAND ${PROJECT_SOURCE_DIR}/bench/run 1 1)
set_tests_properties(bench.smoke PROPERTIES
  ENVIRONMENT "DOSSIER_BENCH_DOSSIER=$<TARGET_FILE:dossier>;DOSSIER_BENCH_MKPDF=$<TARGET_FILE:dossier-mkpdf>;DOSSIER_BENCH_PRIMITIVES=$<TARGET_FILE:dossier-primitives>"
  PASS_REGULAR_EXPRESSION "seal +[0-9.]+ +[0-9-]+ +age -r per file.*SHA-256 +[0-9]+ MiB/s.*ChaCha20-Poly1305 +[0-9]+ MiB/s"
  LABELS bench
  TIMEOUT 120)

# bench/read on the smallest package it makes (7 documents of 1 page), so the reading benchmark
# keeps working; its real run is by hand (bench/read, results in docs/benchmarks.md).
add_test(NAME bench.read_smoke COMMAND ${PROJECT_SOURCE_DIR}/bench/read 7 1)
set_tests_properties(bench.read_smoke PROPERTIES
  ENVIRONMENT "DOSSIER_BENCH_DOSSIER=$<TARGET_FILE:dossier>;DOSSIER_BENCH_MKPDF=$<TARGET_FILE:dossier-mkpdf>"
  PASS_REGULAR_EXPRESSION "scanned +[0-9.]+ +pdftoppm -r 300 \\+ tesseract, page after page +[0-9.]+ +[0-9.]+"
  FAIL_REGULAR_EXPRESSION "bench: the packages should check COMPLETE"
  LABELS bench
  RUN_SERIAL TRUE
  TIMEOUT 900)
