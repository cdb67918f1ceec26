# Runs the C2SP CCTV age vectors (npm package cctv-age, pinned) through our driver.
# Invoked by ctest as: cmake -DWORK_DIR=... -DDRIVER=... -DEXTRACT=... -P run_cctv.cmake
# Any failure to fetch or unpack is FATAL: the test fails, it never silently passes.
set(CCTV_VERSION 0.2.0)
set(CCTV_SHA1 9fc9490395bde049d60ceb549f41a39adc2d080a)  # npm "shasum" of the tarball
set(tgz "${WORK_DIR}/cctv-age-${CCTV_VERSION}.tgz")

file(MAKE_DIRECTORY "${WORK_DIR}")
if(EXISTS "${tgz}")
  file(SHA1 "${tgz}" have)
  if(NOT have STREQUAL CCTV_SHA1)
    file(REMOVE "${tgz}")
  endif()
endif()
if(NOT EXISTS "${tgz}")
  find_program(NPM npm)
  if(NOT NPM)
    message(FATAL_ERROR "cctv-age: npm not found; cannot fetch the test vectors")
  endif()
  execute_process(COMMAND "${NPM}" pack --silent "cctv-age@${CCTV_VERSION}"
                  WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${tgz}")
    message(FATAL_ERROR "cctv-age: npm pack cctv-age@${CCTV_VERSION} failed (${rc}): ${out} ${err}")
  endif()
endif()
file(SHA1 "${tgz}" have)
if(NOT have STREQUAL CCTV_SHA1)
  message(FATAL_ERROR "cctv-age: tarball checksum ${have} != pinned ${CCTV_SHA1}")
endif()

file(REMOVE_RECURSE "${WORK_DIR}/package" "${WORK_DIR}/vectors")
file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${WORK_DIR}")
find_program(NODE NAMES node nodejs)
if(NOT NODE)
  message(FATAL_ERROR "cctv-age: node not found; cannot read the vectors")
endif()
execute_process(COMMAND "${NODE}" "${EXTRACT}" "${WORK_DIR}/package" "${WORK_DIR}/vectors"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cctv-age: extracting vectors failed (${rc})")
endif()

execute_process(COMMAND "${DRIVER}" "${WORK_DIR}/vectors" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cctv-age: conformance driver failed (${rc})")
endif()
