"""An incremental XML writer: elements go in one at a time, UTF-8 chunks come out.

Hand-written on purpose, small: the auditfile is written as a stream of small, flat records, each
laid out by a version's `Layout`, and the standard library's `XMLGenerator` would need a text
wrapper over a buffer that is drained and truncated behind its back, one call per tag. This
writer gathers a record's text in a list and joins it once per chunk; escaping is the standard
library's (`xml.sax.saxutils`), and every text goes through `values.text`, which removes what
XML 1.0 cannot carry and clips it to the layout's limit. Memory holds one chunk, whatever the size
of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from kluis.books.xaf.layout import Group, Layout, Value, Values
from kluis.books.xaf.values import text

CHUNK_CHARS = 256 * 1024
INDENT = "  "


class XmlStream:
    def __init__(self, chunk_chars: int = CHUNK_CHARS) -> None:
        self.chunk_chars = chunk_chars
        self._parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
        self._size = 0
        self._depth = 0

    # -- writing ------------------------------------------------------------------------------
    def open(self, tag: str, attributes: Mapping[str, str] | None = None) -> None:
        attrs = "".join(f" {name}={quoteattr(value)}" for name, value in (attributes or {}).items())
        self._put(f"\n{INDENT * self._depth}<{tag}{attrs}>")
        self._depth += 1

    def close(self, tag: str) -> None:
        self._depth -= 1
        self._put(f"\n{INDENT * self._depth}</{tag}>")

    def fields(self, layout: Layout, values: Values) -> None:
        """The values the layout names, in its order, as child elements of the open element."""
        for slot in layout:
            value = values.get(slot.key)
            if value is None:
                continue
            if isinstance(slot, Group):
                self._group(slot, value)
            elif isinstance(value, str):
                self._leaf(slot.tag, text(value, slot.limit))
            else:
                raise TypeError(f"{slot.key}: a text is expected, not {type(value).__name__}")

    def element(self, tag: str, layout: Layout, values: Values) -> None:
        self.open(tag)
        self.fields(layout, values)
        self.close(tag)

    def _leaf(self, tag: str, value: str) -> None:
        self._put(f"\n{INDENT * self._depth}<{tag}>{escape(value)}</{tag}>")

    def _group(self, slot: Group, value: Value) -> None:
        if isinstance(value, str) or value is None:
            raise TypeError(f"{slot.key}: values of a group are expected, not a text")
        for item in [value] if isinstance(value, Mapping) else value:
            self.element(slot.tag, slot.children, item)

    def _put(self, part: str) -> None:
        self._parts.append(part)
        self._size += len(part)

    # -- reading the output --------------------------------------------------------------------
    def take(self) -> bytes | None:
        """A chunk of output once enough has gathered (None until then)."""
        return self.flush() if self._size >= self.chunk_chars else None

    def flush(self) -> bytes:
        """Everything written so far that was not taken yet."""
        data = "".join(self._parts).encode("utf-8")
        self._parts, self._size = [], 0
        return data
