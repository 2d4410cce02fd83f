# SwiftNFV. `make demo` and `make test` work on a fresh Debian machine (as root).
SWIFT ?= swift
NFV_RELEASE := .build/release/nfv

.PHONY: all setup build demo test bench clean

all: build

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build -c release

demo: build
	$(NFV_RELEASE) demo

# Unit tests, then multi-process integration tests against the debug `nfv`.
test: setup
	$(SWIFT) build --build-tests
	NFV_BIN=$(CURDIR)/.build/debug/nfv $(SWIFT) test --skip-build

bench: build
	$(NFV_RELEASE) bench chain --length 1 --runs 3
	$(NFV_RELEASE) bench chain --length 2 --runs 3
	$(NFV_RELEASE) bench chain --length 3 --runs 3
	$(NFV_RELEASE) bench chain --length 6 --runs 3

clean:
	rm -rf .build
