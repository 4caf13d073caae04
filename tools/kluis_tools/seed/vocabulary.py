"""The Dutch vocabulary of the demo books: ledger accounts, goods and services, names and places."""

from __future__ import annotations

# -- the Dutch vocabulary -----------------------------------------------------------------------
# (code, name, kind, side, vat_code); kind: balance sheet or profit & loss.
LEDGER_ACCOUNTS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("0100", "Gebouwen", "balance", "debit", None),
    ("0110", "Afschrijving gebouwen", "balance", "credit", None),
    ("0200", "Inventaris", "balance", "debit", None),
    ("0210", "Afschrijving inventaris", "balance", "credit", None),
    ("0300", "Vervoermiddelen", "balance", "debit", None),
    ("0310", "Afschrijving vervoermiddelen", "balance", "credit", None),
    ("0500", "Eigen vermogen", "balance", "credit", None),
    ("0600", "Lening o/g", "balance", "credit", None),
    ("0700", "Voorzieningen", "balance", "credit", None),
    ("1000", "Kas", "balance", "debit", None),
    ("1100", "Bank", "balance", "debit", None),
    ("1110", "Spaarrekening", "balance", "debit", None),
    ("1200", "Kruisposten", "balance", "debit", None),
    ("1300", "Debiteuren", "balance", "debit", None),
    ("1400", "Vooruitbetaalde kosten", "balance", "debit", None),
    ("1600", "Crediteuren", "balance", "credit", None),
    ("1700", "Te betalen nettolonen", "balance", "credit", None),
    ("1710", "Af te dragen loonheffing", "balance", "credit", None),
    ("1720", "Af te dragen pensioenpremie", "balance", "credit", None),
    ("1800", "BTW af te dragen hoog", "balance", "credit", "V21"),
    ("1805", "BTW af te dragen laag", "balance", "credit", "V9"),
    ("1810", "BTW te vorderen", "balance", "debit", "I21"),
    ("1820", "Afdracht BTW", "balance", "credit", None),
    ("1900", "Vraagposten", "balance", "debit", None),
    ("3000", "Voorraad", "balance", "debit", None),
    ("4000", "Lonen en salarissen", "profit_loss", "debit", None),
    ("4010", "Sociale lasten", "profit_loss", "debit", None),
    ("4020", "Pensioenlasten", "profit_loss", "debit", None),
    ("4100", "Afschrijvingen", "profit_loss", "debit", None),
    ("4300", "Huisvestingskosten", "profit_loss", "debit", "I21"),
    ("4310", "Energiekosten", "profit_loss", "debit", "I21"),
    ("4400", "Kantoorkosten", "profit_loss", "debit", "I21"),
    ("4500", "Autokosten", "profit_loss", "debit", "I21"),
    ("4600", "Verkoopkosten en reclame", "profit_loss", "debit", "I21"),
    ("4700", "Advies- en administratiekosten", "profit_loss", "debit", "I21"),
    ("4710", "Verzekeringen", "profit_loss", "debit", None),
    ("4800", "Telefoon en internet", "profit_loss", "debit", "I21"),
    ("4900", "Bankkosten", "profit_loss", "debit", None),
    ("7000", "Inkoopwaarde van de omzet", "profit_loss", "debit", "I9"),
    ("8000", "Omzet hoog", "profit_loss", "credit", "V21"),
    ("8100", "Omzet laag", "profit_loss", "credit", "V9"),
    ("8200", "Omzet vrijgesteld", "profit_loss", "credit", "V0"),
    ("8900", "Overige opbrengsten", "profit_loss", "credit", None),
    ("9000", "Rentebaten", "profit_loss", "credit", None),
    ("9100", "Rentelasten", "profit_loss", "debit", None),
)

# The demo accounts' codes in the Referentie Grootboekschema (RGS), as an administration maps them:
# only where the code and its meaning were checked against published RGS tables (each has been in
# RGS since 3.1 and is active), the rest unmapped, as in many real administrations. Level 4
# (a ledger account) where known; huisvesting and autokosten at level 3, their group.
RGS_CODES: dict[str, str] = {
    "0100": "BMvaBegVvp",  # bedrijfsgebouwen: verkrijgings- of vervaardigingsprijs
    "0110": "BMvaBegCae",  # bedrijfsgebouwen: cumulatieve afschrijvingen en waardeverminderingen
    "0200": "BMvaBeiVvp",  # inventaris: verkrijgings- of vervaardigingsprijs
    "0210": "BMvaBeiCae",  # inventaris: cumulatieve afschrijvingen en waardeverminderingen
    "1000": "BLimKasKas",  # kas
    "1100": "BLimBanRba",  # rekening-courant bank
    "1300": "BVorDebHad",  # handelsdebiteuren
    "1600": "BSchCreHac",  # handelscrediteuren
    "4300": "WBedHui",  # huisvestingskosten
    "4500": "WBedAut",  # autokosten
}

SALES_ACCOUNT = {21: "8000", 9: "8100", 0: "8200"}
SALES_VAT = {21: ("1800", "V21"), 9: ("1805", "V9"), 0: (None, "V0")}
PURCHASE_VAT_CODE = {21: "I21", 9: "I9", 0: None}

# (description, VAT rate, unit price, max quantity)
Item = tuple[str, int, str, int]
SALES_ITEMS: dict[str, tuple[Item, ...]] = {
    "bakkerij": (
        ("Brood en broodjes", 9, "2.35", 120),
        ("Banket en gebak", 9, "3.95", 60),
        ("Taart op bestelling", 9, "32.50", 6),
        ("Lunchcatering per persoon", 9, "12.75", 40),
        ("Bezorging", 21, "15.00", 1),
        ("Verhuur koffieautomaat", 21, "45.00", 1),
    ),
    "installatie": (
        ("Installatie HR-ketel incl. materiaal", 21, "2450.00", 1),
        ("Onderhoud cv-installatie", 21, "119.00", 3),
        ("Storingsdienst per uur", 21, "78.50", 6),
        ("Arbeid isolatie woning", 9, "55.00", 24),
        ("Materiaal loodgieterswerk", 21, "18.40", 30),
        ("Voorrijkosten", 21, "35.00", 1),
    ),
    "stichting": (
        ("Zaalverhuur dagdeel", 21, "85.00", 4),
        ("Consumpties", 9, "2.50", 80),
        ("Cursusbijdrage", 0, "45.00", 12),
        ("Bijdrage activiteit", 0, "7.50", 40),
    ),
    "algemeen": (
        ("Advieswerkzaamheden per uur", 21, "95.00", 16),
        ("Levering goederen", 21, "24.95", 40),
        ("Levering voedingsmiddelen", 9, "6.80", 40),
    ),
}

# category -> (ledger account, weight among purchase invoices, supplier name patterns)
PURCHASE_CATEGORIES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "goederen": ("7000", 50, ("Groothandel {s}", "{s} Foodservice B.V.", "{s} & Zn. B.V.", "Handelmij. {s}")),
    "huisvesting": ("4300", 5, ("Vastgoed {s} B.V.", "{s} Beheer B.V.")),
    "energie": ("4310", 8, ("{c} Energie B.V.", "Energiecoöperatie {c}")),
    "kantoor": ("4400", 10, ("Kantoorvakhandel {s}", "{s} Office Supplies B.V.")),
    "auto": ("4500", 10, ("Autobedrijf {s}", "Garage {s} V.O.F.", "Tankstation {c}")),
    "reclame": ("4600", 5, ("Drukkerij {s}", "Reclamebureau {s}", "Weekblad {c}")),
    "advies": ("4700", 5, ("{s} Accountants", "Administratiekantoor {s}")),
    "verzekering": ("4710", 2, ("Verzekeringen {s} B.V.", "Assurantiekantoor {s}")),
    "telecom": ("4800", 5, ("{c} Telecom B.V.", "{s} ICT-diensten")),
}
PURCHASE_ITEMS: dict[str, tuple[Item, ...]] = {
    "huisvesting": (("Huur bedrijfsruimte", 21, "1850.00", 1), ("Servicekosten", 21, "145.00", 1)),
    "energie": (("Levering elektriciteit", 21, "412.30", 1), ("Levering gas", 21, "268.90", 1)),
    "kantoor": (
        ("Printpapier A4, doos 5 pak", 21, "27.95", 4),
        ("Tonercartridge", 21, "89.00", 2),
        ("Kantoorartikelen", 21, "12.50", 6),
    ),
    "auto": (
        ("Brandstof diesel", 21, "1.79", 80),
        ("Onderhoudsbeurt bestelbus", 21, "385.00", 1),
        ("Winterbanden", 21, "129.00", 4),
    ),
    "reclame": (("Advertentie huis-aan-huisblad", 21, "245.00", 1), ("Flyers 2500 stuks", 21, "189.00", 1)),
    "advies": (
        ("Samenstellen jaarrekening", 21, "1450.00", 1),
        ("Administratieve ondersteuning", 21, "85.00", 8),
    ),
    "verzekering": (
        ("Premie bedrijfsaansprakelijkheid", 0, "312.40", 1),
        ("Premie inventaris", 0, "98.15", 1),
    ),
    "telecom": (("Abonnement internet en telefonie", 21, "79.95", 1), ("Mobiel abonnement", 21, "22.50", 3)),
}
GOODS_ITEMS: dict[str, tuple[Item, ...]] = {
    "bakkerij": (
        ("Tarwebloem 25 kg", 9, "18.40", 20),
        ("Roomboter 10 kg", 9, "64.50", 6),
        ("Kristalsuiker 25 kg", 9, "21.75", 8),
        ("Bakkersgist 500 g", 9, "3.10", 20),
        ("Scharreleieren 180 st", 9, "38.00", 5),
        ("Verpakkingsmateriaal", 21, "54.00", 4),
    ),
    "installatie": (
        ("HR-combiketel 28 kW", 21, "1295.00", 1),
        ("Koperen buis 15 mm, 5 m", 21, "24.60", 20),
        ("Paneelradiator 600x1000", 21, "142.00", 4),
        ("Fittingen assortiment", 21, "36.90", 5),
        ("Installatiekabel 3x2,5 mm2, 50 m", 21, "74.25", 3),
    ),
    "stichting": (
        ("Koffie en thee", 9, "14.95", 6),
        ("Frisdrank, krat", 9, "11.40", 10),
        ("Knutselmateriaal", 21, "8.75", 10),
        ("Schoonmaakmiddelen", 21, "6.30", 12),
    ),
    "algemeen": (("Handelsgoederen", 21, "18.00", 30), ("Voedingsmiddelen", 9, "4.20", 40)),
}

SURNAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
    "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
    "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "van der Heijden",
    "Schouten", "Willems", "van Wijk", "Hoekstra", "Koster", "Prins", "Blom", "Huisman", "Kuipers",
    "Veenstra", "Post", "Kramer", "van Vliet", "Maas", "Verhoeven", "Timmermans", "Groen",
    "Koning", "Lammers",
)  # fmt: skip
INITIALS = "ABCDEGHJKLMPRSTW"
VENUES = (
    "Restaurant",
    "Hotel",
    "Café",
    "Brasserie",
    "Lunchroom",
    "Zorgcentrum",
    "Sportvereniging",
    "Camping",
)
VENUE_NAMES = (
    "De Zwaan", "Het Anker", "De Gouden Leeuw", "De Posthoorn", "De Molen", "'t Hoekje", "De Kroon",
    "Het Hert", "De Zon", "De Poort", "Het Veerhuis", "De Boerin", "Het Wapen", "De Eendracht", "Zonnehof",
    "De Vijverhof",
)  # fmt: skip
TRADES = (
    "Transport",
    "Bouwbedrijf",
    "Schoonmaakbedrijf",
    "Hoveniers",
    "Schilders",
    "Adviesgroep",
    "Makelaardij",
)
STREETS = (
    "Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Industrieweg", "Hoofdstraat", "Schoolstraat",
    "Marktplein", "Nieuwstraat", "Julianastraat", "Wilhelminastraat", "Beatrixlaan", "Parallelweg",
    "Havenweg", "Energieweg", "Ambachtsweg", "Lindelaan", "Eikenlaan", "Zuiderweg", "Noordeinde",
)  # fmt: skip
# (city, first and last four-digit postcode area)
CITIES = (
    ("Amsterdam", 1011, 1109), ("Rotterdam", 3011, 3089), ("Utrecht", 3511, 3585), ("Den Haag", 2491, 2597),
    ("Eindhoven", 5611, 5658), ("Groningen", 9711, 9747), ("Tilburg", 5011, 5049), ("Almere", 1311, 1363),
    ("Breda", 4811, 4839), ("Nijmegen", 6511, 6546), ("Apeldoorn", 7311, 7339), ("Haarlem", 2011, 2037),
    ("Arnhem", 6811, 6846), ("Zwolle", 8011, 8043), ("Leiden", 2311, 2334), ("Amersfoort", 3811, 3829),
    ("Maastricht", 6211, 6229), ("Deventer", 7411, 7429), ("Delft", 2611, 2629), ("Alkmaar", 1811, 1827),
    ("Leeuwarden", 8911, 8939), ("Enschede", 7511, 7548), ("'s-Hertogenbosch", 5211, 5248),
    ("Gouda", 2801, 2809),
)  # fmt: skip
BANKS = ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "KNAB", "BUNQ", "ASNB")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
