"""The local stack with the replica condition true: replication, its role and the alarms are made.

In a child process: a second local stack would repoint this process's AWS endpoint away from the
session's harness.
"""

from __future__ import annotations

import json
import subprocess
import sys

from infra.local.template import ROOT

SCRIPT = """
import json
from infra.local.stack import LocalStack
stack = LocalStack(stack_name="kluis-replicated", parameters={
    "ReplicaBucketName": "kluis-replica", "ReplicaRegion": "eu-central-1",
    "ReplicaKmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}).start()
try:
    rules = stack.client("s3").get_bucket_replication(Bucket=stack.name_of("DataBucket"))
    alarms = stack.client("cloudwatch").describe_alarms()["MetricAlarms"]
    policies = stack.client("iam").list_role_policies(RoleName=stack.name_of("ReplicationRole"))
    print(json.dumps({
        "rule": rules["ReplicationConfiguration"]["Rules"][0],
        "alarms": sorted(a["MetricName"] for a in alarms),
        "policies": policies["PolicyNames"],
    }, default=str))
finally:
    stack.stop()
"""


def test_the_local_stack_creates_replication_when_given_a_replica():
    env = {"PYTHONPATH": f"{ROOT}:{ROOT / 'layers' / 'kluis'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["rule"]["ID"] == "SystemBackups"
    assert found["rule"]["DeleteMarkerReplication"] == {"Status": "Disabled"}
    assert found["rule"]["Destination"]["ReplicationTime"]["Status"] == "Enabled"
    assert {"OperationsFailedReplication", "ReplicationLatency"} <= set(found["alarms"])
    assert found["policies"] == ["replicate-system-backups"]
