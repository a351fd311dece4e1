# ouroboros-rs: build, test and demo entry points.
#   make          release build of every library, daemon and tool
#   make check    every test (installs missing build/test packages first)
#   make demo     builds and runs a private Ouroboros system, then removes it

CARGO ?= cargo
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: all deps build check demo clean

all:
	$(CARGO) build --release --workspace

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

clean:
	$(CARGO) clean
