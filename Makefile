# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace -- see README.md.  `make V=1` shows the commands.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/pttrace
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/pttrace
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
PKGCONFIGDIR ?= $(PREFIX)/share/pkgconfig

CFLAGS ?= -O2 -g
# Link-time optimisation of the hot path (the reader's merge, the model, the
# detectors, the TUI's index): it runs across those files, and gcc inlining
# across them takes 8% of the instructions of an event away.  Only theirs:
# gdb cannot break in a function inlined across files (tests/lab/record-kill.sh
# stops the collector at its phases).  The objects hold the plain code too,
# so the tests link without it, quickly.  `make LTO=` turns it off; it is
# gcc's, off with other compilers.
LTO ?= $(if $(shell $(CC) --version 2>/dev/null | grep -q 'Free Software Foundation' && echo gcc),\
	-flto=auto -ffat-lto-objects)
NO_LTO := $(if $(strip $(LTO)),-fno-lto)
PT_AR := $(if $(strip $(LTO)),gcc-ar,ar)
VERSION := 0.1.0

# Minimum versions: the ones Debian 12 ships, which pttrace is tested on.
PKGS := libtracefs libtraceevent libtracecmd libelf ncursesw zlib libzstd libxml-2.0
PKG_MIN := 'libtracefs >= 1.6' 'libtraceevent >= 1.7' 'libtracecmd >= 1.3' \
	   'libelf >= 0.188' 'ncursesw >= 6.0' 'zlib >= 1.2' 'libzstd >= 1.4' \
	   'libxml-2.0 >= 2.9' 'libvirt >= 9.0' 'libvirt-qemu >= 9.0'
# libvirt's headers only: collector/virt.c loads libvirt.so.0 with dlopen when
# it records a libvirt domain, so pttrace runs on hosts without libvirt.
VIRT_PKGS := libvirt libvirt-qemu

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-6s %s\n'
endif

ifeq ($(filter deps clean distclean,$(MAKECMDGOALS)),)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(VIRT_PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
endif

LIBDIR ?= $(PREFIX)/lib/pttrace
INCLUDEDIR ?= $(PREFIX)/include

# The library sees include/ and its own room's headers only; the CLI, its
# tests and the fuzz targets also see cli/.  WERROR=1 (make check) makes
# every warning an error.
PT_CFLAGS := -std=gnu11 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -D_GNU_SOURCE -Iinclude \
	-DPT_VERSION='"$(VERSION)"' -DPT_LABDIR='"$(DATADIR)/lab"' \
	-DPT_PLUGINDIR='"$(LIBDIR)/plugins"' $(PKG_CFLAGS)

# the device plugins pttrace ships (plugins/*.c), one shared object each
PLUGINS := $(patsubst plugins/%.c,build/plugins/%.so,$(wildcard plugins/*.c))

# The lab guest: freestanding 32-bit code, gcc and binutils only.
GUEST_CFLAGS := -m32 -ffreestanding -nostdlib -fno-pic -fno-stack-protector \
	-fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra
GUEST_SRCS := lab/guest/boot.S lab/guest/kit.c lab/guest/lab.c
GUEST_OBJS := $(patsubst lab/guest/%,build/guest/%.o,$(GUEST_SRCS))
GUEST := build/guest/pttrace-lab.elf

LIB_SRCS := $(sort $(wildcard util/*.c collector/*.c)) lab/lab.c \
	$(sort $(wildcard analyzer/*.c analyzer/detectors/*.c tui/index.c tui/index-store.c))
CLI_SRCS := cli/pttrace.c cli/command.c cli/guest-elf.c cli/notes.c cli/usage.c \
	$(sort $(wildcard cli/cmd-*.c cli/report-*.c)) tui/view.c $(sort $(wildcard tui/pane-*.c))
LIB_OBJS := $(LIB_SRCS:%.c=build/%.o)
HOT_OBJS := $(filter build/analyzer/% build/tui/index%,$(LIB_OBJS))
CLI_OBJS := $(CLI_SRCS:%.c=build/%.o)
LIB := build/libpttrace.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)

.PHONY: all deps pkgcheck check test-progs demo bench install uninstall clean traces mutation man
all: pkgcheck pttrace $(GUEST) $(PLUGINS) man

# Installs missing Debian packages (as root), or says which to install.
deps:
	$(Q)scripts/deps.sh

pkgcheck:
	$(Q)pkg-config --print-errors $(PKG_MIN) || \
		{ echo "pttrace: missing libraries: run 'make deps' as root" >&2; exit 1; }

build/%.o: %.c
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(OBJ_LTO) $(PT_CFLAGS) -MMD -MP -c -o $@ $<

$(HOT_OBJS): OBJ_LTO := $(LTO)

$(filter build/cli/%,$(CLI_OBJS)): PT_CFLAGS += -Icli

$(LIB): $(LIB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(PT_AR) rcs $@ $^

# Plugins' detectors call pttrace back through pttrace-plugin.h's functions:
# the binary exports those (the list), not every symbol it has.
EXPORTS := analyzer/plugin-exports.list
EXPORT_FLAGS := -Wl,--dynamic-list=$(EXPORTS)

pttrace: $(CLI_OBJS) $(LIB) $(EXPORTS)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) $(LTO) $(EXPORT_FLAGS) -o $@ $(CLI_OBJS) $(LIB) -Wl,--as-needed $(PKG_LIBS) -ldl

build/plugins/%.so: plugins/%.c include/pttrace-plugin.h
	$(quiet) PLUGIN $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -std=gnu11 -Wall -Wextra -Iinclude -shared -fPIC -o $@ $<

build/guest/%.o: lab/guest/%
	$(quiet) CC32 $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(GUEST): $(GUEST_OBJS) lab/guest/link.ld
	$(quiet) LD $@
	$(Q)$(LD) -m elf_i386 --no-warn-rwx-segments -T lab/guest/link.ld -o $@ $(GUEST_OBJS)

build/tests/%: tests/unit/%.c $(LIB) $(filter-out build/cli/pttrace.o,$(CLI_OBJS)) $(EXPORTS)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) $(PT_CFLAGS) -Icli -MMD -MP $(EXPORT_FLAGS) -o $@ $< $(filter-out build/cli/pttrace.o,$(CLI_OBJS)) \
		$(LIB) $(CMOCKA_LIBS) -Wl,--as-needed $(PKG_LIBS) -ldl

# The man pages, pttrace.1 and pttrace-NAME.1, made from the usage texts
# --help prints (cli/mkman.c): one source, so they cannot drift apart.
MKMAN_OBJS := $(filter-out build/cli/pttrace.o,$(CLI_OBJS))
MAN_PAGES := build/man/pttrace.1 $(patsubst cli/cmd-%.c,build/man/pttrace-%.1,$(wildcard cli/cmd-*.c))
MAN_DATE := $(shell git log -1 --format=%cs 2>/dev/null)

build/tools/mkman: cli/mkman.c $(MKMAN_OBJS) $(LIB)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) $(PT_CFLAGS) -Icli -MMD -MP -o $@ $< $(MKMAN_OBJS) $(LIB) \
		-Wl,--as-needed $(PKG_LIBS) -ldl

build/man/.made: build/tools/mkman
	$(quiet) MAN build/man
	$(Q)rm -rf build/man && mkdir -p build/man
	$(Q)build/tools/mkman build/man $(VERSION) '$(MAN_DATE)' && touch $@

man: build/man/.made

# trace-cmd convert with pttrace's codecs, for the field corpus's zlib files
build/tests/tc-convert: tests/tools/tc-convert.c $(LIB)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) $(PT_CFLAGS) -o $@ $< $(LIB) -Wl,--as-needed $(PKG_LIBS)

# QMP and the crash event through libvirt, for tests/lab/libvirt.sh under TCG
build/tests/virt-watch: tests/tools/virt-watch.c $(LIB)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) $(PT_CFLAGS) -o $@ $< $(LIB) -Wl,--as-needed $(PKG_LIBS) -ldl

# an LD_PRELOAD that fails writes with EIO, for the fault tests
build/tests/eio.so: tests/tools/eio.c
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Wall -Wextra -shared -fPIC -o $@ $< -ldl

# The fuzz target: clang's libFuzzer with ASan and UBSan, its own objects.
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRCS := $(filter-out lab/lab.c collector/%,$(LIB_SRCS)) cli/report-text.c cli/report-json.c

build/fuzz/%: tests/fuzz/%.c $(FUZZ_SRCS)
	$(quiet) FUZZ $@
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(PT_CFLAGS) -Icli -o $@ $^ $(PKG_LIBS) -ldl

FUZZ_TARGETS := build/fuzz/fuzz_analyze build/fuzz/fuzz_stream

# pttrace with sanitizers, the same sources, objects of their own: ASan
# and UBSan (tests/cli/corrupt.sh runs it on damaged files), TSan
# (tests/cli/tsan.sh: the reader's threads, --jobs); clang when there is
# one, else gcc.
ASAN_CC ?= $(if $(shell command -v clang),clang,$(CC))
asan_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
tsan_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=thread

# build/NAME/pttrace from the same sources with NAME_FLAGS (LABEL: what make prints)
define sanitized
build/$(1)/%.o: %.c
	$$(quiet) $(2) $$@
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(ASAN_CC) $$($(1)_FLAGS) $$(PT_CFLAGS) $$(if $$(filter build/$(1)/cli/%,$$@),-Icli) \
		-MMD -MP -c -o $$@ $$<

build/$(1)/pttrace: $(patsubst %.c,build/$(1)/%.o,$(CLI_SRCS) $(LIB_SRCS)) $$(EXPORTS)
	$$(quiet) LINK $$@
	$$(Q)$$(ASAN_CC) $$($(1)_FLAGS) $$(EXPORT_FLAGS) -o $$@ $$(filter %.o,$$^) $$(PKG_LIBS) -ldl
endef
$(eval $(call sanitized,asan,ASANCC))
$(eval $(call sanitized,tsan,TSANCC))

# the reader's own test with ThreadSanitizer: closing while the threads read
build/tsan/test_reader_jobs: tests/unit/test_reader_jobs.c $(patsubst %.c,build/tsan/%.o,$(LIB_SRCS))
	$(quiet) TSANCC $@
	$(Q)$(ASAN_CC) $(tsan_FLAGS) $(PT_CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS) -ldl

# The corruption corpus generator and a JSON checker (tests/corrupt)
MKCORPUS_SRCS := tests/corrupt/mkcorpus.c tests/corrupt/mkcorpus-parse.c tests/corrupt/mkcorpus-damage.c

build/tests/mkcorpus: $(MKCORPUS_SRCS) tests/corrupt/mkcorpus.h
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -o $@ $(MKCORPUS_SRCS) -lzstd

build/tests/jsoncheck: tests/corrupt/jsoncheck.c build/util/json.o build/util/error.o build/util/printable.o
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(PT_CFLAGS) -o $@ $^

CORRUPT_PROGS := build/asan/pttrace build/tsan/pttrace build/tsan/test_reader_jobs \
	build/tests/mkcorpus build/tests/jsoncheck

test-progs: all $(UNIT_TESTS) build/tests/tc-convert build/tests/virt-watch build/tests/eio.so $(CORRUPT_PROGS) $(if $(shell command -v $(FUZZ_CC)),$(FUZZ_TARGETS))

# The README's test command.  deps first, then a fresh make that sees them.
check: deps
	$(Q)$(MAKE) --no-print-directory test-progs WERROR=1
	$(Q)tests/run.sh

# The shell tests against a pttrace that fails silently: every check that
# still passes must be in tests/mutation.allow, with why (a few minutes).
mutation: test-progs
	$(Q)tests/mutation.sh

# The README's main job on a bundled sample.
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)samples/demo.sh

# Speed and memory of pttrace analyze against trace-cmd report (root, KVM).
build/bench/tui-bench: bench/tui-bench.c $(LIB)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LTO) $(PT_CFLAGS) -o $@ $< $(LIB) -Wl,--as-needed $(PKG_LIBS) -ldl

# The bare libtracecmd loop analyze is held against (bench/run.sh).
build/bench/tc-loop: bench/tc-loop.c
	$(quiet) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(PKG_CFLAGS) -Wl,--as-needed $(PKG_LIBS)

bench: all build/bench/tui-bench build/bench/tc-loop
	$(Q)bench/run.sh; a=$$?; bench/tui.sh; b=$$?; bench/record.sh; exit $$((a | b | $$?))

# Re-records samples/traces with plain tracefs and trace-cmd (root, KVM).
traces: all
	$(Q)samples/record-traces.sh -o samples/traces

# What make install writes, under DESTDIR and PREFIX (the README lists it).
# The binary finds its plugins and lab guest relative to itself, so an
# install under another PREFIX than the build's works.
DOCS := README.md LICENSE $(wildcard LICENSES/* docs/*.md)

install: all
	$(quiet) INSTALL $(DESTDIR)$(PREFIX)
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/lab $(DESTDIR)$(LIBDIR)/plugins \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(DOCDIR)/LICENSES
	$(Q)install -m 755 pttrace $(DESTDIR)$(BINDIR)/pttrace
	$(Q)install -m 644 $(GUEST) $(DESTDIR)$(DATADIR)/lab/pttrace-lab.elf
	$(Q)install -m 644 $(PLUGINS) $(DESTDIR)$(LIBDIR)/plugins/
	$(Q)install -m 644 include/pttrace-plugin.h $(DESTDIR)$(INCLUDEDIR)/
	$(Q)install -m 644 build/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	$(Q)install -m 644 scripts/pttrace.bash $(DESTDIR)$(BASHCOMPDIR)/pttrace
	$(Q)for f in $(DOCS); do install -m 644 $$f $(DESTDIR)$(DOCDIR)/$$f || exit; done
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
		-e 's|@PLUGINDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR)/plugins)|' \
		scripts/pttrace-plugin.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/pttrace-plugin.pc

uninstall:
	$(quiet) UNINST $(DESTDIR)$(PREFIX)
	$(Q)rm -f $(DESTDIR)$(BINDIR)/pttrace $(DESTDIR)$(DATADIR)/lab/pttrace-lab.elf \
		$(DESTDIR)$(INCLUDEDIR)/pttrace-plugin.h $(DESTDIR)$(BASHCOMPDIR)/pttrace \
		$(DESTDIR)$(PKGCONFIGDIR)/pttrace-plugin.pc \
		$(patsubst build/plugins/%,$(DESTDIR)$(LIBDIR)/plugins/%,$(PLUGINS)) \
		$(patsubst build/man/%,$(DESTDIR)$(MANDIR)/man1/%,$(MAN_PAGES)) \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(DOCS))
	$(Q)for d in $(DATADIR)/lab $(DATADIR) $(LIBDIR)/plugins $(LIBDIR) $(DOCDIR)/docs \
		$(DOCDIR)/LICENSES $(DOCDIR); do \
		rmdir $(DESTDIR)$$d 2>/dev/null || true; done

clean:
	rm -rf build pttrace

-include $(shell find build -name '*.d' 2>/dev/null)
