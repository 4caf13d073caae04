"""Step `Build` of the backup state machine: stream the archive until done or out of time."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from kluis.backup import BackupBuilder
from kluis.resources import Resources
from kluis.transient import TransientError, is_transient

logger = Logger()
resources = Resources()


def time_budget(context: LambdaContext) -> float:
    """Seconds this invocation may write before it checkpoints, leaving a margin to save state."""
    margin = float(os.environ.get("BUILD_SAFETY_MARGIN_SECONDS", "60"))
    budget = context.get_remaining_time_in_millis() / 1000 - margin
    cap = os.environ.get("BUILD_TIME_BUDGET_SECONDS")  # tests use a tiny cap to force continuations
    return min(budget, float(cap)) if cap else budget


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(job=event["jobId"])
    builder = BackupBuilder(
        resources.store,
        resources.jobs,
        resources.s3,
        resources.settings.archives_bucket,
        resources.signer,
        resources.locks,
        part_size=resources.settings.multipart_part_size,
    )
    try:
        job = resources.jobs.get(event["customer"], event["jobId"])  # a lost read is transient too
        result = builder.run(job, time_budget(context))
    except (BotoCoreError, ClientError) as error:
        if is_transient(error):
            raise TransientError(str(error)) from error
        raise
    logger.info("build step ended", extra=asdict(result))
    return {"done": result.done, "progress": asdict(result)}
