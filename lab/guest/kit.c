// SPDX-License-Identifier: GPL-2.0-or-later
#include "kit.h"

/* ---- console ---------------------------------------------------------- */

#define COM1 0x3f8

static void serial_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	/* the UART is emulated and never busy: no need to poll LSR */
	outb(COM1, (uint8_t)c);
}

static void put_uint(uint32_t v, unsigned base, int width, char pad)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width--)
		serial_putc(pad);
	while (n)
		serial_putc(buf[--n]);
}

static void kit_vprintf(const char *fmt, __builtin_va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0;
		char pad = ' ';

		if (*fmt != '%') {
			serial_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 's': {
			const char *s = __builtin_va_arg(ap, const char *);
			while (*s)
				serial_putc(*s++);
			break;
		}
		case 'u':
			put_uint(__builtin_va_arg(ap, uint32_t), 10, width, pad);
			break;
		case 'd': {
			int32_t v = __builtin_va_arg(ap, int32_t);
			if (v < 0) {
				serial_putc('-');
				v = -v;
			}
			put_uint((uint32_t)v, 10, width, pad);
			break;
		}
		case 'x':
			put_uint(__builtin_va_arg(ap, uint32_t), 16, width, pad);
			break;
		case 'c':
			serial_putc((char)__builtin_va_arg(ap, int));
			break;
		default:
			serial_putc('%');
			serial_putc(*fmt);
		}
	}
}

void kit_printf(const char *fmt, ...)
{
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	kit_vprintf(fmt, ap);
	__builtin_va_end(ap);
}

#define PVPANIC_PORT 0x505
#define PVPANIC_PANICKED 1

void kit_panic(const char *fmt, ...)
{
	__builtin_va_list ap;

	irq_disable();
	kit_printf("\n*** STOP: ");
	__builtin_va_start(ap, fmt);
	kit_vprintf(fmt, ap);
	__builtin_va_end(ap);
	kit_printf("\n");
	outb(PVPANIC_PORT, PVPANIC_PANICKED);
	for (;;)
		__asm__ volatile("hlt");
}

/* ---- command line ----------------------------------------------------- */

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper, boot_device;
	uint32_t cmdline;
};
#define MB_INFO_CMDLINE (1u << 2)

static const char *cmdline = "";

int kit_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Returns a pointer into the command line; the value ends at a space or NUL. */
const char *kit_arg(const char *name)
{
	const char *p = cmdline;

	while (*p) {
		const char *n = name;

		while (*p == ' ')
			p++;
		while (*n && *p == *n)
			p++, n++;
		if (!*n && *p == '=')
			return p + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

/* ---- time ------------------------------------------------------------- */

static uint32_t tsc_per_us = 1000;

/* Count TSC ticks across 10 ms of PIT channel 2, the gate on port 0x61. */
void kit_time_init(void)
{
	const uint16_t latch = 11932;	/* 1193182 Hz / 100 */
	uint64_t t0, t1;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);		/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	t1 = rdtsc();
	tsc_per_us = (uint32_t)(t1 - t0) / 10000;
	if (!tsc_per_us)
		tsc_per_us = 1;
}

uint64_t kit_deadline_us(uint32_t us)
{
	return rdtsc() + (uint64_t)us * tsc_per_us;
}

int kit_expired(uint64_t deadline)
{
	return rdtsc() >= deadline;
}

void kit_delay_us(uint32_t us)
{
	uint64_t end = kit_deadline_us(us);

	while (!kit_expired(end))
		cpu_relax();
}

/* ---- PCI -------------------------------------------------------------- */

static void pci_select(uint32_t bdf, uint8_t off)
{
	outl(0xcf8, 0x80000000u | (bdf << 8) | (off & 0xfc));
}

uint32_t pci_read32(uint32_t bdf, uint8_t off)
{
	pci_select(bdf, off);
	return inl(0xcfc);
}

uint16_t pci_read16(uint32_t bdf, uint8_t off)
{
	pci_select(bdf, off);
	return inw(0xcfc + (off & 2));
}

uint8_t pci_read8(uint32_t bdf, uint8_t off)
{
	pci_select(bdf, off);
	return inb(0xcfc + (off & 3));
}

void pci_write32(uint32_t bdf, uint8_t off, uint32_t v)
{
	pci_select(bdf, off);
	outl(0xcfc, v);
}

void pci_write16(uint32_t bdf, uint8_t off, uint16_t v)
{
	pci_select(bdf, off);
	outw(0xcfc + (off & 2), v);
}

int pci_find(uint16_t vendor, uint16_t device, uint32_t *bdf)
{
	for (uint32_t dev = 0; dev < 32; dev++) {
		uint32_t id = pci_read32(PCI_BDF(0, dev, 0), 0);

		if (id == ((uint32_t)device << 16 | vendor)) {
			*bdf = PCI_BDF(0, dev, 0);
			return 1;
		}
	}
	return 0;
}

uint8_t pci_find_cap(uint32_t bdf, uint8_t id)
{
	uint8_t pos;
	int guard = 48;

	if (!(pci_read16(bdf, 0x06) & 0x10))	/* status: capability list */
		return 0;
	for (pos = pci_read8(bdf, 0x34) & 0xfc; pos && guard--;
	     pos = pci_read8(bdf, pos + 1) & 0xfc)
		if (pci_read8(bdf, pos) == id)
			return pos;
	return 0;
}

uintptr_t pci_bar_mem(uint32_t bdf, int bar)
{
	return pci_read32(bdf, PCI_BAR0 + 4 * bar) & ~0xfu;
}

void pci_enable(uint32_t bdf)
{
	uint16_t cmd = pci_read16(bdf, PCI_COMMAND);

	pci_write16(bdf, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

void pci_print(uint32_t bdf, const char *what, int bar)
{
	kit_printf("pci 00:%02x.%u: %s [%04x:%04x] bar%d %08x\n", (bdf >> 3) & 0x1f,
		   bdf & 7, what, pci_read16(bdf, 0), pci_read16(bdf, 2), bar,
		   (uint32_t)pci_bar_mem(bdf, bar));
}

void pci_msi_program(uint32_t bdf, uint32_t address, uint16_t data)
{
	uint8_t cap = pci_find_cap(bdf, PCI_CAP_MSI);
	uint16_t ctrl;

	if (!cap)
		kit_panic("00:%02x.%u has no MSI capability", (bdf >> 3) & 0x1f, bdf & 7);
	ctrl = pci_read16(bdf, cap + 2);
	pci_write32(bdf, cap + 4, address);
	if (ctrl & 0x80) {		/* 64-bit address */
		pci_write32(bdf, cap + 8, 0);
		pci_write16(bdf, cap + 12, data);
	} else {
		pci_write16(bdf, cap + 8, data);
	}
	pci_write16(bdf, cap + 2, (ctrl & ~0x70) | 1);	/* one vector, enabled */
}

void pci_msi_disable(uint32_t bdf)
{
	uint8_t cap = pci_find_cap(bdf, PCI_CAP_MSI);

	if (cap)
		pci_write16(bdf, cap + 2, pci_read16(bdf, cap + 2) & ~1);
}

/* ---- interrupts ------------------------------------------------------- */

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_gate idt[256];
static kit_irq_fn irq_fns[256];

#define LAPIC_BASE	0xfee00000u
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define IOAPIC_BASE	0xfec00000u

extern char isr_0x20[], isr_0x21[], isr_0x22[], isr_0x23[], isr_0x30[], isr_0xff[], isr_gp[];

#define VEC_GP 13

volatile uint32_t kit_gp_wrmsr;

static void idt_gate(uint8_t vec, void *fn)
{
	uintptr_t a = (uintptr_t)fn;

	idt[vec] = (struct idt_gate){ a & 0xffff, 0x08, 0, 0x8e, a >> 16 };
}

void kit_irq_dispatch(uint32_t vector)
{
	if (irq_fns[vector & 0xff])
		irq_fns[vector & 0xff](vector);
	if (vector != 0xff)	/* the spurious vector takes no EOI */
		lapic_eoi();
}

void kit_irq_set(uint8_t vector, kit_irq_fn fn)
{
	irq_fns[vector] = fn;
}

/*
 * Exception vectors 0-31 stay not-present on purpose: a fault escalates to
 * a triple fault, which is how a kernel whose own fault path is broken dies.
 * The one exception is #GP while kit_gp_catch is on.
 */
void kit_irq_init(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d = {
		sizeof(idt) - 1, (uint32_t)(uintptr_t)idt
	};

	/* SeaBIOS leaves the 8259 PIC with the timer on vector 8: mask it */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	idt_gate(0x20, isr_0x20);
	idt_gate(0x21, isr_0x21);
	idt_gate(0x22, isr_0x22);
	idt_gate(0x23, isr_0x23);
	idt_gate(0x30, isr_0x30);
	idt_gate(0xff, isr_0xff);
	__asm__ volatile("lidt %0" :: "m"(d));
	mmio_write32(LAPIC_BASE + LAPIC_SVR, 0x100 | 0xff);
	mmio_write32(LAPIC_BASE + LAPIC_TPR, 0);
}

void kit_gp_catch(int on)
{
	if (on)
		idt_gate(VEC_GP, isr_gp);
	else
		idt[VEC_GP] = (struct idt_gate){ 0 };
}

void kit_gp_fatal(uint32_t eip) KIT_NORETURN;
void kit_gp_fatal(uint32_t eip)
{
	kit_panic("general protection fault at %08x", eip);
}

void lapic_eoi(void)
{
	mmio_write32(LAPIC_BASE + LAPIC_EOI, 0);
}

static void ioapic_write(uint8_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE, reg);
	mmio_write32(IOAPIC_BASE + 0x10, v);
}

void ioapic_route(unsigned gsi, uint8_t vector, int level)
{
	ioapic_write(0x11 + 2 * gsi, 0);	/* destination: APIC id 0 */
	ioapic_write(0x10 + 2 * gsi, vector | (level ? 1u << 15 : 0));
}

void ioapic_mask(unsigned gsi)
{
	ioapic_write(0x10 + 2 * gsi, 1u << 16);
}

/*
 * QEMU's q35 (ICH9) routes INTx of a device in slot S on bus 0 to
 * PIRQ[E + (S + pin) % 4], and the IO-APIC sees PIRQ A-H as GSI 16-23.
 */
unsigned q35_intx_gsi(uint32_t bdf, unsigned pin)
{
	unsigned slot = (bdf >> 3) & 0x1f;

	return 16 + 4 + (slot + pin - 1) % 4;
}

void kit_wait_irq(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

/* ---- entry ------------------------------------------------------------ */

void lab_main(void);

void kit_start(struct multiboot_info *mbi)
{
	if (mbi->flags & MB_INFO_CMDLINE)
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
	/* QEMU puts the kernel's path first, as a boot loader does */
	while (*cmdline && *cmdline != ' ')
		cmdline++;
	while (*cmdline == ' ')
		cmdline++;
	kit_printf("pttrace lab guest: %s\n", cmdline);
	kit_time_init();
	kit_irq_init();
	lab_main();
	kit_panic("lab_main returned");
}
