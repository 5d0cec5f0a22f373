/* The arm64 Image header (Documentation/arch/arm64/booting.rst): a branch to the code, the
 * load offset from a 2 MiB aligned base (0: QEMU then puts it 2 MiB up), the image size, the
 * flags (little-endian, 4 KiB pages, anywhere in memory) and the "ARM\x64" magic at 0x38. */
    .section .text.image_header, "ax"
    .global _image_header
_image_header:
    b       _start                 /* code0 */
    .long   0                      /* code1 */
    .quad   0                      /* text_offset */
    .quad   __image_size           /* image_size */
    .quad   0xA                    /* flags */
    .quad   0, 0, 0                /* res2-res4 */
    .ascii  "ARM\x64"              /* magic */
    .long   0                      /* res5 (no PE header) */
