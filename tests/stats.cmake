# dossier stats (docs/stats.md): the unit tests read registers made by tools/make-register, and
# bench/stats keeps working on a small register (its real run is by hand, docs/benchmarks.md).
target_link_libraries(dossier_tests PRIVATE dossier_make_register)

add_test(NAME bench.stats_smoke COMMAND ${PROJECT_SOURCE_DIR}/bench/stats 200)
set_tests_properties(bench.stats_smoke PROPERTIES
  ENVIRONMENT "DOSSIER_BENCH_DOSSIER=$<TARGET_FILE:dossier>;DOSSIER_BENCH_MAKE_REGISTER=$<TARGET_FILE:dossier-make-register>"
  PASS_REGULAR_EXPRESSION "dossier stats \\([0-9]+ threads\\) +[0-9.]+ +[0-9]+"
  LABELS bench
  TIMEOUT 300)
