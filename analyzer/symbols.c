// SPDX-License-Identifier: GPL-2.0-or-later
/* Guest symbol tables read with libelf (pt-symbols.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt-symbols.h"

struct symbol {
	uint64_t addr, size;
	uint64_t end;		/* of its section as loaded: a bare label reaches no further */
	char *name;
};

struct pt_symbols {
	struct symbol *syms;
	size_t n, cap;
};

struct pt_symbols *pt_symbols_new(void)
{
	return calloc(1, sizeof(struct pt_symbols));
}

void pt_symbols_free(struct pt_symbols *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->syms[i].name);
	free(s->syms);
	free(s);
}

size_t pt_symbols_count(const struct pt_symbols *s)
{
	return s ? s->n : 0;
}

static int push(struct pt_symbols *s, uint64_t addr, uint64_t size, uint64_t end,
		const char *name)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct symbol *p = realloc(s->syms, cap * sizeof(*p));

		if (!p)
			return -1;
		s->syms = p;
		s->cap = cap;
	}
	s->syms[s->n].name = strdup(name);
	if (!s->syms[s->n].name)
		return -1;
	s->syms[s->n].addr = addr;
	s->syms[s->n].size = size;
	s->syms[s->n].end = end;
	s->n++;
	return 0;
}

/*
 * Code symbols only: functions, and untyped labels in executable sections
 * (hand-written assembly has no STT_FUNC).  In a relocatable module only
 * .text's symbols have a known place: the bias.
 */
static int wanted(Elf *elf, const GElf_Ehdr *eh, const GElf_Sym *sym, size_t shstrndx)
{
	unsigned type = GELF_ST_TYPE(sym->st_info);
	GElf_Shdr sh;
	Elf_Scn *scn;
	const char *name;

	if (type != STT_FUNC && type != STT_NOTYPE)
		return 0;
	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE)
		return 0;
	scn = elf_getscn(elf, sym->st_shndx);
	if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR))
		return 0;
	if (eh->e_type == ET_REL) {
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		return name && !strcmp(name, ".text");
	}
	return 1;
}

static int read_symtab(struct pt_symbols *s, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
		       const GElf_Ehdr *eh, size_t shstrndx, uint64_t bias)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	int added = 0;

	for (size_t i = 0; data && i < count; i++) {
		GElf_Sym sym;
		GElf_Shdr in;
		const char *name;
		uint64_t end;

		if (!gelf_getsym(data, i, &sym) || !wanted(elf, eh, &sym, shstrndx) ||
		    !gelf_getshdr(elf_getscn(elf, sym.st_shndx), &in))
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		/* local labels inside functions (.L*, $x) would split them */
		if (!name || !*name || name[0] == '.' || name[0] == '$')
			continue;
		/* the section's end: its address (0 in a module, where values are offsets) + size */
		end = (eh->e_type == ET_REL ? 0 : in.sh_addr) + in.sh_size;
		if (end < sym.st_value)		/* a symbol past its section's end: nothing */
			end = sym.st_value;
		if (end + bias < bias)		/* loaded past the end of the address space */
			return -2;
		if (push(s, sym.st_value + bias, sym.st_size, end + bias, name))
			return -1;
		added++;
	}
	return added;
}

static int by_addr(const void *pa, const void *pb)
{
	const struct symbol *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	/* at one address, the sized (typed) symbol wins over a bare label */
	return (a->size < b->size) - (a->size > b->size);
}

int pt_symbols_add(struct pt_symbols *s, const char *spec, char *note, size_t note_size,
		   struct pt_err *err)
{
	char path[4096];
	const char *at = strrchr(spec, '@');
	uint64_t bias = 0;
	Elf_Scn *scn = NULL, *dynsym = NULL;
	GElf_Shdr sh, dynsh;
	GElf_Ehdr eh;
	size_t shstrndx;
	Elf *elf;
	int fd, added = 0, have_symtab = 0;

	note[0] = 0;
	/* an '@' in a directory name is part of the path */
	if (at && at != spec && !strchr(at, '/')) {
		char *end;

		errno = 0;
		bias = strtoull(at + 1, &end, 0);
		if (at[1] == '-')
			return pt_err_set(err, "cannot use '%s': the bias after '@' is negative (it is "
					  "where the guest loaded the file)", spec), -1;
		if (!at[1] || *end || errno)
			return pt_err_set(err, "cannot use '%s': the bias after '@' is not an address",
					  spec), -1;
		snprintf(path, sizeof(path), "%.*s", (int)(at - spec), spec);
	} else {
		snprintf(path, sizeof(path), "%s", spec);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pt_err_errno(err, errno, "cannot open '%s'", path), -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		pt_err_set(err, "cannot read '%s': not an ELF file", path);
		added = -1;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		int n;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dynsh = sh;
		}
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		have_symtab = 1;
		n = read_symtab(s, elf, scn, &sh, &eh, shstrndx, bias);
		if (n == -2)
			goto too_far;
		if (n < 0)
			goto oom;
		added += n;
	}
	/* a stripped shared object still names its exported functions */
	if (!have_symtab && dynsym) {
		int n = read_symtab(s, elf, dynsym, &dynsh, &eh, shstrndx, bias);

		if (n == -2)
			goto too_far;
		if (n < 0)
			goto oom;
		added += n;
	}
	qsort(s->syms, s->n, sizeof(*s->syms), by_addr);
	if (!added)
		snprintf(note, note_size, "'%s' has no function symbols (stripped?): guest addresses "
			 "in it stay numbers", path);
	else if (!have_symtab)
		snprintf(note, note_size, "'%s' is stripped: only its %d exported functions are named",
			 path, added);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return added;
oom:
	pt_err_set(err, "cannot read '%s': out of memory", path);
	added = -1;
	goto out;
too_far:
	pt_err_set(err, "cannot use '%s': with that bias the file ends past the top of the "
		   "address space", spec);
	added = -1;
	goto out;
}

int pt_symbols_name(const struct pt_symbols *s, uint64_t addr, char *buf, size_t size)
{
	size_t lo = 0, hi;
	const struct symbol *sym;

	if (!s || !s->n)
		return -1;
	hi = s->n;
	while (lo < hi) {	/* the first symbol above ADDR */
		size_t mid = lo + (hi - lo) / 2;

		if (s->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	sym = &s->syms[lo - 1];
	/* prefer the sized symbol at that address (the sort put it first) */
	while (sym > s->syms && sym[-1].addr == sym->addr)
		sym--;
	/*
	 * Past a function's size, or a bare label's section (outside the
	 * file as loaded: a wrong file or bias), the address stays a number.
	 */
	if ((sym->size && addr - sym->addr >= sym->size) || addr >= sym->end)
		return -1;
	snprintf(buf, size, "%s+0x%llx", sym->name, (unsigned long long)(addr - sym->addr));
	return 0;
}

void pt_symbols_str(const struct pt_symbols *s, uint64_t addr, char *buf, size_t size)
{
	if (pt_symbols_name(s, addr, buf, size))
		snprintf(buf, size, "0x%llx", (unsigned long long)addr);
}
