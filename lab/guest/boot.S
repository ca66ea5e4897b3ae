/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Entry of the lab guest: the multiboot header, our own GDT, a stack, and
 * the interrupt entry stubs.
 *
 * Paging stays off, so the first page is guarded by segmentation instead:
 * the data segment is expand-down with limit 0xfff, and any access below
 * 0x1000 (a NULL pointer dereference) raises #GP like an unmapped page.
 *
 * The stubs do not return with iret: on KVM hosts without VMX/SVM (PVM)
 * iret in 32-bit protected mode fails emulation and QEMU stops the VM.
 * They rebuild the frame as EFLAGS, EIP and leave with popf; ret.  When
 * the interrupted code ran with IF set, IF is restored by sti just before
 * ret instead of by popf: sti's one-instruction shadow keeps the next
 * interrupt out until ret has unwound the frame, so an interrupt storm
 * cannot grow the stack.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000002

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text
	.globl _start
_start:
	cli
	movl $stack_top, %esp
	pushl %ebx			/* multiboot info */
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	call kit_start
2:	cli
	hlt
	jmp 2b

.macro ISR vec
	.globl isr_\vec
isr_\vec:
	pushl $\vec
	jmp isr_common
.endm

	ISR 0x20
	ISR 0x21
	ISR 0x22
	ISR 0x23
	ISR 0x30
	ISR 0xff

isr_common:
	pusha
	cld
	pushl 32(%esp)			/* the vector pushed by the stub */
	call kit_irq_dispatch
	addl $4, %esp
	popa
	addl $4, %esp			/* the vector */
	/* [esp] EIP, CS, EFLAGS  ->  [esp] EFLAGS, EIP */
	pushl %eax
	movl 12(%esp), %eax
	movl %eax, 8(%esp)
	movl 4(%esp), %eax
	movl %eax, 12(%esp)
	popl %eax
	addl $4, %esp
	testl $0x200, (%esp)
	jz 3f
	andl $~0x200, (%esp)
	popfl
	sti
	ret
3:	popfl
	ret

/*
 * #GP, installed only while a driver probes MSRs the host may refuse
 * (kit_gp_catch): a wrmsr that faulted is counted and skipped, as a
 * kernel's exception fixup table does (Linux's wrmsr_safe).  Any other #GP
 * is fatal: kit_gp_fatal panics with the faulting EIP.
 */
	.globl isr_gp
isr_gp:
	addl $4, %esp			/* the error code */
	pushl %eax
	movl 4(%esp), %eax		/* the faulting EIP */
	cmpw $0x300f, (%eax)		/* wrmsr: 0f 30 */
	jne 4f
	addl $2, %eax
	movl %eax, 4(%esp)
	incl kit_gp_wrmsr
	movl 12(%esp), %eax		/* [esp] EAX, EIP, CS, EFLAGS -> EFLAGS, EIP */
	movl %eax, 8(%esp)
	movl 4(%esp), %eax
	movl %eax, 12(%esp)
	popl %eax
	addl $4, %esp
	popfl				/* IF as it was: the gate cleared it */
	ret
4:	pushl %eax
	call kit_gp_fatal

	.section .data
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, flat 4 GiB */
	.quad 0x00c0960000000000	/* 0x10: data, expand-down: 0x1000-4 GiB */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .note.GNU-stack, "", @progbits

	.section .bss
	.align 16
	.space 65536
stack_top:
