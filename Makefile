# Papyrus — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: run test bench deps system-deps stop clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

system-deps:
	./scripts/install-system-deps.sh

deps: system-deps $(VENV)/.installed

run: deps
	PORT=$(PORT) $(PY) scripts/run.py

test: deps
	$(PY) scripts/services.py test -- $(PY) -m pytest $(PYTEST_ARGS)

bench: deps
	$(PY) scripts/services.py test -- $(PY) -m bench

stop:
	$(PY) scripts/services.py stop

clean:
	rm -rf $(VENV) var logs backups
