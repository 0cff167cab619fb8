/** kernels-c/cflags.txt as an argument list (scripts/cflags.js). */
export declare function kernelCflags(): string[];
