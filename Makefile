# ouroboros-rs: build, test and demo entry points.
#   make          release build of every library, daemon and tool, with the
#                 install paths compiled in
#   make install  installs upstream's file set (libraries, headers, daemons,
#                 tools, man pages, pkg-config and CMake files, systemd
#                 unit, configuration templates); make uninstall removes it
#   make check    every test (installs missing build/test packages first)
#   make demo     builds and runs a private Ouroboros system, then removes it
#   make fuzz     writes the seed corpora and runs every fuzz target for
#                 FUZZ_SECONDS (default 600) each (nightly and cargo-fuzz,
#                 root; see fuzz/README.md); not part of check
#
# Install variables, as upstream's CMake install: PREFIX (default
# /usr/local), DESTDIR, BINDIR, SBINDIR, LIBDIR, INCLUDEDIR, MANDIR,
# SYSCONFDIR (relative to PREFIX or absolute; GNUInstallDirs defaults),
# OUROBOROS_CONFIG_DIR (SYSCONFDIR/ouroboros), SYSTEMD_INSTALL_FILES
# (DETECT, FORCE or NO) and SYSTEMD_UNITDIR_OVERRIDE. Pass the same ones to
# make, make install and make uninstall. The manifest of what was installed
# is $(CARGO_TARGET_DIR)/install_manifest.txt (MANIFEST). See dist/.

CARGO ?= cargo
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: all release install uninstall deps build check demo fuzz clean

INSTALL_VARS := PREFIX DESTDIR BINDIR SBINDIR LIBDIR INCLUDEDIR MANDIR \
	SYSCONFDIR OUROBOROS_CONFIG_DIR SYSTEMD_INSTALL_FILES \
	SYSTEMD_UNITDIR_OVERRIDE MANIFEST CARGO CARGO_TARGET_DIR LDCONFIG
# passed to the dist/ scripts when set (on the command line or in the
# environment)
export $(foreach v,$(INSTALL_VARS),$(if $(filter undefined,$(origin $v)),,$v))

all: release

release:
	./dist/build.sh

install: release
	./dist/install.sh

uninstall:
	./dist/uninstall.sh

deps:
	./scripts/install-deps.sh

build: deps
	$(CARGO) build --workspace

check: build
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --workspace -- --nocapture 2>&1 | ./scripts/test-summary.sh

demo: build
	./scripts/demo.sh target/debug

FUZZ_CARGO ?= cargo +nightly
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= irm_msg ipcp_msg oap cep config frct ssm shim_wire unicast_wire
VECTORS ?= $(CURDIR)/../shared/vectors

fuzz:
	cd fuzz && $(FUZZ_CARGO) fuzz build
	cd fuzz && $(FUZZ_CARGO) run --bin seeds -- $(VECTORS) $(CURDIR) corpus
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		$(FUZZ_CARGO) fuzz run $$t corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
			-timeout=10 -close_fd_mask=1 || exit 1; \
	done

clean:
	$(CARGO) clean
