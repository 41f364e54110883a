# MLAN — build, test, demo and benchmarks. Every entry point installs what is missing first.
SHELL := /bin/bash
SWIFT ?= swift
RELEASE_TESTING := -c release -Xswiftc -enable-testing
DEB_PACKAGES := libopenblas-dev liblapacke-dev libpng-dev libjpeg62-turbo-dev

# OpenBLAS runs its AVX2 kernels on AVX-512 CPUs unless told otherwise (some images pin Haswell); its
# SkylakeX kernels are ~2x faster there. MLAN_OPENBLAS_CORETYPE=NAME chooses another core explicitly.
ifneq ($(MLAN_OPENBLAS_CORETYPE),)
export OPENBLAS_CORETYPE := $(MLAN_OPENBLAS_CORETYPE)
else ifneq ($(shell grep -m1 -o -w avx512f /proc/cpuinfo 2>/dev/null),)
export OPENBLAS_CORETYPE := SkylakeX
endif

.PHONY: setup models build test examples demo bench clean

setup:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" -ne 0 ] && sudo=sudo; \
	  echo "Installing:$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

models:
	@bash Scripts/fetch-smollm2.sh

build: setup
	$(SWIFT) build -c release

test: setup models
	$(SWIFT) build --build-tests $(RELEASE_TESTING)
	$(SWIFT) test --skip-build $(RELEASE_TESTING)
	$(MAKE) --no-print-directory examples

# The Examples/ package (MLAN as a dependency by path), debug-built: train a tiny model on a custom mixture,
# generate from the saved checkpoint, evaluate it on a JSON-declared task. Each step exits non-zero on failure.
examples: setup
	$(SWIFT) build --package-path Examples
	@set -e; bin=$$($(SWIFT) build --package-path Examples --show-bin-path); run=$$(mktemp -d); \
	trap 'rm -rf "$$run"' EXIT; \
	$$bin/train-custom-mixture --output $$run/model; \
	$$bin/generate-from-checkpoint --model $$run/model --question "What colour is the sky?" --expect blue; \
	$$bin/eval-custom-task --model $$run/model --min-accuracy 1

demo: setup
	$(SWIFT) build -c release --product mlan
	$$($(SWIFT) build -c release --show-bin-path)/mlan demo

bench: setup models
	$(SWIFT) build -c release --product mlan-bench
	$$($(SWIFT) build -c release --show-bin-path)/mlan-bench

clean:
	rm -rf .build Examples/.build
