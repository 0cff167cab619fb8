# Sourced by the kernels-c build scripts: KERNEL_CFLAGS holds kernels-c/cflags.txt's flags (comments and
# blank lines dropped), for "${KERNEL_CFLAGS[@]}".
KERNEL_CFLAGS=()
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  line="${line//[[:space:]]/}"
  [ -n "$line" ] && KERNEL_CFLAGS+=("$line")
done <"$(dirname "${BASH_SOURCE[0]}")/cflags.txt"
