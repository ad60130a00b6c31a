# Two commands on a fresh machine:  make lab  (open the lab)   make test  (run the tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
# JupyterLab refuses to run as root unless told; CI and containers run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab app hub proxy test lint bench seed clean

# The venv is made from the project's own files on first use, and again when they change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

lab: $(STAMP)  ## open JupyterLab on the lab notebook
	@echo "The lab, where no browser opens by itself: http://127.0.0.1:$(PORT)/lab/tree/notebooks/02-lab.ipynb?token=... (the token JupyterLab prints below)"
	$(BIN)/jupyter lab notebooks/02-lab.ipynb --ServerApp.port=$(PORT) $(ROOT_FLAG)

# `make app APP_IP=0.0.0.0` serves the machine's network (a class on the room's network): see README.
APP_IP ?= 127.0.0.1

app: $(STAMP)  ## serve the lab alone with Voila: fresh, no code, a kernel per visitor, offline
	$(BIN)/voila deploy/app/lab.ipynb --port=$(PORT) --Voila.ip=$(APP_IP) \
		--Voila.config_file_paths=$(CURDIR)/deploy/jupyter

# JupyterHub's proxy, configurable-http-proxy, from npm at the version deploy/hub/package-lock.json
# pins (into deploy/hub/node_modules): `make hub` needs it, and so does the hub's test.
PROXY := deploy/hub/node_modules/.bin/configurable-http-proxy

$(PROXY): deploy/hub/package.json deploy/hub/package-lock.json
	npm ci --prefix deploy/hub --no-audit --no-fund
	touch $(PROXY)

proxy: $(PROXY)  ## configurable-http-proxy (npm), for make hub

# `LABNET_HUB_PASSWORD=... make hub HUB_IP=0.0.0.0`: the class's JupyterHub on this machine
HUB_IP ?= 127.0.0.1
HUB_PORT ?= 8000

hub: $(STAMP) $(PROXY)  ## JupyterHub for a class on this machine: see deploy/README.md
	LABNET_HUB_IP=$(HUB_IP) LABNET_HUB_PORT=$(HUB_PORT) \
		$(BIN)/jupyterhub -f deploy/hub/jupyterhub_config.py

test: $(STAMP)  ## ruff, then the whole test suite (browser tests skip without Chromium)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)  ## speed of the framework and of the lab, as ratios
	$(BIN)/python benchmarks/bench_framework.py
	$(BIN)/python benchmarks/bench_lab.py

seed: $(STAMP)  ## the seed experiment, 10 runs
	$(BIN)/python -m labnet seed --runs 10

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis deploy/hub/node_modules
