"""XAF 3.2 (namespace http://www.auditfiles.nl/XAF/3.2): the version most packages import today.

Element names and maximum lengths as in XmlAuditfileFinancieel3.2.xsd; only the elements the
records can fill are listed.
"""

from __future__ import annotations

from kluis.books.xaf.layout import Layout, XafVersion, group, leaf

ADDRESS: Layout = (
    leaf("streetname", 999),
    leaf("number", 15),
    leaf("numberExtension", 999),
    leaf("city", 50),
    leaf("postalCode", 10),
    leaf("country"),
)
VAT: Layout = (leaf("vatID"), leaf("vatPerc"), leaf("vatAmnt"), leaf("vatAmntTp"))
TRANSACTION_LINE: Layout = (
    leaf("nr"),
    leaf("accID"),
    leaf("docRef", 999),
    leaf("effDate"),
    leaf("desc"),
    leaf("amnt"),
    leaf("amntTp"),
    leaf("custSupID"),
    leaf("invRef", 999),
    group("vat", VAT),
)

XAF_32 = XafVersion(
    name="3.2",
    namespace="http://www.auditfiles.nl/XAF/3.2",
    header=(
        leaf("fiscalYear", 9),
        leaf("startDate"),
        leaf("endDate"),
        leaf("curCode"),
        leaf("dateCreated"),
        leaf("softwareDesc", 50),
        leaf("softwareVersion", 20),
    ),
    company=(
        leaf("companyIdent", 35),
        leaf("companyName", 999),
        leaf("taxRegistrationCountry"),
        leaf("taxRegIdent", 30),
        group("streetAddress", ADDRESS),
    ),
    customer_supplier=(
        leaf("custSupID"),
        leaf("custSupName", 50),
        leaf("eMail"),
        leaf("commerceNr", 999),
        leaf("taxRegistrationCountry"),
        leaf("taxRegIdent", 30),
        leaf("custSupTp"),
        group("streetAddress", ADDRESS),
        group("bankAccount", (leaf("bankAccNr"),)),
    ),
    ledger_account=(leaf("accID"), leaf("accDesc", 999), leaf("accTp")),
    vat_code=(leaf("vatID"), leaf("vatDesc", 999), leaf("vatToPayAccID"), leaf("vatToClaimAccID")),
    period=(leaf("periodNumber"), leaf("periodDesc", 50), leaf("startDatePeriod"), leaf("endDatePeriod")),
    opening_balance=(
        leaf("opBalDate"),
        leaf("opBalDesc", 999),
        leaf("linesCount"),
        leaf("totalDebit"),
        leaf("totalCredit"),
    ),
    opening_line=(leaf("nr"), leaf("accID"), leaf("amnt"), leaf("amntTp")),
    transactions=(leaf("linesCount"), leaf("totalDebit"), leaf("totalCredit")),
    journal=(leaf("jrnID"), leaf("desc"), leaf("jrnTp")),
    transaction=(
        leaf("nr"),
        leaf("desc"),
        leaf("periodNumber"),
        leaf("trDt"),
        group("trLine", TRANSACTION_LINE),
    ),
)
