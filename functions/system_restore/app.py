"""Steps of system_restore.asl.json: restore one item of a request, record an item's failure, finish."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.flows.failures import technical_message
from kluis.jobs.lifecycle import ItemStatus
from kluis.runtime.logs import invocation, log_keys
from kluis.runtime.resources import Resources
from kluis.settings import Settings
from kluis.transient import retried_by_the_state_machine

logger = Logger()
resources = Resources(Settings.from_env(require=("DATA_BUCKET", "JOBS_TABLE")))


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    fulfilment = resources.fulfilment
    customer, request_id = event["customer"], event["requestId"]
    log_keys(logger, request=request_id, step=event["step"], index=event.get("index"))
    if event["step"] == "finish":
        return {"status": str(fulfilment.finish(customer, request_id).status)}
    if event["step"] == "item-failed":
        error = event.get("error") or {}
        name, cause = str(error.get("Error", "")), technical_message(error.get("Cause"))
        logger.error("system restore item failed", extra={"error": name, "detail": cause})
        fulfilment.item_failed(customer, request_id, int(event["index"]), name, cause)
        return {"status": str(ItemStatus.FAILED)}
    with retried_by_the_state_machine():
        item = fulfilment.restore_item(customer, request_id, int(event["index"]), event["source"])
    logger.info("system restore item restored", extra={"generation": item.generation})
    return {"status": str(item.status)}
