"""The product's limits on starting work: backups and restores per hour, per customer and per
administration/year, and auditfiles made on request per customer (template parameters). A
bookkeeper who hits one is told when to try again."""

from __future__ import annotations

from dataclasses import dataclass

from kluis.scope import Scope
from kluis.storage.limits import RateLimits


@dataclass(frozen=True)
class Quotas:
    backups_per_customer: int = 60
    backups_per_administration: int = 10
    restores_per_customer: int = 30
    restores_per_administration: int = 5
    auditfiles_per_customer: int = 20


class StartLimits:
    def __init__(self, counters: RateLimits, quotas: Quotas) -> None:
        self.counters = counters
        self.quotas = quotas

    def backup_starts(self, scope: Scope) -> None:
        """Count a backup of `scope` starting now (LimitReached, 429, over a limit)."""
        self.counters.take(
            scope.customer, "backups", self.quotas.backups_per_customer, "limit.backups_per_customer"
        )
        self.counters.take(
            scope.customer,
            f"backups#{scope.lock_name}",
            self.quotas.backups_per_administration,
            "limit.backups_per_administration",
        )

    def restore_requested(self, customer: str) -> None:
        """Count a restore of `customer` starting now (its administration/year is not known yet)."""
        self.counters.take(
            customer, "restores", self.quotas.restores_per_customer, "limit.restores_per_customer"
        )

    def restore_of(self, scope: Scope) -> None:
        """Count a restore into `scope`, once its file has named it."""
        self.counters.take(
            scope.customer,
            f"restores#{scope.lock_name}",
            self.quotas.restores_per_administration,
            "limit.restores_per_administration",
        )

    def auditfile_requested(self, customer: str) -> None:
        """Count an auditfile asked for now: each reads a whole archive, which may be gigabytes."""
        self.counters.take(
            customer, "auditfiles", self.quotas.auditfiles_per_customer, "limit.auditfiles_per_customer"
        )
