# MLAN — build, test, demo and benchmarks. Every entry point installs what is missing first.
SHELL := /bin/bash
SWIFT ?= swift
RELEASE_TESTING := -c release -Xswiftc -enable-testing
DEB_PACKAGES := libopenblas-dev liblapacke-dev libpng-dev libjpeg62-turbo-dev
# Open MPI, for what runs several processes (the MPI tests, bench-mpi); building MLAN never needs it.
MPI_DEB_PACKAGES := libopenmpi-dev openmpi-bin

# OpenBLAS runs its AVX2 kernels on AVX-512 CPUs unless told otherwise (some images pin Haswell); its
# SkylakeX kernels are ~2x faster there. MLAN_OPENBLAS_CORETYPE=NAME chooses another core explicitly.
ifneq ($(MLAN_OPENBLAS_CORETYPE),)
export OPENBLAS_CORETYPE := $(MLAN_OPENBLAS_CORETYPE)
else ifneq ($(shell grep -m1 -o -w avx512f /proc/cpuinfo 2>/dev/null),)
export OPENBLAS_CORETYPE := SkylakeX
endif

.PHONY: setup setup-mpi models build test examples demo experiment bench bench-mpi fuzz sanitize clean

# Installs the Debian packages of $(1) that are missing.
define install-missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" -ne 0 ] && sudo=sudo; \
	  echo "Installing:$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
endef

setup:
	$(call install-missing,$(DEB_PACKAGES))

setup-mpi:
	$(call install-missing,$(MPI_DEB_PACKAGES))

models:
	@bash Scripts/fetch-smollm2.sh

build: setup
	$(SWIFT) build -c release

# The MPI tests (mpirun -np 2 on loopback) run here, so Open MPI is installed first.
test: setup setup-mpi models
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

# MLAN on SmolLM2-135M-Instruct (Docs/EXPERIMENT.md): tower, alignment, each mixture, zero-shot evaluation, report in
# runs/experiment/. Rerun to continue a stopped run; EXPERIMENT_ARGS="--quick --output runs/x" for the smoke run.
experiment: setup models
	$(SWIFT) build -c release --product mlan
	$$($(SWIFT) build -c release --show-bin-path)/mlan experiment --config Configs/smollm2-mlan.json $(EXPERIMENT_ARGS)

bench: setup models
	$(SWIFT) build -c release --product mlan-bench
	$$($(SWIFT) build -c release --show-bin-path)/mlan-bench

# Data-parallel overlap: one stage-2 step on 2 ranks x 1 thread against 1 rank x 2 threads (Docs/BENCHMARKS.md).
bench-mpi: setup setup-mpi models
	$(SWIFT) build -c release --product mlan-bench
	bash Scripts/bench-mpi.sh $$($(SWIFT) build -c release --show-bin-path)/mlan-bench

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every parser that takes outside bytes: the Fuzz/
# package, built apart so the main build never sees the sanitizer flags. FUZZ_SECONDS per target (default 180),
# FUZZ_TARGETS to run some only. Any crash, out-of-memory or timeout fails the run; see Docs/RELIABILITY.md.
# SwiftPM hands swiftc the two sanitizers as separate flags, and swiftc then leaves out the fuzzer's coverage
# instrumentation, so the coverage libFuzzer needs is asked for explicitly.
FUZZ_SECONDS ?= 180
fuzz: setup
	$(SWIFT) build --package-path Fuzz -c release --sanitize=fuzzer --sanitize=address \
	  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash Scripts/fuzz.sh $(FUZZ_TARGETS)

# The Core, Data and Model tests under AddressSanitizer, the parallel kernels' tests under ThreadSanitizer;
# debug builds in their own build folders. Under ASan the whole-SmolLM2 forward passes (ASAN_SKIP) are left out:
# in a debug ASan build they take most of an hour and run the kernels the tiny-model parity tests run (see
# Docs/RELIABILITY.md; `make sanitize ASAN_SKIP=NONE` runs them too).
ASAN_SUITES := MLANCoreTests|MLANDataTests|MLANModelTests
ASAN_SKIP := SmolLM2ParityTests.(logitsMatch|greedyContinuations|logLikelihoods)|WeightFormTests.(nativeLogits|bf16AndQ8_0)
TSAN_SUITES := FastKernelTests|KernelReferenceTests|ComposedReferenceTests|GGUFBlockTests|FrozenMatrixTests|IndependentJobsTests|WorkerPoolTests
sanitize: setup models
	$(SWIFT) build --build-tests --sanitize=address --build-path .build-asan
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
	  $(SWIFT) test --skip-build --sanitize=address --build-path .build-asan --filter '$(ASAN_SUITES)' \
	  --skip '$(ASAN_SKIP)'
	$(SWIFT) build --build-tests --sanitize=thread --build-path .build-tsan
	SWIFT_BACKTRACE=enable=no TSAN_OPTIONS=halt_on_error=1 \
	  $(SWIFT) test --skip-build --sanitize=thread --build-path .build-tsan --filter '$(TSAN_SUITES)'

clean:
	rm -rf .build .build-asan .build-tsan Fuzz/.build Examples/.build
