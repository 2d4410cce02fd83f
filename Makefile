# SwiftNFV. `make demo` and `make test` work on a fresh Debian machine (as root).
SWIFT ?= swift
NFV_RELEASE := .build/release/nfv

.PHONY: all setup build demo test verify bench bench-context-switch bench-cache-line clean

all: build

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build -c release

demo: build
	$(NFV_RELEASE) demo

# The models of the lock-free protocols, unit tests, multi-process
# integration tests against the debug `nfv`, then the control API fuzzed
# against its OpenAPI document (schemathesis).
test: setup verify
	$(SWIFT) build --build-tests
	NFV_BIN=$(CURDIR)/.build/debug/nfv $(SWIFT) test --skip-build --disable-swift-testing
	scripts/api-fuzz.sh $(CURDIR)/.build/debug/nfv

# Model-checks the ownership protocol (spin); known-bad variants must fail.
verify: setup
	@scripts/verify.sh

bench: build
	$(NFV_RELEASE) bench chain --length 1 --runs 3
	$(NFV_RELEASE) bench chain --length 2 --runs 3
	$(NFV_RELEASE) bench chain --length 3 --runs 3
	$(NFV_RELEASE) bench chain --length 6 --runs 3

clean:
	rm -rf .build

# What one context switch and one system call cost here (explains the
# chain figures when NFs outnumber cores).
bench-context-switch:
	cc -O2 -o .build/context-switch Benchmarks/context-switch.c && .build/context-switch

# What moving one cache line between the two CPUs costs (explains the
# latency of one packet in flight).
bench-cache-line:
	cc -O2 -pthread -o .build/cache-line Benchmarks/cache-line.c && .build/cache-line
