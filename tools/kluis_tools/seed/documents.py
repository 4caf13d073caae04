"""The PDF documents: a real invoice laid out once with fpdf2, brought to its target size cheaply."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache

from kluis_tools.seed.invoices import Invoice, InvoiceLine, Party, eur
from kluis_tools.seed.spec import ZERO


# -- documents ----------------------------------------------------------------------------------
def check_pdf(data: bytes) -> None:
    """A structural check, as no PDF parser can be assumed: header, trailer, and a startxref that
    points at the cross-reference table. Raises ValueError."""
    if not data.startswith(b"%PDF-1."):
        raise ValueError("not a PDF: no %PDF- header")
    tail = data[-1024:]
    if not tail.rstrip().endswith(b"%%EOF"):
        raise ValueError("PDF does not end with %%EOF")
    at = tail.rfind(b"startxref")
    if at < 0:
        raise ValueError("PDF has no startxref")
    try:
        offset = int(tail[at + len(b"startxref") :].split()[0])
    except (IndexError, ValueError) as error:
        raise ValueError("PDF startxref is not a number") from error
    if data[offset : offset + 4] != b"xref":
        raise ValueError("PDF startxref does not point at the xref table")


@dataclass(frozen=True)
class DocumentPlan:
    """Everything needed to render one PDF; rendering happens in the upload threads, so a multi-GB
    set is never held in memory."""

    document_id: str
    invoice: Invoice
    size: int  # target size in bytes
    stamp: str  # what the bookkeeping stamped on the scan: the journal entry, or "not yet booked"
    payload_seed: str

    def render(self, overhead: int | None = None) -> bytes:
        """The invoice as PDF bytes, about `size` long.

        `overhead` is the size of the PDF around its payload; by default a typical invoice's,
        measured once per process, which lands every document within a few hundred bytes of its size.
        """
        if overhead is None:
            overhead = _typical_overhead()
        return _render_invoice(self, max(0, self.size - overhead))


@cache
def _typical_overhead() -> int:
    party = Party(
        "Voorbeeld B.V.", "Kerkstraat 1", "1011 AB", "Amsterdam", "12345678", "NL000000000B01", "NL00ABNA0"
    )
    lines = tuple(InvoiceLine(f"Artikel {n}", n, Decimal("12.50"), 21) for n in (1, 2))
    invoice = Invoice("F2025-00001", date(2025, 1, 1), party, party, lines)
    plan = DocumentPlan("doc-2025-000001", invoice, 0, "Geboekt: je-2025-000001 (inkoop)", "overhead")
    # One payload byte makes fpdf2 add the attachment's objects; they belong to the overhead too.
    return len(_render_invoice(plan, 1)) - 1


def _render_invoice(plan: DocumentPlan, payload_bytes: int) -> bytes:
    invoice = plan.invoice
    seller, buyer = invoice.seller, invoice.buyer
    # Imported here: fpdf2 is a development dependency, not one of the Lambda layer's, and modules
    # such as kluis_tools.cli may import this one where only the records are needed.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    # cp1252 is what the core fonts' WinAnsiEncoding covers: it has the euro sign, latin-1 has not.
    pdf.core_fonts_encoding = "windows-1252"
    # A fixed creation date (and so a fixed /ID, which fpdf2 hashes from content and date) keeps the
    # bytes reproducible.
    pdf.set_creation_date(
        datetime(invoice.issued.year, invoice.issued.month, invoice.issued.day, 9, tzinfo=UTC)
    )
    pdf.set_title(f"Factuur {invoice.number}")
    pdf.set_author(seller.name)
    pdf.set_subject(plan.stamp)
    pdf.set_keywords(plan.document_id)
    pdf.set_creator("Kluis seed")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    # pdf.text() places strings directly; cell() layout costs several times more and documents must
    # render at well over 100 MB/s.
    pdf.set_font("Helvetica", "B", 16)
    pdf.text(20, 25, seller.name)
    pdf.set_font("Helvetica", "", 9)
    y = 31.0
    for text in (
        seller.street,
        f"{seller.postcode}  {seller.city}",
        f"KvK {seller.kvk}   BTW {seller.vat_number}",
        f"IBAN {seller.iban}",
    ):
        pdf.text(20, y, text)
        y += 4.5
    pdf.set_font("Helvetica", "B", 22)
    pdf.text(150, 25, "FACTUUR")
    pdf.set_font("Helvetica", "", 10)
    y = 62.0
    for text in (buyer.name, buyer.street, f"{buyer.postcode}  {buyer.city}"):
        pdf.text(20, y, text)
        y += 5
    due = invoice.issued + timedelta(days=30)
    y = 62.0
    for label, value in (
        ("Factuurnummer", invoice.number),
        ("Factuurdatum", invoice.issued.strftime("%d-%m-%Y")),
        ("Vervaldatum", due.strftime("%d-%m-%Y")),
        ("Uw BTW-nummer", buyer.vat_number),
    ):
        pdf.text(120, y, label)
        pdf.text(155, y, value)
        y += 5
    y = 95.0
    pdf.set_font("Helvetica", "B", 10)
    for x, text in ((20, "Omschrijving"), (115, "Aantal"), (135, "Prijs"), (158, "BTW"), (175, "Bedrag")):
        pdf.text(x, y, text)
    pdf.line(20, y + 2, 195, y + 2)
    pdf.set_font("Helvetica", "", 10)
    y += 8
    for line in invoice.lines:
        pdf.text(20, y, line.description)
        pdf.text(118, y, str(line.quantity))
        pdf.text(133, y, eur(line.unit_price))
        pdf.text(158, y, f"{line.rate}%")
        pdf.text(173, y, eur(line.amount))
        y += 6
    pdf.line(20, y, 195, y)
    y += 7
    nets, vats = invoice.net_by_rate(), invoice.vat_by_rate()
    totals = [("Subtotaal", sum(nets.values(), ZERO))]
    totals += [(f"BTW {rate}% over {eur(net)}", vats[rate]) for rate, net in nets.items() if rate]
    totals += [("Vrijgesteld van BTW", net) for rate, net in nets.items() if not rate]
    for label, amount in totals:
        pdf.text(110, y, label)
        pdf.text(173, y, eur(amount))
        y += 6
    pdf.set_font("Helvetica", "B", 11)
    pdf.text(110, y + 1, "Totaal te betalen")
    pdf.text(173, y + 1, eur(invoice.total))
    pdf.set_font("Helvetica", "", 8)
    pdf.text(
        20,
        268,
        f"Wij verzoeken u vriendelijk het totaalbedrag binnen 30 dagen over te maken op {seller.iban}",
    )
    pdf.text(20, 272, f"onder vermelding van factuurnummer {invoice.number}.")
    # The Scan & Recognize stamp: which journal entry this scan was booked in.
    pdf.set_text_color(180, 20, 20)
    pdf.set_font("Helvetica", "B", 9)
    pdf.text(120, 45, plan.stamp)
    pdf.text(120, 50, plan.document_id)
    if payload_bytes:
        # The "original scan": incompressible bytes stored uncompressed, so a document's size is
        # what the spec asks and archive sizes in benchmarks are honest (ZIP cannot shrink them).
        payload = random.Random(plan.payload_seed).randbytes(payload_bytes)
        pdf.embed_file(
            bytes=payload,
            basename=f"scan-{plan.document_id}.bin",
            mime_type="application/octet-stream",
            desc="Origineel van de scan (testdata: pseudo-willekeurige bytes)",
            compress=False,
        )
    data = bytes(pdf.output())
    check_pdf(data)
    return data
