"""The production overlay's Redis bootstrap (redis-config.sh) with real redis-server and
redis-sentinel: three pods in order, a failover, and the old master rejoining the new one."""
import json
import subprocess
import sys

from tests.deploy.sentinel_pods import fqdn
from tests.support.live import ROOT


def test_redis_pods_bootstrap_fail_over_and_rejoin_the_new_master(tmp_path):
    # network + mount namespaces: the pods' addresses and /etc/hosts stay inside this run
    done = subprocess.run(["unshare", "--net", "--mount", sys.executable, "-m", "tests.deploy.sentinel_pods",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    # first start: no Sentinel answers, pod 0 is the master and the others replicate it
    assert [line.rsplit(" ", 1)[1] for line in seen["init"][:3]] == [fqdn(0)] * 3
    assert seen["replicas_before"] == [[fqdn(0), "up"], [fqdn(0), "up"]]
    assert seen["sentinels_acquainted"] is True
    # pod 0 killed: the Sentinels promote a replica; pod 0 comes back as its replica, with the data
    assert seen["master_after"] in {fqdn(1), fqdn(2)}
    assert seen["init"][3].endswith(f"starts with master {seen['master_after']}")
    assert seen["pod0_after_restart"] == [seen["master_after"], "up"]
    assert seen["value_on_pod0"] == "kept"
    assert seen["master_seen_by_pod0"] == seen["master_after"]
