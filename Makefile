# The two commands a new user needs; both build .venv on first use and reuse it after.
#   make repro   validate params.yaml, then run the pipeline (dvc repro) on the embedded default
#   make test    run the test suite
# GPU boxes: install your own CUDA torch first and pass TORCH= (empty) to keep it:
#   make repro TORCH=
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TORCH  ?= torch==2.13.0
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: repro test bench clean-venv

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(if $(TORCH),$(PY) -m pip install --quiet "$(TORCH)")
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

repro: $(STAMP)
	$(PY) -m trainaway.cli params
	dvc repro

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(VENV)/bin/dvc repro misbehaviour-collect
	HF_HUB_OFFLINE=1 HF_DATASETS_DISABLE_PROGRESS_BARS=1 $(PY) bench/run.py

clean-venv:
	rm -rf $(VENV)
