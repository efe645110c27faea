# Project-wide options: warnings for our own code only, sanitizers, and the
# one helper that declares a folder's library.
option(SB_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

add_library(sb_project_options INTERFACE)
target_compile_options(sb_project_options INTERFACE -Wall -Wextra -Wpedantic -Werror)
target_include_directories(sb_project_options INTERFACE ${PROJECT_SOURCE_DIR})
# GCC 12 inlines libstdc++'s std::string and std::function deeply enough at
# -O2/-O3 (and at -O1 with ASan) to report impossible overlaps and
# uninitialized reads inside them (GCC bugs 105329, 105651). Keep those two
# as warnings so the build stays -Werror for everything else.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(sb_project_options INTERFACE
    -Wno-error=restrict -Wno-error=maybe-uninitialized)
endif()

if(SB_SANITIZE)
  set(_sb_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${_sb_san})
  add_link_options(-fsanitize=address,undefined)
endif()

# sb_add_module(<name> [DEPS targets...])
# Declares the library of one top-level folder: sb_<name>, built from every
# .cpp below it. A folder with no sources yet is an INTERFACE library, so the
# dependency chain is in place before the code arrives.
function(sb_add_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(_srcs)
    add_library(sb_${name} STATIC ${_srcs})
    target_link_libraries(sb_${name} PUBLIC sb_project_options ${ARG_DEPS})
  else()
    add_library(sb_${name} INTERFACE)
    target_link_libraries(sb_${name} INTERFACE sb_project_options ${ARG_DEPS})
  endif()
endfunction()
