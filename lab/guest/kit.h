// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lab guest kit: just enough of a 32-bit kernel to drive a PCI device
 * the way a real driver does (config cycles through 0xCF8/0xCFC, MMIO on
 * the BARs, MSI and INTx through the local APIC and the IO-APIC), so that
 * every access shows up as a kvm event on the host.
 *
 * Freestanding: no libc, no libgcc.  Paging stays off, so a BAR's bus
 * address is also its virtual address.
 */
#ifndef KIT_H
#define KIT_H

#include <stdint.h>
#include <stddef.h>

#define KIT_NORETURN __attribute__((noreturn))
#define KIT_PRINTF(a, b) __attribute__((format(printf, a, b)))

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint32_t mmio_read32(uintptr_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write32(uintptr_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

/* console (COM1) and crash */
void kit_printf(const char *fmt, ...) KIT_PRINTF(1, 2);
void kit_panic(const char *fmt, ...) KIT_PRINTF(1, 2) KIT_NORETURN;
const char *kit_arg(const char *name);	/* value of NAME=... on the command line */
int kit_streq(const char *a, const char *b);

/* time: TSC calibrated against the PIT */
void kit_time_init(void);
uint64_t kit_deadline_us(uint32_t us);
int kit_expired(uint64_t deadline);
void kit_delay_us(uint32_t us);

/* PCI configuration space, mechanism #1 (ports 0xCF8/0xCFC) */
#define PCI_BDF(b, d, f) (((uint32_t)(b) << 8) | ((uint32_t)(d) << 3) | (f))
uint32_t pci_read32(uint32_t bdf, uint8_t off);
uint16_t pci_read16(uint32_t bdf, uint8_t off);
uint8_t pci_read8(uint32_t bdf, uint8_t off);
void pci_write32(uint32_t bdf, uint8_t off, uint32_t v);
void pci_write16(uint32_t bdf, uint8_t off, uint16_t v);
int pci_find(uint16_t vendor, uint16_t device, uint32_t *bdf);
uint8_t pci_find_cap(uint32_t bdf, uint8_t id);
uintptr_t pci_bar_mem(uint32_t bdf, int bar);
void pci_enable(uint32_t bdf);		/* memory decode and bus master on */
void pci_print(uint32_t bdf, const char *what, int bar);

#define PCI_COMMAND		0x04
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_BAR0		0x10
#define PCI_CAP_PM		0x01
#define PCI_CAP_MSI		0x05
#define PCI_PM_CTRL		4	/* PMCSR, from the PM capability */
#define  PCI_PM_D0		0
#define  PCI_PM_D3HOT		3

/* MSI through the capability: address, data, enable */
void pci_msi_program(uint32_t bdf, uint32_t address, uint16_t data);
void pci_msi_disable(uint32_t bdf);

/* interrupts: IDT, local APIC, IO-APIC */
typedef void (*kit_irq_fn)(uint8_t vector);
void kit_irq_init(void);
void kit_irq_set(uint8_t vector, kit_irq_fn fn);
void lapic_eoi(void);
void ioapic_route(unsigned gsi, uint8_t vector, int level);
void ioapic_mask(unsigned gsi);
unsigned q35_intx_gsi(uint32_t bdf, unsigned pin);
void kit_wait_irq(void);		/* sti; hlt */

/*
 * #GP while ON: a faulting wrmsr is skipped and counted in kit_gp_wrmsr
 * (what a host that lacks the MSR does to the write), any other #GP
 * panics.  Off, #GP escalates to a triple fault like every exception.
 */
void kit_gp_catch(int on);
extern volatile uint32_t kit_gp_wrmsr;

#define MSI_ADDRESS_BSP 0xfee00000u	/* fixed delivery to APIC id 0 */

#endif
