"""The XML Auditfile Financieel (XAF) of an administration/year: 3.2 and 4.0, written as a stream.

`auditfile_chunks(source, options)` is what a backup calls; the rest is how it is made.
"""

from kluis.archive.names import AUDITFILE_32_NAME, AUDITFILE_NAME
from kluis.books.xaf.auditfile import AuditfileOptions, auditfile_chunks
from kluis.books.xaf.layout import XafVersion
from kluis.books.xaf.v32 import XAF_32
from kluis.books.xaf.v40 import XAF_40

__all__ = [
    "AUDITFILE_32_NAME",
    "AUDITFILE_NAME",
    "XAF_32",
    "XAF_40",
    "AuditfileOptions",
    "XafVersion",
    "auditfile_chunks",
]
