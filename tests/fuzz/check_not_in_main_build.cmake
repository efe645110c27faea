# Checks that the libFuzzer build (tests/fuzz) is not part of the main build:
# no fuzz target, no fuzz source and no -fsanitize=fuzzer in the configured
# main build tree, and no CMakeLists.txt of the main tree add_subdirectory()s
# tests/fuzz. Run by ctest (fuzz_not_in_main_build):
#   cmake -DSB_SOURCE_DIR=<src> -DSB_BINARY_DIR=<build> -P check_not_in_main_build.cmake
foreach(_v SB_SOURCE_DIR SB_BINARY_DIR)
  if(NOT IS_DIRECTORY "${${_v}}")
    message(FATAL_ERROR "${_v} is not a directory: '${${_v}}'")
  endif()
endforeach()

set(_bad "")
foreach(_f CMakeFiles/TargetDirectories.txt compile_commands.json)
  if(EXISTS "${SB_BINARY_DIR}/${_f}")
    file(READ "${SB_BINARY_DIR}/${_f}" _text)
    foreach(_needle sip_parse_fuzz sb_sipmsg_fuzz -fsanitize=fuzzer)
      string(FIND "${_text}" "${_needle}" _at)
      if(_at GREATER -1)
        list(APPEND _bad "${_f} mentions ${_needle}")
      endif()
    endforeach()
  endif()
endforeach()
if(NOT EXISTS "${SB_BINARY_DIR}/CMakeFiles/TargetDirectories.txt")
  list(APPEND _bad "${SB_BINARY_DIR} is not a configured CMake build tree")
endif()

# The source tree's CMakeLists.txt files, skipping build trees and dot dirs.
set(_lists "${SB_SOURCE_DIR}/CMakeLists.txt")
file(GLOB _tops LIST_DIRECTORIES true "${SB_SOURCE_DIR}/*")
foreach(_top ${_tops})
  get_filename_component(_name "${_top}" NAME)
  if(IS_DIRECTORY "${_top}" AND NOT _name MATCHES "^(build|\\.)"
     AND NOT EXISTS "${_top}/CMakeCache.txt")
    file(GLOB_RECURSE _sub "${_top}/CMakeLists.txt")
    list(APPEND _lists ${_sub})
  endif()
endforeach()
foreach(_l ${_lists})
  string(FIND "${_l}" "${SB_SOURCE_DIR}/tests/fuzz/" _in_fuzz)
  if(_in_fuzz EQUAL 0)
    continue()
  endif()
  file(STRINGS "${_l}" _hits REGEX "^[^#]*add_subdirectory\\([^)]*fuzz")
  if(_hits)
    list(APPEND _bad "${_l} adds the fuzz folder: ${_hits}")
  endif()
endforeach()

if(_bad)
  list(JOIN _bad "\n  " _msg)
  message(FATAL_ERROR "the fuzz build leaked into the main build:\n  ${_msg}")
endif()
message(STATUS "fuzz build is separate from the main build")
