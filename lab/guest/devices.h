// SPDX-License-Identifier: GPL-2.0-or-later
/* Register maps of the emulated devices the lab drivers use. */
#ifndef DEVICES_H
#define DEVICES_H

/* QEMU's edu device (docs/specs/edu.rst), BAR0 */
#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_ID			0x00
#define EDU_LIVENESS		0x04	/* reads back the inverse of what was written */
#define EDU_FACTORIAL		0x08
#define EDU_STATUS		0x20
#define  EDU_STATUS_COMPUTING	0x01
#define  EDU_STATUS_IRQ_FACT	0x80
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define  EDU_IRQ_FACT		0x001
#define  EDU_IRQ_DMA		0x100
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define  EDU_DMA_START		0x1
#define  EDU_DMA_TO_RAM		0x2
#define  EDU_DMA_IRQ		0x4
#define EDU_DMA_BUFFER		0x40000

/* Intel 82574L (e1000e), BAR0 */
#define E1000E_VENDOR		0x8086
#define E1000E_DEVICE		0x10d3
#define E1000_CTRL		0x0000
#define E1000_STATUS		0x0008
#define  E1000_STATUS_LU	0x2
#define E1000_ICR		0x00c0
#define E1000_ICS		0x00c8
#define  E1000_ICR_RXDMT0	0x10	/* the watchdog's "clean the rx ring" kick */
#define E1000_IMS		0x00d0
#define E1000_IMC		0x00d8
#define E1000_RCTL		0x0100
#define E1000_TCTL		0x0400

/* ATI Radeon RV100 (QEMU ati-vga,model=rv100), BAR2 */
#define RADEON_VENDOR		0x1002
#define RADEON_DEVICE		0x5159
#define RADEON_BIOS_0_SCRATCH	0x0010
#define RADEON_GEN_INT_CNTL	0x0040
#define RADEON_GEN_INT_STATUS	0x0044
#define  RADEON_CRTC_VBLANK_INT	0x01
#define RADEON_RBBM_SOFT_RESET	0x00f0
#define  RADEON_SOFT_RESET_CP	0x01
#define  RADEON_SOFT_RESET_HI	0x02
#define  RADEON_SOFT_RESET_SE	0x04
#define  RADEON_SOFT_RESET_RE	0x08
#define  RADEON_SOFT_RESET_PP	0x10
#define  RADEON_SOFT_RESET_E2	0x20
#define  RADEON_SOFT_RESET_RB	0x40
#define RADEON_CP_RB_BASE	0x0700
#define RADEON_CP_RB_CNTL	0x0704
#define RADEON_CP_RB_RPTR	0x0710
#define RADEON_CP_RB_WPTR	0x0714
#define RADEON_CP_CSQ_CNTL	0x0740
#define RADEON_RBBM_STATUS	0x0e40
#define  RADEON_RBBM_ACTIVE	0x80000000u
#define RADEON_SCRATCH_REG0	0x15e0

/*
 * Hyper-V's guest crash MSRs (TLFS 6.0, "Guest Crash Enlightenment"):
 * Windows writes its bugcheck code and parameters to P0-P4, then
 * CRASH_NOTIFY to CRASH_CTL, where CPUID advertises them.
 */
#define HV_CPUID_VENDOR		0x40000000	/* ebx ecx edx: "Microsoft Hv" */
#define HV_CPUID_FEATURES	0x40000003
#define  HV_CRASH_MSRS_AVAILABLE (1u << 10)	/* in edx */
#define HV_MSR_CRASH_P0		0x40000100
#define HV_MSR_CRASH_CTL	0x40000105
#define  HV_CRASH_CTL_NOTIFY	(1ull << 63)
#endif
