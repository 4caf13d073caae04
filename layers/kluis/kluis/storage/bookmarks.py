"""Where a scheduled job that ran out of time stopped, so that its next run goes on from there.

Kept in the jobs table under `pk = "ops"` (customers are digits only, so none can read it), as
`kluis.storage.drills` keeps the drills. Moving a bookmark back to the beginning writes it empty
rather than deleting it: its users' roles need GetItem and PutItem only.
"""

from __future__ import annotations

from typing import Any

BOOKMARK_PK = "ops"
BOOKMARK_PREFIX = "bookmark#"


class Bookmarks:
    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self.table = dynamodb.Table(table_name)

    def get(self, name: str) -> str | None:
        """The place `name`'s last unfinished run stopped, or None (start at the beginning)."""
        item = self.table.get_item(Key=self._key(name), ConsistentRead=True).get("Item")
        return str(item["place"]) if item and item.get("place") else None

    def put(self, name: str, place: str | None) -> None:
        """Leave the bookmark at `place`; None moves it back to the beginning."""
        self.table.put_item(Item=self._key(name) | {"place": place or ""})

    @staticmethod
    def _key(name: str) -> dict[str, str]:
        return {"pk": BOOKMARK_PK, "sk": BOOKMARK_PREFIX + name}
