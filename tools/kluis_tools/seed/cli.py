"""`kluis seed`: demo or benchmark data into any data bucket."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import boto3
from botocore.config import Config

from kluis.errors import KluisError
from kluis.storage.data import DataStore
from kluis_tools.seed.spec import KIB, PRESETS, SeedSpec, known_administration
from kluis_tools.seed.writer import seed


# -- command line -------------------------------------------------------------------------------
def _parse_administration(text: str) -> tuple[str, list[str]]:
    """'00017' or '00017:2024,2025'."""
    administration, _, years = text.partition(":")
    return administration.strip(), [y.strip() for y in years.split(",") if y.strip()]


def build_spec(args: argparse.Namespace) -> SeedSpec:
    values: dict[str, Any] = dict(PRESETS[args.preset])
    if args.administration:
        chosen = []
        for text in args.administration:
            administration, years = _parse_administration(text)
            known = known_administration(administration)
            years = years or list(args.year or ()) or list(known.years if known else ())
            if not years:
                raise ValueError(
                    f"administration {administration}: give its years (--year or 00017:2024,2025)"
                )
            chosen.append((administration, years))
        values["administrations"] = tuple(chosen)
    elif args.year:
        # --year alone: those years for every administration of the preset.
        base = SeedSpec(**values).administration_specs
        values["administrations"] = tuple((a.administration, list(args.year)) for a in base)
    for option, key in (
        ("customer", "customer"),
        ("entries", "entries_per_year"),
        ("documents", "documents_per_year"),
        ("proposals", "proposals"),
        ("seed", "seed"),
        ("relations", "relations"),
    ):
        if getattr(args, option) is not None:
            values[key] = getattr(args, option)
    if args.document_kib is not None:
        values["document_bytes"] = round(args.document_kib * KIB)
    return SeedSpec(**values)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kluis seed",
        description="Seed the data bucket with demo administrations: records, documents and proposals.",
    )
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL") or None)
    parser.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    parser.add_argument(
        "--bucket", default=os.environ.get("DATA_BUCKET") or None, help="data bucket ($DATA_BUCKET)"
    )
    parser.add_argument(
        "--preset", choices=sorted(PRESETS), default="demo", help="demo (default), small, bench"
    )
    parser.add_argument("--customer", help="customer number (default 10234)")
    parser.add_argument(
        "--administration",
        action="append",
        metavar="ADM[:YEARS]",
        help="repeatable; e.g. 00017 or 00017:2024,2025 (default: the preset's administrations)",
    )
    parser.add_argument(
        "--year", action="append", help="repeatable; fiscal years for administrations without own"
    )
    parser.add_argument("--entries", type=int, help="journal entries per administration/year")
    parser.add_argument("--documents", type=int, help="documents per administration/year")
    parser.add_argument("--document-kib", type=float, help="average document size in KiB")
    parser.add_argument("--proposals", type=int, help="pending proposals per administration/year")
    parser.add_argument("--relations", type=int, help="customers and suppliers per administration")
    parser.add_argument("--seed", type=int, help="same seed, same data")
    parser.add_argument("--workers", type=int, default=8, help="concurrent document uploads")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.bucket:
        parser.error("--bucket is required (or set DATA_BUCKET)")
    try:
        spec = build_spec(args)
    except ValueError as error:
        parser.error(str(error))
    except KluisError as error:  # a malformed customer, administration or year
        parser.error(error.reason.message)
    # One pooled connection per upload thread; botocore's default of 10 would make threads queue.
    config = Config(max_pool_connections=max(10, args.workers + 2), retries={"mode": "standard"})
    s3 = boto3.client(
        "s3", endpoint_url=args.endpoint_url, region_name=args.region or "us-east-1", config=config
    )
    progress = None if args.quiet else (lambda message: print(message, file=sys.stderr, flush=True))
    report = seed(DataStore(s3, args.bucket), spec, workers=args.workers, progress=progress)
    print(report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
