# Build, serve, test and benchmark Pathlight. Every target first runs
# scripts/setup.sh, which installs missing tools and is quick when all are there.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(PATH)

WASM_OUT := www/pkg
# wasm-opt is switched off in Cargo.toml ([package.metadata.wasm-pack]), with the reason.
WASM_PACK_BUILD := wasm-pack build --target web --release --out-dir $(WASM_OUT) --no-pack
PORT ?= 8080
HOST ?= 127.0.0.1

.PHONY: all setup build wasm www cli serve test bench fuzz clean

all: build

setup:
	bash scripts/setup.sh

# The wasm package for the page: www/pkg/pathlight.js and its .wasm file.
wasm: setup
	$(WASM_PACK_BUILD)

# The page's bundled scripts, written by the front end's build:www script.
www: setup
	npm run build:www

# The native command-line tool: target/release/pathlight.
cli: setup
	cargo build --release --bin pathlight

build: wasm www cli

serve: wasm www
	node scripts/serve.mjs --port $(PORT) --host $(HOST)

# Native tests, browser unit tests, end-to-end tests and the acceptance
# check, each as a stage; the last line counts passed and failed stages.
test: setup
	bash scripts/test.sh

bench: setup
	bash scripts/setup.sh --bench
	bash tools/bench.sh

# Runs every fuzz target in fuzz/ for FUZZ_SECONDS each and adds new inputs to
# fuzz/corpus/; see docs/FUZZING.md. Needs the nightly toolchain and cargo-fuzz.
FUZZ_SECONDS ?= 600
fuzz: setup
	bash scripts/setup.sh --fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

clean:
	cargo clean
	rm -rf $(WASM_OUT) www/build bench-out
