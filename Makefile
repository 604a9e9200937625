# Two entry points: `make run` (main job on the bundled images) and `make test`.
# Both create the environment first when it is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2
STAMP := $(VENV)/.installed

.PHONY: run test bench fuzz lint env clean-results

$(STAMP): pyproject.toml
	@command -v opj_decompress >/dev/null 2>&1 || ldconfig -p | grep -q libopenjp2 || \
		(echo "installing OpenJPEG (libopenjp2-7) from Debian" && apt-get update -qq && apt-get install -y -qq libopenjp2-7)
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || \
		(echo "installing chromium + chromium-driver from Debian (browser tests of semcom annotate)" && \
		apt-get update -qq && apt-get install -y -qq chromium chromium-driver) || \
		echo "chromium could not be installed: the browser tests of semcom annotate will be skipped"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

env: $(STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config.yaml

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# >= 1000 damaged streams per codec through safe_decode, 1000 random files through load_rgb
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz_decoders.py 1000

# the same checks run in `make test` (tests/quality)
lint: $(STAMP)
	$(BIN)/python -m pytest -q tests/quality

clean-results:
	rm -rf results
