/*
 * hidden.h: force-included (-include) into every kernel source by build.sh.
 *
 * Makes every symbol, declarations of other files' symbols included, hidden:
 * the compiler then knows each one is inside the blob and reaches it
 * PC-relative. Without it, -fpic/-fpie code reads extern data of another file
 * through the GOT, which needs a loader (pic-check.mjs rejects it).
 */
#pragma GCC visibility push(hidden)
