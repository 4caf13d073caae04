"""The XML Auditfile Financieel (XAF) of an administration/year: 3.2 and 4.0, written as a stream.

`SurveyedBooks.read(source, options)` reads the records once; its `chunks(version)` writes each
auditfile from them. `AUDITFILE_VERSIONS` says which file of an archive holds which version.
"""

from kluis.archive.names import AUDITFILE_NAME, AUDITFILES
from kluis.books.xaf.auditfile import AuditfileOptions, SurveyedBooks, auditfile_chunks
from kluis.books.xaf.layout import XafVersion
from kluis.books.xaf.v32 import XAF_32
from kluis.books.xaf.v40 import XAF_40

VERSIONS = {version.name: version for version in (XAF_40, XAF_32)}
# Each auditfile of an archive with the layout of its version, in the order the build writes them.
AUDITFILE_VERSIONS = {name: VERSIONS[version] for name, version in AUDITFILES.items()}

__all__ = [
    "AUDITFILE_NAME",
    "AUDITFILE_VERSIONS",
    "VERSIONS",
    "XAF_32",
    "XAF_40",
    "AuditfileOptions",
    "SurveyedBooks",
    "XafVersion",
    "auditfile_chunks",
]
