"""The local stand-in for EventBridge schedules: `make run` invokes scheduled functions on their rate.

`rate(N minute|minutes|hour|hours|day|days)` runs every N units; a `cron(...)` schedule (e.g. the
weekly drill) is left to be run by hand (`kluis ops drill`, or `LocalStack.run_scheduled`), since a
local session rarely lives to see it. Tests invoke scheduled functions directly instead.
"""

from __future__ import annotations

import logging
import re
import threading

from infra.local.stack import LocalStack, Schedule

LOG = logging.getLogger("local.scheduler")
RATE = re.compile(r"rate\((?P<count>[0-9]+) (?P<unit>minute|minutes|hour|hours|day|days)\)")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def period_seconds(schedule: Schedule) -> float | None:
    """Seconds between runs of a rate() schedule; None for what the local scheduler does not run."""
    match = RATE.fullmatch(schedule.expression)
    if match is None:
        return None
    return int(match["count"]) * UNIT_SECONDS[match["unit"].rstrip("s")]


class Scheduler:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.stopped = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> Scheduler:
        for schedule in self.stack.schedules:
            period = period_seconds(schedule)
            if period is None:
                LOG.info(
                    "%s runs on %s in the cloud; run it by hand locally",
                    schedule.function,
                    schedule.expression,
                )
                continue
            thread = threading.Thread(target=self._every, args=(schedule, period), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def _every(self, schedule: Schedule, period: float) -> None:
        while not self.stopped.wait(period):
            try:
                self.stack.run_scheduled(schedule.function)
            except Exception:  # a failed run is logged, as EventBridge would retry and alarm
                LOG.exception("scheduled %s failed", schedule.function)

    def stop(self) -> None:
        self.stopped.set()
