/*
 * How the host can reset a PCI function: the kernel's own list
 * (reset_method), what config space advertises (FLR in the PCIe DevCap or
 * the Advanced Features capability, No_Soft_Reset in PMCSR), and what a
 * secondary bus reset would take with it (the other functions under the
 * same bridge).  The kernel functions that reset one, which the recorder
 * probes and the reader reads back, are util/host-reset.c's table.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "pt-hostreset.h"
#include "pt-vm.h"

static void path_in(char *buf, size_t size, const char *sysroot, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void path_in(char *buf, size_t size, const char *sysroot, const char *fmt, ...)
{
	size_t n = snprintf(buf, size, "%s", sysroot ? sysroot : "");
	va_list ap;

	if (n >= size)
		n = size - 1;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

void pt_host_reset_parse_config(const uint8_t *cfg, size_t len, struct pt_host_reset_caps *c)
{
	unsigned pos, n;

	c->config_len = len;
	if (len < PCI_STD_HEADER_SIZEOF)
		return;
	c->caps_read = 1;
	if (!((cfg[PCI_STATUS] | cfg[PCI_STATUS + 1] << 8) & PCI_STATUS_CAP_LIST))
		return;
	/* a damaged list can loop: at most 48 capabilities, as the kernel walks it */
	for (pos = cfg[PCI_CAPABILITY_LIST] & ~3u, n = 0; pos >= PCI_STD_HEADER_SIZEOF && n < 48;
	     pos = cfg[pos + PCI_CAP_LIST_NEXT] & ~3u, n++) {
		if (pos + 8 > len) {
			c->caps_read = 0;	/* beyond what could be read (64 bytes without root) */
			return;
		}
		switch (cfg[pos + PCI_CAP_LIST_ID]) {
		case PCI_CAP_ID_EXP: {
			uint32_t devcap = cfg[pos + PCI_EXP_DEVCAP] | cfg[pos + PCI_EXP_DEVCAP + 1] << 8 |
					  cfg[pos + PCI_EXP_DEVCAP + 2] << 16 |
					  (uint32_t)cfg[pos + PCI_EXP_DEVCAP + 3] << 24;

			c->pcie = 1;
			c->flr = !!(devcap & PCI_EXP_DEVCAP_FLR);
			break;
		}
		case PCI_CAP_ID_PM:
			c->pm = 1;
			c->no_soft_reset = !!((cfg[pos + PCI_PM_CTRL] | cfg[pos + PCI_PM_CTRL + 1] << 8) &
					      PCI_PM_CTRL_NO_SOFT_RESET);
			break;
		case PCI_CAP_ID_AF:
			c->af_flr = (cfg[pos + PCI_AF_CAP] & PCI_AF_CAP_TP) &&
				    (cfg[pos + PCI_AF_CAP] & PCI_AF_CAP_FLR);
			break;
		}
	}
}

static int is_bdf(const char *s)
{
	unsigned dom, bus, dev, fn;
	char end;

	return sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) == 4 && strlen(s) == 12;
}

/* The bridge above BDF and the other functions on its bus, from where sysfs links it. */
static void read_bus(const char *sysroot, const char *bdf, struct pt_host_reset_caps *c)
{
	char path[PATH_MAX], real[PATH_MAX], *slash;
	struct dirent *de;
	DIR *dir;

	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s", bdf);
	if (!realpath(path, real) || !(slash = strrchr(real, '/')))
		return;
	*slash = 0;
	slash = strrchr(real, '/');
	if (!slash)
		return;
	if (is_bdf(slash + 1)) {
		c->bus = PT_HR_BUS_BRIDGE;
		snprintf(c->bridge, sizeof(c->bridge), "%s", slash + 1);
	} else if (!strncmp(slash + 1, "pci", 3)) {
		c->bus = PT_HR_BUS_ROOT;	/* pciDDDD:BB: a root bus, no bridge to reset it */
		return;
	} else {
		return;
	}
	dir = opendir(real);
	while (dir && (de = readdir(dir)))
		if (is_bdf(de->d_name) && strcmp(de->d_name, bdf) &&
		    c->nsiblings < PT_HR_MAX_SIBLINGS)
			snprintf(c->siblings[c->nsiblings++], sizeof(c->siblings[0]), "%s", de->d_name);
	if (dir)
		closedir(dir);
}

int pt_host_reset_read(const char *sysroot, const char *bdf, struct pt_host_reset_caps *c)
{
	char path[PATH_MAX], dev[16];
	uint8_t cfg[4096];
	ssize_t n;
	FILE *f;
	int fd;

	memset(c, 0, sizeof(*c));
	if (pt_host_bdf(bdf, dev, sizeof(dev)))
		return -1;
	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s", dev);
	if (access(path, F_OK))
		return -1;
	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s/reset_method", dev);
	f = fopen(path, "re");
	if (f) {
		c->have_reset_method = 1;
		if (!fgets(c->reset_method, sizeof(c->reset_method), f))
			c->reset_method[0] = 0;
		c->reset_method[strcspn(c->reset_method, "\n")] = 0;
		fclose(f);
	}
	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s/reset", dev);
	c->have_reset_file = !access(path, F_OK);
	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s/config", dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = pread(fd, cfg, sizeof(cfg), 0);
		close(fd);
		if (n > 0)
			pt_host_reset_parse_config(cfg, n, c);
	}
	read_bus(sysroot, dev, c);
	return 0;
}

int pt_host_reset_has(const struct pt_host_reset_caps *c, const char *method)
{
	size_t len = strlen(method);

	if (c->have_reset_method) {
		for (const char *p = c->reset_method; (p = strstr(p, method)); p += len)
			if ((p == c->reset_method || p[-1] == ' ') && (!p[len] || p[len] == ' '))
				return 1;
		return 0;
	}
	/* an older kernel: what config space and the bus show, as the kernel would judge it */
	if (!strcmp(method, "flr"))
		return c->flr;
	if (!strcmp(method, "af_flr"))
		return c->af_flr;
	if (!strcmp(method, "pm"))
		return c->pm && !c->no_soft_reset;
	if (!strcmp(method, "bus"))
		return c->bus == PT_HR_BUS_BRIDGE && !c->nsiblings;
	return 0;
}
