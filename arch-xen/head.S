/* SPDX-License-Identifier: MIT */
/*
 * Entry of the xenpv PV kernel: the Xen ELF notes the domain builder reads,
 * the start of day, the hypercall page, and the stubs Xen bounces traps and
 * event upcalls to.
 *
 * Xen enters _start in 64-bit mode, ring 3, with events masked, %rsi = the
 * start_info page and a bootstrap stack.  A trap or upcall arrives on the
 * kernel stack as [rcx, r11, (error code), rip, cs, rflags, rsp, ss]: Xen
 * used rcx and r11 for its own return, so they are restored first.
 */
#include <xen/elfnote.h>

#define HYPERVISOR_IRET 23	/* checked against xen.h in traps.c */

#define ELFNOTE(type, desc...)			\
	.pushsection .note.Xen, "a";		\
	.balign 4;				\
	.long 2f - 1f;				\
	.long 4f - 3f;				\
	.long type;				\
1:	.asciz "Xen";				\
2:	.balign 4;				\
3:	desc;					\
4:	.balign 4;				\
	.popsection

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz "xenpv")
ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
ELFNOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad 0)
ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad 0)
ELFNOTE(XEN_ELFNOTE_ENTRY, .quad _start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)

	.text
	.globl _start
_start:
	cld
	leaq boot_stack_top(%rip), %rsp
	movq %rsi, %rdi
	call arch_start
1:	jmp 1b

/* A secondary vCPU: Xen loads rsp, rdi (its struct cpu) and GS from the
 * context VCPUOP_initialise was given. */
	.globl secondary_start
secondary_start:
	cld
	call secondary_main
1:	jmp 1b

/* Xen writes the hypercall stubs here; page-aligned, 32 bytes each. */
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.skip 4096

	.macro SAVE_REGS
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rax
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro RESTORE_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rax
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	.endm

/* Undo Xen's rcx/r11 slots so the frame looks like a native one. */
	.macro XEN_FRAME
	movq (%rsp), %rcx
	movq 8(%rsp), %r11
	addq $16, %rsp
	.endm

	.macro TRAP_NOERR name, vec
	.globl \name
\name:
	XEN_FRAME
	pushq $0
	pushq $\vec
	jmp trap_common
	.endm

	.macro TRAP_ERR name, vec
	.globl \name
\name:
	XEN_FRAME
	pushq $\vec
	jmp trap_common
	.endm

TRAP_NOERR trap_divide_error, 0
TRAP_NOERR trap_debug, 1
TRAP_NOERR trap_int3, 3
TRAP_NOERR trap_overflow, 4
TRAP_NOERR trap_bounds, 5
TRAP_NOERR trap_invalid_op, 6
TRAP_NOERR trap_device_not_available, 7
TRAP_ERR trap_double_fault, 8
TRAP_NOERR trap_coproc_seg, 9
TRAP_ERR trap_invalid_tss, 10
TRAP_ERR trap_segment_not_present, 11
TRAP_ERR trap_stack_segment, 12
TRAP_ERR trap_general_protection, 13
TRAP_ERR trap_page_fault, 14
TRAP_NOERR trap_spurious, 15
TRAP_NOERR trap_coprocessor_error, 16
TRAP_ERR trap_alignment_check, 17
TRAP_NOERR trap_machine_check, 18
TRAP_NOERR trap_simd_error, 19

trap_common:
	SAVE_REGS
	movq %rsp, %rdi
	call do_trap
	jmp return_from_frame

/* The event upcall: vector -1 marks it in the frame. */
	.globl hypervisor_callback
hypervisor_callback:
	XEN_FRAME
	pushq $0
	pushq $-1
	SAVE_REGS
	movq %rsp, %rdi
	call do_upcall
	jmp return_from_frame

/* Xen could not load our segment state on a return: nothing to repair. */
	.globl failsafe_callback
failsafe_callback:
	XEN_FRAME
	movq %rsp, %rdi
	call do_failsafe
1:	jmp 1b

/*
 * Back to the interrupted context through HYPERVISOR_iret, not iretq: the
 * hypercall restores evtchn_upcall_mask from the frame's EFLAGS.IF in the
 * same step, and Xen delivers anything that became pending on the way out,
 * so no event can slip in between unmasking and returning.  The iret stub
 * in the hypercall page pushes rcx, r11 and rax itself; we add the flags
 * word on top of the native frame and jump (it does not return).
 */
return_from_frame:
	RESTORE_REGS
	addq $16, %rsp			/* vector, error code */
	pushq $0			/* iret flags: not from a syscall */
	jmp hypercall_page + HYPERVISOR_IRET * 32

	.section .bss
	.balign 16
boot_stack:
	.skip 65536
	.globl boot_stack_top
boot_stack_top:
	.section .note.GNU-stack,"",@progbits
