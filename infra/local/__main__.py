"""`make run`: the whole product on 127.0.0.1, no AWS account, no Docker.

python -m infra.local [--port 8000] [--aws-port 5000] [--no-seed]
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from infra.local.gateway import Gateway
from infra.local.scheduler import Scheduler
from infra.local.stack import LocalStack
from kluis.storage.data import DataStore
from kluis_tools.seed import SeedSpec, seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="web client and HTTP API")
    parser.add_argument("--aws-port", type=int, default=5000, help="the embedded AWS (moto)")
    parser.add_argument("--no-seed", action="store_true", help="start without demo data")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    web_origin = f"http://127.0.0.1:{args.port}"
    stack = LocalStack(port=args.aws_port, parameters={"WebOrigin": web_origin}).start()
    if not args.no_seed:
        report = seed(DataStore(stack.client("s3"), stack.name_of("DataBucket")), SeedSpec())
        print(report.summary())
    gateway = Gateway(stack, port=args.port).start()
    scheduler = Scheduler(stack).start()
    if not args.no_seed:  # a daily job: once now, so the demo's closed years have their retention archives
        threading.Thread(target=_retain_closed_years, args=(stack,), daemon=True).start()
    print(banner(gateway.url, stack.endpoint))
    print(operator_banner(stack))
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    scheduler.stop()
    gateway.stop()
    stack.stop()


def _retain_closed_years(stack: LocalStack) -> None:
    try:
        started = stack.run_scheduled("RetainClosedYearsFunction")["started"]
        logging.getLogger("local").info("retention archives of closed years started: %s", ", ".join(started))
    except Exception:  # the page works without them; the log says why
        logging.getLogger("local").exception("retention archives of closed years could not start")


def banner(url: str, aws: str) -> str:
    return f"""
Kluis runs locally.

  Web client:     {url}/          (signs you in as demo customer 10234)
  HTTP API:       {url}/api/...   (same routes as template.yaml)
  Embedded AWS:   {aws}   (moto; AWS_ENDPOINT_URL={aws})

Make a backup with curl:

  field() {{ python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }}
  TOKEN=$(curl -s "{url}/local/token?customer=10234")
  JOB=$(curl -s -X POST {url}/api/administrations/00017/years/2025/backups \\
          -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
          -d '{{"includeDocuments": true}}' | field jobId)
  curl -s {url}/api/jobs/$JOB -H "Authorization: Bearer $TOKEN"    # again until "status": "ready"
  curl -s -OJ "$(curl -s {url}/api/jobs/$JOB -H "Authorization: Bearer $TOKEN" | field downloadUrl)"

Stop with Ctrl-C.
"""


def operator_banner(stack: LocalStack) -> str:
    """The environment `kluis ops` needs against this stack (docs/operations.md)."""
    outputs = stack.outputs()
    return f"""Operator commands (system restores, drills), in another shell:

  export AWS_ENDPOINT_URL={stack.endpoint} AWS_DEFAULT_REGION=eu-west-1 \\
         AWS_ACCESS_KEY_ID=kluis-local AWS_SECRET_ACCESS_KEY=kluis-local \\
         DATA_BUCKET={outputs["DataBucket"]} JOBS_TABLE={outputs["JobsTable"]} \\
         SYSTEM_RESTORE_STATE_MACHINE_ARN={outputs["SystemRestoreStateMachine"]} \\
         AUDIT_BUCKET={outputs["AuditBucket"]} RETENTION_BUCKET={outputs["RetentionBucket"]}
  .venv/bin/kluis ops requests
  .venv/bin/kluis ops drill
  .venv/bin/kluis ops audit verify --customer 10234
  .venv/bin/kluis ops retention list --customer 10234
"""


if __name__ == "__main__":
    main()
