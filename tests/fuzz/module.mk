# libFuzzer targets for the emulated-I/O path: what an HVM guest controls.
FUZZERS += ide_prd ioreq_slot ne2k_regs
ide_prd_SRCS := tests/fuzz/ide_prd.c
ide_prd_LIBS := xenpvdm
ioreq_slot_SRCS := tests/fuzz/ioreq_slot.c loopback/ioreq_check.c
ne2k_regs_SRCS := tests/fuzz/ne2k_regs.c
ne2k_regs_LIBS := xenpvdm
