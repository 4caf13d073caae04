"""XAF 4.0 (the Belastingdienst's XmlauditfileXAF_4.0 namespace), required from 2027.

The same records as 3.2 (`kluis.books.xaf.v32`), under 4.0's names and limits: the company's KvK
number is `Commercenr`, texts are mostly limited to 100 or 255 characters instead of 999, and
4.0 has no postal addresses or bank accounts of relations.
"""

from __future__ import annotations

from kluis.books.xaf.layout import Layout, XafVersion, group, leaf

ADDRESS: Layout = (
    leaf("streetname", 100),
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
    leaf("docRef", 255),
    leaf("effDate"),
    leaf("desc"),
    leaf("amnt"),
    leaf("amntTp"),
    leaf("custSupID"),
    leaf("invRef", 255),
    group("vat", VAT),
)

XAF_40 = XafVersion(
    name="4.0",
    namespace="http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0",
    header=(
        leaf("fiscalYear", 9),
        leaf("startDate"),
        leaf("endDate"),
        leaf("curCode"),
        leaf("dateCreated"),
        leaf("softwareDesc", 50),
        leaf("softwareVersion", 20),
        leaf("RGSVersion", 20),
    ),
    company=(
        leaf("companyIdent", 100, tag="Commercenr"),
        leaf("companyName", 255),
        leaf("taxRegistrationCountry"),
        leaf("taxRegIdent", 30),
        group("streetAddress", ADDRESS),
    ),
    customer_supplier=(
        leaf("custSupID"),
        leaf("custSupName", 50),
        leaf("eMail"),
        leaf("commerceNr", 100),
        leaf("taxRegistrationCountry"),
        leaf("taxRegIdent", 30),
        leaf("custSupTp"),
        group("streetAddress", ADDRESS),
    ),
    ledger_account=(leaf("accID"), leaf("accDesc", 255), leaf("accTp"), leaf("RGScode", 255)),
    vat_code=(leaf("vatID"), leaf("vatDesc", 100), leaf("vatToPayAccID"), leaf("vatToClaimAccID")),
    period=(leaf("periodNumber"), leaf("startDatePeriod"), leaf("endDatePeriod")),
    opening_balance=(leaf("linesCount"), leaf("totalDebit"), leaf("totalCredit")),
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
