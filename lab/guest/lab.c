// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lab's guest drivers and their scenarios.  Each scenario first drives
 * its device correctly for a while (the baseline a trace compares against),
 * then makes one classic pass-through driver mistake and dies of it.
 */
#include "kit.h"
#include "devices.h"

#define VEC_DEVICE	0x20	/* edu */
#define VEC_NIC		0x21
#define VEC_GPU		0x22
#define WARMUP_ROUNDS	150

static volatile uint32_t device_irqs, nic_irqs, gpu_irqs;

/* ---- edu -------------------------------------------------------------- */

static struct {
	uint32_t bdf;
	uintptr_t bar;
	unsigned gsi;
	int ack_dma;		/* the storm bug: the ISR forgets the DMA bit */
} edu;

static uint32_t edu_rd(uint32_t reg) { return mmio_read32(edu.bar + reg); }
static void edu_wr(uint32_t reg, uint32_t v) { mmio_write32(edu.bar + reg, v); }

static void edu_isr(uint8_t vector)
{
	uint32_t status = edu_rd(EDU_IRQ_STATUS);
	uint32_t ack = status & EDU_IRQ_FACT;

	(void)vector;
	if (edu.ack_dma)
		ack |= status & EDU_IRQ_DMA;
	if (ack)
		edu_wr(EDU_IRQ_ACK, ack);
	device_irqs++;
}

static void edu_probe(void)
{
	uint32_t v;

	if (!pci_find(EDU_VENDOR, EDU_DEVICE, &edu.bdf))
		kit_panic("edu: device 1234:11e8 not found");
	pci_enable(edu.bdf);
	edu.bar = pci_bar_mem(edu.bdf, 0);
	edu.ack_dma = 1;
	pci_print(edu.bdf, "edu", 0);
	edu_wr(EDU_LIVENESS, 0x12345678);
	v = edu_rd(EDU_LIVENESS);
	if (v != ~0x12345678u)
		kit_panic("edu: liveness check read %08x", v);
	kit_irq_set(VEC_DEVICE, edu_isr);
}

static void edu_use_msi(void)
{
	pci_msi_program(edu.bdf, MSI_ADDRESS_BSP, VEC_DEVICE);
}

static void edu_use_intx(void)
{
	pci_msi_disable(edu.bdf);
	edu.gsi = q35_intx_gsi(edu.bdf, pci_read8(edu.bdf, 0x3d));
	ioapic_route(edu.gsi, VEC_DEVICE, 1);
	kit_printf("edu: INTx on GSI %u\n", edu.gsi);
}

/*
 * Waits up to TIMEOUT_US for the device interrupt count to pass SEEN.
 * It spins rather than halts: the kit runs no timer tick that would end
 * a hlt when the interrupt never comes.
 */
static int wait_device_irq(uint32_t seen, uint32_t timeout_us)
{
	uint64_t end = kit_deadline_us(timeout_us);

	while (device_irqs == seen) {
		if (kit_expired(end))
			return 0;
		cpu_relax();
	}
	return 1;
}

/* One factorial job with its completion interrupt; 0 when none came. */
static int edu_factorial(uint32_t n, uint32_t timeout_us)
{
	uint32_t seen = device_irqs;

	edu_wr(EDU_STATUS, EDU_STATUS_IRQ_FACT);
	edu_wr(EDU_FACTORIAL, n);
	return wait_device_irq(seen, timeout_us);
}

static uint8_t dma_buffer[256] __attribute__((aligned(64)));

static void edu_dma_to_device(uint32_t len, int irq)
{
	edu_wr(EDU_DMA_SRC, (uint32_t)(uintptr_t)dma_buffer);
	edu_wr(EDU_DMA_DST, EDU_DMA_BUFFER);
	edu_wr(EDU_DMA_COUNT, len);
	edu_wr(EDU_DMA_CMD, EDU_DMA_START | (irq ? EDU_DMA_IRQ : 0));
}

static void edu_warmup(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		edu_wr(EDU_LIVENESS, (uint32_t)i);
		if (edu_rd(EDU_LIVENESS) != ~(uint32_t)i)
			kit_panic("edu: liveness check failed");
		if (!edu_factorial(5, 500000))
			kit_panic("edu: no completion interrupt (round %d)", i);
		if (edu_rd(EDU_FACTORIAL) != 120)
			kit_panic("edu: wrong factorial");
		kit_delay_us(2000);
	}
}

/* ---- e1000e ----------------------------------------------------------- */

static struct {
	uint32_t bdf;
	uintptr_t bar;
	uint8_t pm;
} nic;

static uint32_t nic_rd(uint32_t reg) { return mmio_read32(nic.bar + reg); }
static void nic_wr(uint32_t reg, uint32_t v) { mmio_write32(nic.bar + reg, v); }

static void nic_probe(void)
{
	if (!pci_find(E1000E_VENDOR, E1000E_DEVICE, &nic.bdf))
		kit_panic("e1000e: device 8086:10d3 not found");
	pci_enable(nic.bdf);
	nic.bar = pci_bar_mem(nic.bdf, 0);
	nic.pm = pci_find_cap(nic.bdf, PCI_CAP_PM);
	if (!nic.pm)
		kit_panic("e1000e: no power management capability");
	pci_print(nic.bdf, "e1000e", 0);
}

static void nic_isr(uint8_t vector)
{
	(void)vector;
	nic_rd(E1000_ICR);	/* read-to-clear */
	nic_irqs++;
}

static void nic_use_msi(void)
{
	kit_irq_set(VEC_NIC, nic_isr);
	pci_msi_program(nic.bdf, MSI_ADDRESS_BSP, VEC_NIC);
	nic_wr(E1000_IMS, 0x9d);
}

static void nic_set_power(unsigned state)
{
	uint16_t pmcsr = pci_read16(nic.bdf, nic.pm + PCI_PM_CTRL);

	pci_write16(nic.bdf, nic.pm + PCI_PM_CTRL, (pmcsr & ~3) | state);
	kit_delay_us(10000);	/* D3hot -> D0 needs 10 ms (PCI PM 1.2) */
}

/*
 * The periodic watchdog of a NIC driver: link state, then a software
 * interrupt so that the rx ring gets cleaned, as e1000e's watchdog does.
 */
static void nic_watchdog(void)
{
	nic_rd(E1000_STATUS);
	nic_wr(E1000_ICS, E1000_ICR_RXDMT0);
}

static void nic_warmup(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		nic_watchdog();
		kit_delay_us(2000);
	}
}

/* ---- radeon ----------------------------------------------------------- */

static struct {
	uint32_t bdf;
	uintptr_t mmio;
	uint32_t wptr;
} gpu;

static uint32_t gpu_rd(uint32_t reg) { return mmio_read32(gpu.mmio + reg); }
static void gpu_wr(uint32_t reg, uint32_t v) { mmio_write32(gpu.mmio + reg, v); }

static void gpu_probe(void)
{
	if (!pci_find(RADEON_VENDOR, RADEON_DEVICE, &gpu.bdf))
		kit_panic("radeon: device 1002:5159 not found");
	pci_enable(gpu.bdf);
	gpu.mmio = pci_bar_mem(gpu.bdf, 2);
	pci_print(gpu.bdf, "radeon", 2);
}

static void gpu_isr(uint8_t vector)
{
	uint32_t status = gpu_rd(RADEON_GEN_INT_STATUS);

	(void)vector;
	gpu_wr(RADEON_GEN_INT_STATUS, status & RADEON_CRTC_VBLANK_INT);
	gpu_irqs++;
}

/* The display keeps its vblank interrupt on, whatever the 3D engine does. */
static void gpu_use_vblank(void)
{
	unsigned gsi = q35_intx_gsi(gpu.bdf, pci_read8(gpu.bdf, 0x3d));

	kit_irq_set(VEC_GPU, gpu_isr);
	ioapic_route(gsi, VEC_GPU, 1);
	gpu_wr(RADEON_GEN_INT_CNTL, RADEON_CRTC_VBLANK_INT);
}

static int gpu_wait_idle(uint32_t timeout_us)
{
	uint64_t end = kit_deadline_us(timeout_us);

	while (gpu_rd(RADEON_RBBM_STATUS) & RADEON_RBBM_ACTIVE)
		if (kit_expired(end))
			return 0;
	return 1;
}

static void gpu_warmup(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		gpu_wr(RADEON_BIOS_0_SCRATCH, 0xcafe0000u | (uint32_t)i);
		if (gpu_rd(RADEON_BIOS_0_SCRATCH) != (0xcafe0000u | (uint32_t)i))
			kit_panic("radeon: BIOS scratch register does not hold its value");
		if (!gpu_wait_idle(100000))
			kit_panic("radeon: engine busy");
		kit_delay_us(2000);
	}
}

static void gpu_ring_init(void)
{
	gpu_wr(RADEON_CP_CSQ_CNTL, 0x10000000);	/* primary queue from the ring */
	gpu_wr(RADEON_CP_RB_BASE, 0);
	gpu_wr(RADEON_CP_RB_CNTL, 12);		/* log2 of the ring size in qwords */
	gpu.wptr = 0;
	gpu_wr(RADEON_CP_RB_WPTR, 0);
}

/* Submits a scratch-register write to the CP ring and polls for it. */
static int gpu_ring_test(uint32_t timeout_us)
{
	uint64_t end = kit_deadline_us(timeout_us);

	gpu_wr(RADEON_SCRATCH_REG0, 0xcafedead);
	gpu.wptr += 4;
	gpu_wr(RADEON_CP_RB_WPTR, gpu.wptr);
	while (gpu_rd(RADEON_CP_RB_RPTR) != gpu.wptr) {
		if (kit_expired(end))
			return 0;
		kit_delay_us(200);
	}
	return 1;
}

static void gpu_soft_reset(void)
{
	uint32_t bits = RADEON_SOFT_RESET_CP | RADEON_SOFT_RESET_HI |
			RADEON_SOFT_RESET_SE | RADEON_SOFT_RESET_RE |
			RADEON_SOFT_RESET_PP | RADEON_SOFT_RESET_E2 |
			RADEON_SOFT_RESET_RB;

	gpu_wr(RADEON_RBBM_SOFT_RESET, bits);
	gpu_rd(RADEON_RBBM_SOFT_RESET);
	kit_delay_us(15000);
	gpu_wr(RADEON_RBBM_SOFT_RESET, 0);
	gpu_rd(RADEON_RBBM_SOFT_RESET);
	if (!gpu_wait_idle(500000))
		kit_panic("radeon: engine still busy after reset");
}

/* ---- scenarios -------------------------------------------------------- */

static void scenario_d3_access(void)
{
	nic_probe();
	nic_use_msi();
	nic_warmup(WARMUP_ROUNDS);
	kit_printf("e1000e: link status %08x, %u interrupts\n", nic_rd(E1000_STATUS), nic_irqs);
	kit_printf("e1000e: runtime suspend: D0 -> D3hot\n");
	nic_set_power(PCI_PM_D3HOT);
	/* the bug: the watchdog timer was not stopped before suspending */
	for (int i = 0; i < 200; i++) {
		nic_watchdog();
		kit_delay_us(5000);
	}
	kit_panic("DRIVER_POWER_STATE_FAILURE (0x9f): e1000e 00:%02x.0 touched in D3hot, "
		  "power transition timed out", (nic.bdf >> 3) & 0x1f);
}

static void scenario_hang_reset(void)
{
	gpu_probe();
	gpu_use_vblank();
	gpu_warmup(WARMUP_ROUNDS);
	kit_printf("radeon: engine idle, %u vblank interrupts, ring test\n", gpu_irqs);
	gpu_ring_init();
	if (gpu_ring_test(1000000))
		kit_panic("radeon: ring test passed, the lab expects QEMU's CP to be absent");
	kit_printf("radeon: ring 0 stalled for more than 1000 ms (rptr %u, wptr %u)\n",
		   gpu_rd(RADEON_CP_RB_RPTR), gpu.wptr);
	kit_printf("radeon: GPU softreset\n");
	gpu_soft_reset();
	gpu_ring_init();
	if (!gpu_ring_test(1000000))
		kit_panic("VIDEO_TDR_FAILURE (0x116): radeon 00:%02x.0 ring 0 stalled, "
			  "GPU reset failed", (gpu.bdf >> 3) & 0x1f);
}

/*
 * Windows' TDR: the GPU scheduler gives a submission TdrDelay (2 s by
 * default) to finish before it declares the engine hung.
 */
#define TDR_DELAY_US		2000000
#define VIDEO_TDR_FAILURE	0x116
#define STATUS_INSUFFICIENT_RESOURCES 0xffffffffc000009aull	/* as TDR dumps show it */

/* Does CPUID say the hypervisor is Hyper-V with the guest crash MSRs? */
static int hv_crash_advertised(void)
{
	uint32_t r[4];

	cpuid(HV_CPUID_VENDOR, r);
	/* "Micr" "osof" "t Hv" */
	if (r[1] != 0x7263694d || r[2] != 0x666f736f || r[3] != 0x76482074 ||
	    r[0] < HV_CPUID_FEATURES)
		return 0;
	cpuid(HV_CPUID_FEATURES, r);
	return !!(r[3] & HV_CRASH_MSRS_AVAILABLE);
}

/*
 * KeBugCheckEx under Hyper-V enlightenments: the code and its four
 * parameters into the crash parameter MSRs, then CRASH_NOTIFY into the
 * crash control MSR.  Where the host has them (QEMU's hv-crash) that
 * write ends the VM: QEMU sends GUEST_PANICKED with the five values.
 * Windows writes them only where CPUID advertises them; the lab writes
 * them in any case, so that a host without them records the same writes,
 * refused with #GP (caught, skipped and counted).  The VM then ends the
 * way a Windows guest with QEMU's pvpanic driver does: its bugcheck
 * callback writes the pvpanic port.
 */
static void KIT_NORETURN hv_bugcheck(uint32_t code, const uint64_t param[4], const char *why)
{
	int advertised = hv_crash_advertised();

	irq_disable();
	kit_printf("bugcheck: 0x%08x (0x%08x%08x, 0x%08x%08x, 0x%08x%08x, 0x%08x%08x)\n", code,
		   (uint32_t)(param[0] >> 32), (uint32_t)param[0], (uint32_t)(param[1] >> 32),
		   (uint32_t)param[1], (uint32_t)(param[2] >> 32), (uint32_t)param[2],
		   (uint32_t)(param[3] >> 32), (uint32_t)param[3]);
	kit_printf("hv: crash MSRs %s by CPUID\n", advertised ? "advertised" : "not advertised");
	kit_gp_catch(1);
	kit_gp_wrmsr = 0;
	wrmsr(HV_MSR_CRASH_P0, code);
	for (int i = 0; i < 4; i++)
		wrmsr(HV_MSR_CRASH_P0 + 1 + i, param[i]);
	wrmsr(HV_MSR_CRASH_CTL, HV_CRASH_CTL_NOTIFY);
	kit_gp_catch(0);
	kit_printf("hv: %u of 6 crash MSR writes refused (#GP)%s\n", kit_gp_wrmsr,
		   kit_gp_wrmsr ? ": the host has no Hyper-V crash MSRs" : "");
	kit_panic("%s", why);
}

static void scenario_bugcheck(void)
{
	uint64_t param[4];
	uint32_t rptr;

	gpu_probe();
	gpu_use_vblank();
	gpu_warmup(WARMUP_ROUNDS);
	kit_printf("radeon: engine idle, %u vblank interrupts, ring test\n", gpu_irqs);
	gpu_ring_init();
	if (gpu_ring_test(TDR_DELAY_US))
		kit_panic("radeon: ring test passed, the lab expects QEMU's CP to be absent");
	rptr = gpu_rd(RADEON_CP_RB_RPTR);
	kit_printf("radeon: ring 0 stalled for more than %u ms (rptr %u, wptr %u): TDR, no "
		   "recovery\n", TDR_DELAY_US / 1000, rptr, gpu.wptr);
	param[0] = (uint32_t)(uintptr_t)&gpu;		/* the adapter's device object */
	param[1] = (uint32_t)(uintptr_t)gpu_ring_test;	/* the function that timed out */
	param[2] = STATUS_INSUFFICIENT_RESOURCES;	/* the failed operation's status */
	param[3] = (uint64_t)gpu.wptr << 32 | rptr;	/* the stalled ring: wptr, rptr */
	hv_bugcheck(VIDEO_TDR_FAILURE, param, "VIDEO_TDR_FAILURE (0x116): radeon ring 0 stalled");
}

#define STORM_WINDOW_US		100000
#define STORM_WINDOW_IRQS	200	/* the driver's own rate stays far below */
#define STORM_WINDOWS		15

static uint64_t storm_window_end;
static uint32_t storm_window_irqs, storm_windows;

/* The guest's interrupt watchdog, in the spirit of Linux's "nobody cared". */
static void storm_watch_isr(uint8_t vector)
{
	edu_isr(vector);
	storm_window_irqs++;
	if (!kit_expired(storm_window_end))
		return;
	storm_windows = storm_window_irqs > STORM_WINDOW_IRQS ? storm_windows + 1 : 0;
	storm_window_irqs = 0;
	storm_window_end = kit_deadline_us(STORM_WINDOW_US);
	if (storm_windows >= STORM_WINDOWS)
		kit_panic("irq %u: nobody cared: %u interrupts in %u ms, never acknowledged",
			  edu.gsi, device_irqs, STORM_WINDOWS * STORM_WINDOW_US / 1000);
}

static void scenario_irq_storm(void)
{
	edu_probe();
	edu_use_intx();
	kit_irq_set(VEC_DEVICE, storm_watch_isr);
	storm_window_end = kit_deadline_us(STORM_WINDOW_US);
	edu_warmup(WARMUP_ROUNDS);
	kit_printf("edu: %u interrupts handled\n", device_irqs);
	/* the bug: the ISR acknowledges factorial completions only */
	edu.ack_dma = 0;
	kit_printf("edu: DMA with completion interrupt\n");
	edu_dma_to_device(sizeof(dma_buffer), 1);
	for (;;)
		kit_wait_irq();
}

static void scenario_lost_msi(void)
{
	edu_probe();
	edu_use_msi();
	edu_warmup(WARMUP_ROUNDS);
	kit_printf("edu: %u interrupts handled\n", device_irqs);
	/* the bug: the new affinity's address is built with the wrong shift */
	kit_printf("edu: MSI affinity change\n");
	pci_msi_program(edu.bdf, MSI_ADDRESS_BSP >> 16, VEC_DEVICE);
	for (int attempt = 1; attempt <= 3; attempt++) {
		if (edu_factorial(6, 1000000))
			return;
		kit_printf("edu: interrupt timeout, attempt %d\n", attempt);
	}
	kit_panic("edu 00:%02x.0: completion interrupt never arrived after 3 tries, "
		  "device given up", (edu.bdf >> 3) & 0x1f);
}

/* Waits for one factorial's completion three times, then gives the device up. */
static void edu_wait_or_panic(const char *what)
{
	for (int attempt = 1; attempt <= 3; attempt++) {
		if (edu_factorial(7, 1000000))
			kit_panic("%s: an interrupt arrived after all", what);
		kit_printf("edu: interrupt timeout, attempt %d\n", attempt);
	}
	kit_panic("edu 00:%02x.0: completion interrupt never arrived after 3 tries, "
		  "device given up (%s)", (edu.bdf >> 3) & 0x1f, what);
}

static void scenario_busmaster_off(void)
{
	edu_probe();
	edu_use_msi();
	edu_warmup(WARMUP_ROUNDS);
	/* the bug: a recovery path rewrites the command register without bus mastering */
	kit_printf("edu: recovery rewrites the command register\n");
	pci_write16(edu.bdf, PCI_COMMAND, PCI_COMMAND_MEMORY);
	edu_wait_or_panic("busmaster-off");
}

static void scenario_intx_disabled(void)
{
	edu_probe();
	edu_use_intx();
	edu_warmup(WARMUP_ROUNDS);
	/* the bug: INTx disabled as if MSI were taking over, and MSI never enabled */
	kit_printf("edu: INTx disabled, MSI not enabled\n");
	pci_write16(edu.bdf, PCI_COMMAND, pci_read16(edu.bdf, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	edu_wait_or_panic("intx-disabled");
}

#define EDU_RELOCATED_BAR 0xe0000000u

static void scenario_stray_mmio(void)
{
	uintptr_t stale;
	uint32_t desc;

	edu_probe();
	edu_use_msi();
	edu_warmup(WARMUP_ROUNDS);
	/* the PCI core moves BAR0 (a resource rebalance); the driver misses it */
	stale = edu.bar;
	pci_write16(edu.bdf, PCI_COMMAND, pci_read16(edu.bdf, PCI_COMMAND) & ~PCI_COMMAND_MEMORY);
	pci_write32(edu.bdf, PCI_BAR0, EDU_RELOCATED_BAR);
	pci_enable(edu.bdf);
	kit_printf("pci: edu BAR0 moved %08x -> %08x\n", (uint32_t)stale, EDU_RELOCATED_BAR);
	desc = mmio_read32(stale + EDU_DMA_SRC);
	kit_printf("edu: descriptor pointer %08x\n", desc);
	/*
	 * Real hardware answers a read of an unbacked address with all-ones,
	 * QEMU with zero: either way the pointer faults (the guest guards page
	 * 0 and the top of the address space), and with no working fault path
	 * the guest triple-faults.
	 */
	desc = *(volatile uint32_t *)(uintptr_t)desc;
	kit_printf("edu: descriptor %08x\n", desc);
	kit_panic("stray-mmio: the stale read did not fault");
}

static void scenario_healthy(void)
{
	edu_probe();
	nic_probe();
	gpu_probe();
	edu_use_msi();
	nic_use_msi();
	gpu_use_vblank();
	for (uint32_t round = 1;; round++) {
		edu_warmup(20);
		nic_warmup(20);
		gpu_warmup(20);
		/* suspend and resume done right: nothing touches the BAR in D3hot */
		nic_set_power(PCI_PM_D3HOT);
		nic_set_power(PCI_PM_D0);
		nic_watchdog();
		gpu_soft_reset();
		edu_dma_to_device(64, 0);
		if (round % 10 == 0)
			kit_printf("healthy: round %u ok, interrupts: edu %u, e1000e %u, "
				   "radeon %u\n", round, device_irqs, nic_irqs, gpu_irqs);
	}
}

/* Not a failure: a steady MMIO load, counted, for the recorder's benchmark. */
static void scenario_mmio_loop(void)
{
	edu_probe();
	for (uint32_t second = 1;; second++) {
		uint64_t end = kit_deadline_us(1000000);
		uint32_t n = 0;

		while (!kit_expired(end)) {
			edu_wr(EDU_LIVENESS, n);
			if (edu_rd(EDU_LIVENESS) != ~n)
				kit_panic("edu: liveness check failed");
			n += 2;
		}
		kit_printf("mmio-loop: second %u: %u accesses\n", second, n);
	}
}

static const struct {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{ "d3-access", scenario_d3_access },
	{ "hang-reset", scenario_hang_reset },
	{ "bugcheck", scenario_bugcheck },
	{ "irq-storm", scenario_irq_storm },
	{ "lost-msi", scenario_lost_msi },
	{ "stray-mmio", scenario_stray_mmio },
	{ "busmaster-off", scenario_busmaster_off },
	{ "intx-disabled", scenario_intx_disabled },
	{ "healthy", scenario_healthy },
	{ "mmio-loop", scenario_mmio_loop },
};

void lab_main(void)
{
	const char *want = kit_arg("scenario");
	char name[32];
	size_t n = 0;

	irq_enable();
	while (want && want[n] && want[n] != ' ' && n < sizeof(name) - 1) {
		name[n] = want[n];
		n++;
	}
	name[n] = 0;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (kit_streq(name, scenarios[i].name)) {
			kit_printf("scenario %s\n", name);
			scenarios[i].run();
			kit_printf("scenario %s ended\n", name);
			for (;;)
				kit_wait_irq();
		}
	}
	kit_panic("unknown scenario '%s'", name);
}
