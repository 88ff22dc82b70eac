// A program whose instruction count is known exactly, for the instruction counting tests
// (tests/guest/icount-case.sh): no libc, just _start. With argc = n it runs 4 + 2 * n *
// 1,000,000 + 3 guest instructions: four to load argc and compute the iteration count, two
// per iteration of the loop, three for exit_group(0). Both ISAs are written out because
// every tests/guest program is built for riscv64 and aarch64; the tests run the riscv64 one.
// guest-cflags: -nostdlib -nostartfiles
#if defined(__riscv)
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    ld    t1, 0(sp)\n"   // argc
        "    lui   t0, 244\n"     // 244 << 12 = 999424
        "    addiw t0, t0, 576\n" // 1000000
        "    mul   t0, t0, t1\n"
        "1:  addi  t0, t0, -1\n"
        "    bnez  t0, 1b\n"
        "    li    a0, 0\n"
        "    li    a7, 94\n" // exit_group
        "    ecall\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    ldr   x1, [sp]\n"
        "    mov   x0, #0x4240\n"
        "    movk  x0, #0xf, lsl #16\n"
        "    mul   x0, x0, x1\n"
        "1:  subs  x0, x0, #1\n"
        "    b.ne  1b\n"
        "    mov   x0, #0\n"
        "    mov   x8, #94\n"
        "    svc   #0\n");
#else
#error "icount-loop.c: riscv64 and aarch64 only"
#endif
