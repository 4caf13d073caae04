"""The scheduled restore drill: restore a sample of system backups into a scratch prefix and verify them.

Fails (so the DrillFailed alarm fires on the function's Errors metric) when any sampled item failed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.runtime.logs import invocation
from kluis.runtime.metrics import Unit, record
from kluis.runtime.resources import Resources
from kluis.settings import Settings

logger = Logger()
resources = Resources(Settings.from_env(require=("DATA_BUCKET", "JOBS_TABLE")))


class DrillFailed(Exception):
    pass


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    source = (event or {}).get("source", "primary")
    result = resources.drill.run(sample=resources.settings.drill_sample_size, source=source)
    record("DrillsPassed" if result["ok"] else "DrillsFailed")
    record("DrillItems", Unit.Count, len(result["items"]))
    logger.info("restore drill", extra={"drill": result["drill_id"], "ok": result["ok"]})
    if not result["ok"]:
        problems = [item.get("problem") for item in result["items"] if not item["ok"]] or ["nothing sampled"]
        raise DrillFailed(f"drill {result['drill_id']}: {problems}")
    return {"drillId": result["drill_id"], "ok": True, "items": len(result["items"])}
