"""deploy/kubernetes/base/prometheusrule.yaml, made from deploy/prometheus/alerts.yml.

A PrometheusRule's `spec` has the shape of a Prometheus rule file (`groups:`), so the rules are
the file's own text, indented under `spec:` (comments and block scalars kept): one source of
rules for Prometheus, docker-compose and Kubernetes. Stdlib only.

    python -m scripts.k8s_alerts           rewrite the manifest when it differs
    python -m scripts.k8s_alerts --check   exit 1 when the manifest is stale
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "deploy" / "prometheus" / "alerts.yml"
TARGET = ROOT / "deploy" / "kubernetes" / "base" / "prometheusrule.yaml"

HEADER = """\
# GENERATED from deploy/prometheus/alerts.yml by `python -m scripts.k8s_alerts` (run by
# `make k8s-manifests`): edit that file, not this one. tests/deploy/test_kubernetes.py checks both agree.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: papyrus
  labels:
    app.kubernetes.io/name: papyrus
    app.kubernetes.io/component: alerts
spec:
"""


def render(source: str) -> str:
    """The manifest for the rule file `source`: its lines from `groups:` on, two spaces deeper."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("groups:"))
    body = [f"  {line}" if line.strip() else "" for line in lines[start:]]
    return HEADER + "\n".join(body).rstrip() + "\n"


def main(argv: list[str]) -> int:
    wanted = render(SOURCE.read_text())
    current = TARGET.read_text() if TARGET.exists() else ""
    if "--check" in argv:
        if current != wanted:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python -m scripts.k8s_alerts", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        TARGET.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
