# Every dependency comes from a Debian package; a missing one stops the configure step with
# the name of the package to install (ci/install-deps.sh installs them all).
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

# rr_require_pkg(NAME MODULE DEBIAN_PACKAGE): an imported target PkgConfig::NAME or a clear stop.
function(rr_require_pkg name module debian_package)
  pkg_check_modules(${name} IMPORTED_TARGET GLOBAL ${module})
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "${module} not found: apt-get install ${debian_package}")
  endif()
endfunction()

rr_require_pkg(ZSTD libzstd libzstd-dev)
rr_require_pkg(XXHASH libxxhash libxxhash-dev)
# libfdt ships no pkg-config file on Debian 12.
find_path(RR_FDT_INCLUDE_DIR libfdt.h)
find_library(RR_FDT_LIBRARY fdt)
if(NOT RR_FDT_INCLUDE_DIR OR NOT RR_FDT_LIBRARY)
  message(FATAL_ERROR "libfdt not found: apt-get install libfdt-dev")
endif()
add_library(rr::fdt UNKNOWN IMPORTED GLOBAL)
set_target_properties(rr::fdt PROPERTIES IMPORTED_LOCATION ${RR_FDT_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${RR_FDT_INCLUDE_DIR})
rr_require_pkg(ZLIB zlib zlib1g-dev)

# libslirp's pkg-config file asks for glib's development files, which its header does not need:
# the library and header are found directly.
find_path(SLIRP_INCLUDE_DIR libslirp.h PATH_SUFFIXES slirp)
find_library(SLIRP_LIBRARY slirp)
if(NOT SLIRP_INCLUDE_DIR OR NOT SLIRP_LIBRARY)
  message(FATAL_ERROR "libslirp not found: apt-get install libslirp-dev")
endif()
add_library(Slirp::Slirp UNKNOWN IMPORTED GLOBAL)
set_target_properties(Slirp::Slirp PROPERTIES IMPORTED_LOCATION ${SLIRP_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${SLIRP_INCLUDE_DIR})

find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  message(FATAL_ERROR "CLI11 not found: apt-get install libcli11-dev")
endif()

if(RR_BUILD_TESTS)
  find_package(Catch2 2 CONFIG QUIET)
  if(NOT Catch2_FOUND)
    message(FATAL_ERROR "Catch2 v2 not found: apt-get install catch2")
  endif()
  rr_require_pkg(UNICORN unicorn libunicorn-dev)
endif()

if(RR_BUILD_BENCH)
  find_package(benchmark CONFIG QUIET)
  if(NOT benchmark_FOUND)
    message(FATAL_ERROR "Google Benchmark not found: apt-get install libbenchmark-dev")
  endif()
endif()
