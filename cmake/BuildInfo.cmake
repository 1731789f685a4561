# Version, git revision and build date, baked into telemetry/build_info.cpp.
# The build date is the last commit's date, so rebuilding the same tree gives the same bytes.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                OUTPUT_VARIABLE IGW_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git log -1 --format=%cI WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                OUTPUT_VARIABLE IGW_BUILD_DATE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT IGW_GIT_REVISION)
  set(IGW_GIT_REVISION "unknown")
endif()
if(NOT IGW_BUILD_DATE)
  string(TIMESTAMP IGW_BUILD_DATE "%Y-%m-%dT%H:%M:%SZ" UTC)
endif()
set(IGW_COMPILER "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
configure_file(${PROJECT_SOURCE_DIR}/telemetry/build_info.cpp.in ${PROJECT_BINARY_DIR}/generated/build_info.cpp @ONLY)
