"""Query-string filters that several routes share."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler.api_gateway import Router

from kluis.scope import check_administration, check_year


@dataclass(frozen=True)
class ScopeFilter:
    """`?administration=&year=`: either, both or neither; each checked as a path's would be."""

    administration: str | None = None
    year: str | None = None

    @classmethod
    def of(cls, router: Router) -> ScopeFilter:
        event = router.current_event
        administration = event.get_query_string_value("administration")
        year = event.get_query_string_value("year")
        return cls(
            administration=None if administration is None else check_administration(administration),
            year=None if year is None else check_year(year),
        )

    def admits(self, administration: str | None, year: str | None) -> bool:
        return (self.administration is None or administration == self.administration) and (
            self.year is None or year == self.year
        )
