# The two commands a new user needs; both build .venv on first use and reuse it after.
#   make repro   validate params.yaml, then run the pipeline (dvc repro) on the embedded default
#   make test    run the test suite
# Every package is installed at the version requirements.lock pins (`make lock` rewrites it).
# GPU boxes: install your own CUDA torch first and pass TORCH= (empty) to keep it (the lock's
# torch line is then left out):
#   make repro TORCH=
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
TORCH  ?= torch==2.13.0
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: repro test bench lock clean-venv

$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || python3 -m venv $(VENV)
	$(if $(TORCH),cp $(LOCK),grep -v '^torch==' $(LOCK) >) $(VENV)/constraints.txt
	$(if $(TORCH),$(PY) -m pip install --quiet -c $(VENV)/constraints.txt "$(TORCH)")
	$(PY) -m pip install --quiet -c $(VENV)/constraints.txt -e ".[dev]"
	touch $(STAMP)

# After a change to pyproject.toml's dependencies: install, test, then pin what is installed.
lock: $(STAMP)
	{ sed -n '/^#/p' $(LOCK); $(PY) -m pip freeze --exclude-editable \
	  | sed 's/^torch==\([^+]*\)+.*/torch==\1/'; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)

# The params check runs again as dvc.yaml's first stage; here it also catches what DVC would
# report as a matrix error while reading dvc.yaml (a missing or empty params.yaml).
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
