"""What distinguishes one XAF version from another: its namespace and, per element, which child
elements it has, in which order, under which name and with which maximum length.

The mapping from records to values (`kluis.books.xaf.mapping`) is the same for every version: it
names each value by a key (the XAF 3.2 element name). A version's layout picks the keys it has,
in its own order, under its own names (3.2's `companyIdent` is 4.0's `Commercenr`), and clips
texts to its own limits. A value the layout does not name is simply not written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Leaf:
    """An element with a text value; `limit` is the XSD's maxLength, if it has one."""

    key: str
    tag: str
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """An element with child elements; its value is one mapping of values or a sequence of them."""

    key: str
    tag: str
    children: Layout


Slot = Leaf | Group
Layout = tuple[Slot, ...]
# A value: a text (None: not written, "": written empty), or the values of a group (or several).
Value = Union[str, None, "Values", Sequence["Values"]]
Values = Mapping[str, Value]


def leaf(key: str, limit: int | None = None, tag: str | None = None) -> Leaf:
    return Leaf(key, tag or key, limit)


def group(key: str, children: Layout, tag: str | None = None) -> Group:
    return Group(key, tag or key, children)


@dataclass(frozen=True)
class XafVersion:
    """One version of the auditfile: the layout of each element the writer produces."""

    name: str
    namespace: str
    header: Layout
    company: Layout  # the company's own details, before customersSuppliers
    customer_supplier: Layout
    ledger_account: Layout
    vat_code: Layout
    period: Layout
    opening_balance: Layout  # its totals, before the lines
    opening_line: Layout
    transactions: Layout  # their totals, before the journals
    journal: Layout  # before its transactions
    transaction: Layout  # with its lines
