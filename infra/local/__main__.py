"""`make run`: the whole product on 127.0.0.1, no AWS account, no Docker.

python -m infra.local [--port 8000] [--aws-port 5000] [--no-seed] [--faults 0.02]
make run ARGS="--port 8001 --aws-port 5001"
make run FAULTS=0.02        (or KLUIS_LOCAL_FAULT_RATE=0.02: 2 % of AWS requests fail as AWS fails them)

Both ports are checked before anything starts: when one is taken (another `make run`, most likely),
this exits at once with status 2 and says which port and how to choose others.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from typing import Any

HOST = "127.0.0.1"
PORT_IN_USE = 2  # the exit status when a port is taken


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local",
        description="Kluis on 127.0.0.1: the embedded AWS, demo data, the HTTP API and the web client.",
        epilog='With make: make run ARGS="--port 8001 --aws-port 5001".',
    )
    parser.add_argument("--port", type=int, default=8000, help="web client and HTTP API (default 8000)")
    parser.add_argument("--aws-port", type=int, default=5000, help="the embedded AWS, moto (default 5000)")
    parser.add_argument("--no-seed", action="store_true", help="start without demo data")
    parser.add_argument(
        "--faults",
        metavar="SHARE",
        default=None,
        help="answer this share (0 to 1, e.g. 0.02) of the product's AWS requests with the transient "
        "faults AWS sends: throttling, S3 SlowDown and InternalError (default: KLUIS_LOCAL_FAULT_RATE or 0)",
    )
    args = parser.parse_args()
    # Before the slow imports below: a second `make run` must say so at once, not hang or half start.
    problem = ports_problem({"--port": args.port, "--aws-port": args.aws_port})
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(PORT_IN_USE)
    from infra.local.faults import RATE_ENV, rate_from

    try:
        os.environ[RATE_ENV] = str(
            rate_from(args.faults if args.faults is not None else os.environ.get(RATE_ENV))
        )
    except ValueError as error:
        parser.error(str(error))
    serve(args.port, args.aws_port, seed_demo=not args.no_seed)


def ports_problem(ports: dict[str, int]) -> str | None:
    """None when every port can be listened on; else what is wrong, and what to do, in words."""
    if ports["--port"] == ports["--aws-port"]:
        return f"Kluis cannot start: --port and --aws-port are both {ports['--port']}; give two ports."
    roles = {"--port": "the web client and HTTP API", "--aws-port": "the embedded AWS, moto"}
    taken = [option for option, port in ports.items() if not _can_listen(port)]
    if not taken:
        return None
    lines = [f"Kluis cannot start: port {ports[o]} ({roles[o]}) is in use on {HOST}." for o in taken]
    avoid = set(ports.values())
    chosen = {o: _free_port_near(port, avoid) if o in taken else port for o, port in ports.items()}
    suggestion = " ".join(f"{option} {port}" for option, port in chosen.items())
    lines += [
        "Another `make run` is probably running: stop it with Ctrl-C in its terminal, or choose other ports:",
        "",
        f"  .venv/bin/python -m infra.local {suggestion}",
        f'  make run ARGS="{suggestion}"',
    ]
    return "\n".join(lines)


def _can_listen(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is fine
        try:
            sock.bind((HOST, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _free_port_near(port: int, avoid: set[int]) -> int:
    for candidate in range(port + 1, port + 100):
        if candidate not in avoid and _can_listen(candidate):
            return candidate
    return port + 1


def serve(port: int, aws_port: int, *, seed_demo: bool) -> None:
    import logging
    import signal
    import threading

    from infra.local.gateway import Gateway
    from infra.local.scheduler import Scheduler
    from infra.local.stack import LocalStack
    from kluis.storage.data import DataStore
    from kluis_tools.seed import SeedSpec, seed

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    web_origin = f"http://{HOST}:{port}"
    stack = LocalStack(port=aws_port, parameters={"WebOrigin": web_origin}).start()
    if seed_demo:
        report = seed(DataStore(stack.client("s3"), stack.name_of("DataBucket")), SeedSpec())
        print(report.summary())
    gateway = Gateway(stack, port=port).start()
    scheduler = Scheduler(stack).start()
    if seed_demo:  # a daily job: once now, so the demo's closed years have their retention archives
        threading.Thread(target=_retain_closed_years, args=(stack,), daemon=True).start()
    # From here Ctrl-C (or SIGTERM) stops both servers; before, it simply ends the start-up.
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(banner(gateway.url, stack.endpoint))
    if stack.faults.rate:
        share = f"{stack.faults.rate:.1%}"
        print(f"  Faults:         {share} of the product's AWS requests fail as AWS fails them\n")
    print(operator_banner(stack.outputs(), stack.endpoint), flush=True)
    stop.wait()
    scheduler.stop()
    gateway.stop()
    stack.stop()


def _retain_closed_years(stack: Any) -> None:
    import logging

    log = logging.getLogger("local")
    try:
        started = stack.run_scheduled("RetainClosedYearsFunction")["started"]
        log.info("retention archives of closed years started: %s", ", ".join(started))
    except Exception:  # the page works without them; the log says why
        log.exception("retention archives of closed years could not start")


def banner(url: str, aws: str) -> str:
    # The API answers compact JSON ({"status":"ready",...}); `field` reads one field of it, so the
    # recipe waits for the status itself rather than for a string to look for.
    return f"""
Kluis runs locally.

  Web client:     {url}/          (signs you in as demo customer 10234)
  HTTP API:       {url}/api/...   (same routes as template.yaml)
  Embedded AWS:   {aws}   (moto; AWS_ENDPOINT_URL={aws})

Make a backup with curl:

  field() {{ python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }}
  TOKEN=$(curl -s "{url}/local/token?customer=10234")
  JOB=$(curl -s -X POST {url}/api/administrations/00017/years/2025/backups \\
          -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
          -d '{{"includeDocuments": true}}' | field jobId)
  job() {{ curl -s {url}/api/jobs/$JOB -H "Authorization: Bearer $TOKEN" | field "$1"; }}
  until [ "$(job final)" = True ]; do sleep 1; done     # the job has ended
  job status                                            # ready (or failed: job reason says why)
  URL=$(curl -s {url}/api/jobs/$JOB/download -H "Authorization: Bearer $TOKEN" | field downloadUrl)
  curl -s -OJ "$URL"                                    # a fresh link per download (in the Logboek)

Stop with Ctrl-C.
"""


def operator_banner(outputs: dict[str, str], endpoint: str) -> str:
    """The environment `kluis ops` needs against this stack (docs/operations.md)."""
    from infra.local.enforcement import Roles

    # The operator works in a session of OperatorRole: the local stack answers it under that role.
    key = Roles.access_key("OperatorRole")
    return f"""Operator commands (system restores, drills, audit log, retention), in another shell,
as the OperatorRole (its policy is enforced as on AWS):

  export AWS_ENDPOINT_URL={endpoint} AWS_DEFAULT_REGION=eu-west-1 \\
         AWS_ACCESS_KEY_ID={key} AWS_SECRET_ACCESS_KEY=kluis-local \\
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
