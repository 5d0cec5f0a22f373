# Guest programs are built from source with the Debian cross compilers:
#   rr_add_guest(NAME ARCH aarch64|i386 SOURCES ... [LINKER_SCRIPT file] [DEFINES ...] [FP])
# produces ${CMAKE_BINARY_DIR}/guests/NAME.elf and adds it to the `guests` target. Guests use
# general registers only, unless FP is given (AArch64: FP, Advanced SIMD, CRC32 and crypto of a
# Cortex-A57; the guest must enable FP in CPACR_EL1 before its first FP instruction).
find_program(RR_AARCH64_CC aarch64-linux-gnu-gcc)
if(NOT RR_AARCH64_CC)
  message(FATAL_ERROR "aarch64-linux-gnu-gcc not found: apt-get install gcc-aarch64-linux-gnu")
endif()
find_program(RR_HOST_CC gcc)

add_custom_target(guests ALL)

function(rr_add_guest name)
  cmake_parse_arguments(G "FP" "ARCH;LINKER_SCRIPT" "SOURCES;DEFINES;INCLUDES" ${ARGN})
  set(out ${CMAKE_BINARY_DIR}/guests/${name}.elf)
  set(srcs)
  foreach(s ${G_SOURCES})
    if(IS_ABSOLUTE ${s})
      list(APPEND srcs ${s})
    else()
      list(APPEND srcs ${CMAKE_CURRENT_SOURCE_DIR}/${s})
    endif()
  endforeach()
  set(common -ffreestanding -nostdlib -O2 -fno-pie -fno-pic -fno-stack-protector
             -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns -g -Wall -Wextra)
  set(ldflags -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000
              -Wl,--no-warn-rwx-segments)
  if(G_ARCH STREQUAL "aarch64")
    set(cc ${RR_AARCH64_CC})
    list(APPEND common -mstrict-align)
    if(G_FP)
      list(APPEND common -march=armv8-a+crc+crypto -fno-math-errno)
    else()
      list(APPEND common -mgeneral-regs-only)
    endif()
  elseif(G_ARCH STREQUAL "i386")
    set(cc ${RR_HOST_CC})
    list(APPEND common -m32 -march=i686 -mno-sse)
    list(APPEND ldflags -m32)
  else()
    message(FATAL_ERROR "rr_add_guest(${name}): unknown ARCH '${G_ARCH}'")
  endif()
  set(script ${CMAKE_CURRENT_SOURCE_DIR}/${G_LINKER_SCRIPT})
  set(defs)
  foreach(d ${G_DEFINES})
    list(APPEND defs -D${d})
  endforeach()
  set(incs)
  foreach(i ${G_INCLUDES})
    list(APPEND incs -I${i})
  endforeach()
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/guests
    COMMAND ${cc} ${common} ${defs} ${incs} ${srcs} ${ldflags} -Wl,-T,${script} -o ${out}
    DEPENDS ${srcs} ${script}
    COMMENT "Building guest ${name}.elf"
    VERBATIM)
  add_custom_target(guest_${name} DEPENDS ${out})
  add_dependencies(guests guest_${name})
endfunction()

# rr_add_guest_binary(NAME ARCH aarch64|i386) produces ${CMAKE_BINARY_DIR}/guests/NAME.bin, the
# flat image of NAME.elf (objcopy -O binary), for guests a loader takes without ELF headers:
# raw kernels, arm64 Images, a.out-kludge Multiboot kernels.
find_program(RR_AARCH64_OBJCOPY aarch64-linux-gnu-objcopy)
find_program(RR_HOST_OBJCOPY objcopy)
function(rr_add_guest_binary name)
  cmake_parse_arguments(G "" "ARCH" "" ${ARGN})
  set(elf ${CMAKE_BINARY_DIR}/guests/${name}.elf)
  set(out ${CMAKE_BINARY_DIR}/guests/${name}.bin)
  if(G_ARCH STREQUAL "aarch64")
    set(objcopy ${RR_AARCH64_OBJCOPY})
  else()
    set(objcopy ${RR_HOST_OBJCOPY})
  endif()
  add_custom_command(OUTPUT ${out}
    COMMAND ${objcopy} -O binary ${elf} ${out}
    DEPENDS ${elf}
    COMMENT "Flattening guest ${name}.bin"
    VERBATIM)
  add_custom_target(guest_${name}_bin DEPENDS ${out})
  add_dependencies(guests guest_${name}_bin)
endfunction()
