# Sets TINYSENSE_KERNEL_CFLAGS to kernels-c/cflags.txt's flags for the firmware builds
# (firmware/esp-idf, firmware/zephyr), without -Werror: a vendor toolchain newer than ours may warn
# where ours does not, and must not fail a user's firmware build (cflags.txt says so too).
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/cflags.txt" _tinysense_cflags_lines)
set(TINYSENSE_KERNEL_CFLAGS "")
foreach(_line IN LISTS _tinysense_cflags_lines)
  string(REGEX REPLACE "#.*$" "" _line "${_line}")
  string(STRIP "${_line}" _line)
  if(_line AND NOT _line STREQUAL "-Werror")
    list(APPEND TINYSENSE_KERNEL_CFLAGS "${_line}")
  endif()
endforeach()
