// Kluis web client: texts in Dutch (the default) and English.
// t(key, params) fills {name} placeholders; applyTranslations(root) fills every element that has
// data-i18n="key". Texts are always set as text, never as HTML.
//
// Reasons: every failure the API or a job reports has a stable code (layers/kluis/kluis/reasons.py,
// docs/reasons.md); its text here is "reason.<code>", with the catalogue's placeholders.
// reasonText() translates one; the English text the API sends is the fallback for a code this page
// does not know yet. tests/unit/test_web_texts.py fails when a code lacks a text in either language.
//
// Words, one spelling each: nl "backup" (backupbestand, systeembackup), "terugzetten",
// "administratie", "boekjaar", "verificatiecode"; en "backup" (noun), "restore", "verification code".

export const LANGUAGES = ["nl", "en"];
export const DEFAULT_LANGUAGE = "nl";
const STORAGE_KEY = "kluis.language";

const TEXTS = {
  nl: {
    "app.title": "Kluis — backup en terugzetten",
    "app.tagline": "Backup en terugzetten van administraties",
    "skip": "Direct naar de inhoud",
    "language.label": "Taal",
    "signin.busy": "Bezig met aanmelden…",
    "signin.as": "Aangemeld als klant {customer}",
    "signin.failed": "Aanmelden is mislukt: {message}",
    "signin.missing": "U bent niet aangemeld. Meld u aan via het portaal en open deze pagina opnieuw.",
    "switch.summary": "Ander klantnummer (demo)",
    "switch.label": "Klantnummer",
    "switch.hint": "Alleen lokaal: meld u aan als een andere demoklant.",
    "switch.button": "Wissel van klant",
    "switch.invalid": "Geef een klantnummer van 1 tot 10 cijfers.",

    "choose.heading": "Administratie en boekjaar",
    "choose.administration": "Administratie",
    "choose.year": "Boekjaar",
    "choose.none": "Er zijn voor deze klant geen administraties met gegevens.",
    "choose.loading": "Bezig met laden…",
    "choose.liveSince": "Huidige gegevens sinds",
    "choose.proposals": "Onverwerkte voorstellen (Scan & Herken)",
    "choose.unknown": "onbekend",

    "backup.heading": "Backup maken",
    "backup.intro": "Maak een ZIP-bestand met de boekhoudgegevens van deze administratie en dit boekjaar.",
    "backup.auditfile":
      "Elke backup bevat ook een auditfile: auditfile.xaf in XAF 4.0, de versie die de Belastingdienst " +
      "vanaf 1 januari 2027 als enige aanneemt, en auditfile-3.2.xaf voor pakketten die alleen XAF 3.2 " +
      "inlezen. Andere boekhoudpakketten en accountants kunnen ze lezen, ook zonder Kluis.",
    "backup.readyAuditfile": "Met auditfile (XAF) voor boekhoudpakketten en accountants.",
    "backup.includeDocuments": "Documenten meenemen",
    "backup.includeDocuments.hint":
      "Nodig als u de administratie wilt verhuizen naar een andere licentie of wilt verwijderen. " +
      "Met documenten kan het bestand erg groot worden.",
    "backup.proposals.warning":
      "Er zijn {count} onverwerkte voorstellen van Scan & Herken. Die komen niet in de backup: " +
      "verwerk ze eerst als u ze wilt bewaren.",
    "backup.button": "Backup maken",
    "backup.started": "De backup wordt gemaakt…",
    "backup.following": "Er wordt een backup van deze administratie en dit boekjaar gemaakt (gestart {date})…",
    "backup.progress": "Voortgang van de backup",
    "backup.figures": "{done} van {total} onderdelen, {bytesDone} van {bytesTotal}",
    "backup.ready": "De backup is klaar: {filename} ({size}). Het downloaden is gestart.",
    "backup.readyToDownload": "De backup is klaar: {filename} ({size}).",
    "backup.failed": "De backup is mislukt: {reason}",
    "backup.download": "Downloaden",
    "backup.downloadAgain": "Opnieuw downloaden",
    "backup.busy": "Er loopt al een backup.",
    "backup.gone": "Deze backup is niet meer te downloaden: hij is na de bewaartermijn verwijderd. Maak een nieuwe backup.",
    "backup.downloadFailed": "Downloaden is niet gelukt: {reason}",

    "restore.heading": "Backup terugzetten",
    "restore.intro":
      "Kies een backupbestand (.zip) dat met Kluis is gemaakt. U ziet eerst wat erin staat; " +
      "pas na uw bevestiging wordt er iets vervangen.",
    "restore.file": "Backupbestand",
    "restore.chooseFile": "Bestand kiezen",
    "restore.noFileChosen": "Geen bestand gekozen",
    "restore.chosenFile": "{name} ({size})",
    "restore.file.hint": "De bestandsnaam maakt niet uit: de administratie en het boekjaar staan in het bestand.",
    "restore.send": "Versturen",
    "restore.noFile": "Kies eerst een backupbestand.",
    "restore.tooLarge": "Het bestand is te groot ({size}); het maximum is {max}.",
    "restore.uploading": "Bezig met versturen…",
    "restore.uploadProgress": "Voortgang van het versturen",
    "restore.uploadFigures": "{done} van {total} verstuurd",
    "restore.uploadFailed": "Het versturen is mislukt: {message}",
    "restore.uploadRefused": "de opslag weigerde het bestand (HTTP {status})",
    "restore.uploaded": "Het bestand is verstuurd en wordt gecontroleerd…",
    "restore.awaitingCode": "Het bestand is gecontroleerd; de verificatiecode wordt klaargezet…",
    "restore.resuming": "Het terugzetten wordt opgehaald…",
    "restore.abortUpload": "Afbreken",
    "restore.resumeChoose": "Het versturen van ‘{name}’ is onderbroken ({done} van {total} verstuurd). Kies hetzelfde bestand opnieuw en klik op Versturen: wat al verstuurd is, wordt niet opnieuw verstuurd.",
    "restore.resumingUpload": "Bezig met versturen, verder waar het was gebleven…",
    "restore.uploadStopped": "Het versturen is gestopt: {message} Klik opnieuw op Versturen om verder te gaan waar het was gebleven.",
    "restore.confirm.heading": "Controleer en bevestig het terugzetten",
    "restore.summary.administration": "Administratie",
    "restore.summary.year": "Boekjaar",
    "restore.summary.createdAt": "Backup gemaakt op",
    "restore.summary.sourceCustomer": "Gemaakt onder klantnummer",
    "restore.summary.contents": "Inhoud",
    "restore.summary.currentLiveSince": "Huidige gegevens (worden vervangen) sinds",
    "restore.summary.documents": "Documenten",
    "restore.summary.bytes": "Omvang (uitgepakt)",
    "restore.summary.expiresAt": "Bevestigen kan tot",
    "restore.replaces":
      "Administratie {administration}, boekjaar {year} bestaat al. Alle huidige gegevens en documenten " +
      "daarvan worden vervangen door de inhoud van deze backup.",
    "restore.new": "Administratie {administration}, boekjaar {year} bestaat nog niet en wordt aangemaakt.",
    "restore.irreversible": "Let op: terugzetten kan niet ongedaan worden gemaakt.",
    "restore.codeIntro": "Typ ter bevestiging deze verificatiecode over:",
    "restore.codeLabel": "Verificatiecode",
    "restore.attemptsLeft": "U kunt de code {count} keer proberen.",
    "restore.confirm": "Terugzetten bevestigen",
    "restore.cancel": "Annuleren",
    "restore.codeMissing": "Typ de verificatiecode over.",
    "restore.transfer": "Deze backup is gemaakt onder klantnummer {source}; hij wordt teruggezet in uw licentie ({customer}).",
    "restore.applying": "De backup wordt teruggezet…",
    "restore.restored": "De backup is teruggezet. Administratie {administration}, boekjaar {year} is vervangen.",
    "restore.rejected": "Het bestand is afgewezen: {reason}",
    "restore.expired": "De tijd om te bevestigen is verstreken. Er is niets veranderd; begin opnieuw.",
    "restore.cancelled": "Het terugzetten is geannuleerd. Er is niets veranderd.",
    "restore.failed": "Het terugzetten is mislukt: {reason}",
    "restore.again": "Nog een backup terugzetten",

    "books.heading": "Wat er met de boekhouding gebeurt",
    "books.differs": "De boekhouding in de backup verschilt van de huidige. Na het terugzetten geldt die van de backup:",
    "books.identical":
      "De boekhouding in de backup is gelijk aan de huidige: {entries} boekingen, totaal debet {debit}. " +
      "Boekingen, saldi en btw-aangiften veranderen niet.",
    "books.empty":
      "Deze administratie is nu leeg. Na het terugzetten staan er {entries} boekingen in {journals} dagboeken in; " +
      "de laatste boeking is van {last}.",
    "books.noEntries": "geen boekingen",
    "books.totals": "Boekingen: {backup} in de backup, {live} nu. Laatste boeking: {backupLast} in de backup, {liveLast} nu.",
    "books.journal": "Dagboek {journal}: {backup} boekingen in de backup, {live} nu.",
    "books.journal.lost": "{count} boekingen van na {after} gaan verloren.",
    "books.journal.lostAll": "Alle {count} boekingen gaan verloren.",
    "books.journal.only": "Dagboek {journal}: {count} boekingen",
    "books.more.journals": "En nog {count} dagboeken met verschillen.",
    "books.vat": "Btw-aangifte {period}: {live} nu, {backup} in de backup.",
    "books.vat.status.filed": "ingediend",
    "books.vat.status.open": "open",
    "books.vat.status.none": "niet aanwezig",
    "books.account": "Rekening {account}: saldo {backup} in de backup, {live} nu (verschil {change}).",
    "books.more.accounts": "En nog {count} rekeningen met een ander saldo.",
    "books.warnings": "Let op",
    "books.newer_entries_lost":
      "{entries} boekingen van na {after} staan nu in de administratie maar niet in de backup: " +
      "die gaan verloren.",
    "books.newer_entries_lost.noDate":
      "{entries} boekingen staan nu in de administratie maar niet in de backup: die gaan verloren.",
    "books.filed_vat_returns_reopened":
      "{returns} btw-aangifte(n) ({periods}) zijn nu ingediend, maar in de backup nog open. " +
      "Na het terugzetten staan ze weer open; bij de Belastingdienst zijn ze wel ingediend.",
    "books.backup_unbalanced":
      "In de backup staan {entries} boekingen waarvan debet en credit niet gelijk zijn. " +
      "Ze worden teruggezet zoals ze zijn.",
    "books.backup_unreadable_records":
      "{records} regels in de backup konden voor dit overzicht niet worden gelezen. Ze worden wel teruggezet.",
    "books.olderBackup": "Deze backup (van {created}) is ouder dan de huidige gegevens (van {live}).",
    "books.transfer": "De backup komt uit een andere licentie (klantnummer {source}).",

    "dataset.journal_entries": "boekingen",
    "dataset.relations": "relaties",
    "dataset.ledger_accounts": "grootboekrekeningen",
    "dataset.vat_returns": "btw-aangiften",
    "dataset.fiscal_year": "boekjaargegevens",
    "dataset.opening_balance": "beginbalans",
    "dataset.documents": "{count} documenten",
    "list.and": "en",

    "jobs.heading": "Recente taken",
    "jobs.caption": "Recente backups en terugzettingen van administratie {administration}, boekjaar {year}",
    "jobs.kind": "Soort",
    "jobs.status": "Status",
    "jobs.createdAt": "Gestart",
    "jobs.progress": "Voortgang",
    "jobs.details": "Bijzonderheden",
    "jobs.actions": "Actie",
    "jobs.none": "Nog geen taken.",
    "jobs.refresh": "Vernieuwen",
    "jobs.documents": "met documenten",
    "jobs.downloadableUntil": "{size}, te downloaden tot {date}",
    "jobs.action.resume": "Bevestigen of annuleren",
    "jobs.action.follow": "Voortgang tonen",
    "jobs.action.download": "Downloaden",
    "jobs.action.label": "{action}: {kind} van {date}",
    "kind.backup": "Backup",
    "kind.restore": "Terugzetten",
    "kind.undo": "Terugzetting ongedaan maken",
    "kind.retention": "Bewaarkopie",
    "jobs.action.undo": "Deze terugzetting ongedaan maken",
    "jobs.undid": "Een eerdere terugzetting is ongedaan gemaakt.",
    "error.throttled": "Er komen nu te veel verzoeken tegelijk binnen. Probeer het over een minuut opnieuw.",
    "error.throttledUntil": "Er komen nu te veel verzoeken tegelijk binnen. Probeer het vanaf {date} opnieuw.",
    "backup.notStarted": "De backup is niet gestart: {reason}",
    "restore.notStarted": "Het terugzetten is niet gestart: {reason}",
    "restore.undoWindow": "Let op: na het terugzetten kunt u dit nog {days} dagen ongedaan maken; daarna kan alleen een herstel uit de systeembackups helpen.",
    "readOnly.banner": "Alleen-lezen: uw licentie is beëindigd; u kunt bewaarde jaren nog downloaden.",
    "undo.button": "Deze terugzetting ongedaan maken",
    "undo.until": "U kunt deze terugzetting tot {date} ongedaan maken; daarna kan alleen een systeemherstel helpen.",
    "undo.asking": "Het ongedaan maken wordt voorbereid…",
    "undo.preparing": "De gegevens van vóór de terugzetting worden gecontroleerd…",
    "undo.applying": "De terugzetting wordt ongedaan gemaakt…",
    "undo.confirm.heading": "Controleer en bevestig het ongedaan maken",
    "undo.confirm": "Ongedaan maken bevestigen",
    "undo.replaces": "Administratie {administration}, boekjaar {year} gaat terug naar de gegevens en documenten van vóór de terugzetting van {date}. Wat er nu in staat, wordt vervangen.",
    "undo.irreversible": "Let op: dit ongedaan maken kan zelf niet ongedaan worden gemaakt.",
    "undo.summary.restoredAt": "Terugzetting van",
    "undo.summary.contents": "Inhoud van vóór de terugzetting",
    "undo.summary.currentLiveSince": "Huidige gegevens (worden vervangen) sinds",
    "undo.done": "De terugzetting is ongedaan gemaakt. Administratie {administration}, boekjaar {year} heeft weer de gegevens van daarvoor.",
    "undo.failed": "Het ongedaan maken is mislukt: {reason}",
    "undo.expired": "De tijd om te bevestigen is verstreken. Er is niets veranderd.",
    "undo.cancelled": "Het ongedaan maken is geannuleerd. Er is niets veranderd.",
    "undo.refused": "Deze terugzetting kan niet ongedaan worden gemaakt: {reason}",
    "undo.notStarted": "Het ongedaan maken is niet gestart: {reason}",
    "retained.heading": "Bewaarde jaren",
    "retained.intro": "Afgesloten boekjaren worden onveranderbaar bewaard: 7 jaar na het einde van het boekjaar (10 jaar als u daarom vraagt), zoals de wet vraagt (art. 52 AWR). U kunt ze downloaden, ook nadat uw licentie is beëindigd.",
    "retained.col.administration": "Administratie",
    "retained.col.year": "Boekjaar",
    "retained.col.until": "Bewaard tot",
    "retained.col.hold": "Juridische bewaring",
    "retained.col.why": "Waarom",
    "retained.col.size": "Grootte",
    "retained.none": "Er worden nog geen jaren bewaard.",
    "retained.years": "{years} jaar",
    "retained.hold.on": "Ja, vastgezet door de beheerder",
    "retained.hold.off": "Nee",
    "retained.why.closed": "Boekjaar afgesloten",
    "retained.why.requested": "Op uw verzoek",
    "retained.download": "Downloaden",
    "retained.downloadLabel": "Bewaard boekjaar {year} van administratie {administration} downloaden",
    "retained.downloading": "Het downloaden van {filename} is gestart.",
    "retained.downloadFailed": "Downloaden is niet gelukt: {reason}",
    "retained.loadFailed": "De bewaarde jaren konden niet worden opgehaald: {reason}",
    "retention.heading": "Een jaar laten bewaren",
    "retention.scope": "Administratie {administration}, boekjaar {year} (gekozen bij 1) onveranderbaar laten bewaren, met documenten.",
    "retention.years": "Bewaartermijn na het einde van het boekjaar",
    "retention.years7": "7 jaar (de wettelijke termijn)",
    "retention.years10": "10 jaar (voor gegevens over onroerende zaken)",
    "retention.send": "Bewaren aanvragen",
    "retention.started": "Er wordt een bewaarkopie van administratie {administration}, boekjaar {year} gemaakt ({years} jaar)…",
    "retention.ready": "De bewaarkopie van administratie {administration}, boekjaar {year} is gemaakt en wordt bewaard tot {until}.",
    "retention.failed": "De bewaarkopie is niet gemaakt: {reason}",
    "retention.notStarted": "De bewaarkopie is niet gestart: {reason}",
    "audit.heading": "Logboek",
    "audit.intro": "Wie wat heeft gedaan en wanneer, het nieuwste bovenaan. Het logboek kan niet worden gewijzigd.",
    "audit.onlyScope": "Alleen de gekozen administratie en het gekozen boekjaar ({administration} / {year})",
    "audit.col.at": "Wanneer",
    "audit.col.actor": "Wie",
    "audit.col.action": "Wat",
    "audit.col.scope": "Administratie / boekjaar",
    "audit.col.outcome": "Uitkomst",
    "audit.limit": "U ziet de laatste 200 handelingen.",
    "audit.none": "Nog niets vastgelegd.",
    "audit.loadFailed": "Het logboek kon niet worden opgehaald: {reason}",
    "audit.actor.system": "Kluis (automatisch)",
    "audit.outcome.done": "Uitgevoerd",
    "audit.outcome.refused": "Geweigerd",
    "audit.outcome.failed": "Mislukt",
    "audit.backup.requested": "Backup aangevraagd",
    "audit.backup.ready": "Backup klaar",
    "audit.backup.failed": "Backup mislukt",
    "audit.download.issued": "Downloadlink van een backup uitgegeven",
    "audit.restore.requested": "Terugzetten begonnen",
    "audit.restore.uploaded": "Backupbestand voor terugzetten ontvangen",
    "audit.restore.code_wrong": "Verkeerde verificatiecode getypt",
    "audit.restore.confirmed": "Terugzetten bevestigd met de verificatiecode",
    "audit.restore.cancel": "Terugzetten geannuleerd door de gebruiker",
    "audit.restore.restored": "Teruggezet",
    "audit.restore.rejected": "Backupbestand afgewezen",
    "audit.restore.expired": "Terugzetten verlopen zonder bevestiging",
    "audit.restore.cancelled": "Terugzetten gestopt",
    "audit.restore.failed": "Terugzetten mislukt",
    "audit.restore.undo_requested": "Ongedaan maken van een terugzetting aangevraagd",
    "audit.system_restore.requested": "Herstel uit systeembackup aangevraagd",
    "audit.retention.requested": "Bewaarkopie aangevraagd",
    "audit.retention.archived": "Bewaarkopie gemaakt en vastgezet",
    "audit.retention.download_issued": "Downloadlink van een bewaarkopie uitgegeven",
    "audit.operator.action": "Handeling van de beheerder",

    "sysrestore.heading": "Herstel uit systeembackup aanvragen",
    "sysrestore.intro":
      "Gegevens kwijt en geen eigen backup? Vraag de beheerder om administraties en boekjaren terug te zetten " +
      "zoals ze op een eerder tijdstip in de systeembackups stonden. De huidige gegevens daarvan worden dan vervangen.",
    "sysrestore.items": "Administraties en boekjaren",
    "sysrestore.items.hint": "Kies er een of meer (hoogstens 20).",
    "sysrestore.item": "Administratie {administration}, boekjaar {year}",
    "sysrestore.items.none": "Er zijn geen administraties om te kiezen.",
    "sysrestore.items.missing": "Kies ten minste één administratie en boekjaar.",
    "sysrestore.moment": "Tijdstip om naar terug te gaan",
    "sysrestore.moment.hint": "In uw eigen tijd. Het moet in het verleden liggen, hoogstens {days} dagen terug.",
    "sysrestore.moment.missing": "Kies het tijdstip waarnaar de gegevens terug moeten.",
    "sysrestore.note": "Toelichting voor de beheerder (niet verplicht)",
    "sysrestore.note.hint": "Bijvoorbeeld wat er mis ging. Hoogstens 1000 tekens.",
    "sysrestore.rule":
      "Een herstel uit een systeembackup kan in rekening worden gebracht: {price} per administratie en boekjaar.",
    "sysrestore.rule.loading": "De kosten worden opgehaald…",
    "sysrestore.total": "Totaal: {total} ({count} × {price})",
    "sysrestore.ack": "Ik begrijp dat hiervoor kosten in rekening kunnen worden gebracht.",
    "sysrestore.ack.missing": "Vink eerst aan dat u begrijpt dat hiervoor kosten in rekening kunnen worden gebracht.",
    "sysrestore.send": "Herstel aanvragen",
    "sysrestore.sending": "De aanvraag wordt verstuurd…",
    "sysrestore.incomplete": "De aanvraag is niet verstuurd: vul de gemarkeerde velden aan.",
    "sysrestore.received": "Uw aanvraag {id} is ontvangen. Status: {status}. Kosten: {total}.",
    "sysrestore.refused": "De aanvraag is niet aangenomen: {message}",
    "sysrestore.list": "Uw aanvragen",
    "sysrestore.none": "Nog geen aanvragen.",
    "sysrestore.col.request": "Aanvraag",
    "sysrestore.col.status": "Status",
    "sysrestore.col.moment": "Tijdstip",
    "sysrestore.col.items": "Administraties en boekjaren",
    "sysrestore.col.costs": "Kosten",
    "sysrestore.submitted": "ingediend {date}",
    "sysrestore.status.received": "Ontvangen",
    "sysrestore.status.in-progress": "In behandeling",
    "sysrestore.status.fulfilled": "Uitgevoerd",
    "sysrestore.status.partly-fulfilled": "Deels uitgevoerd",
    "sysrestore.status.failed": "Mislukt",
    "sysrestore.itemStatus.pending": "Wacht",
    "sysrestore.itemStatus.restoring": "Wordt hersteld",
    "sysrestore.itemStatus.restored": "Hersteld",
    "sysrestore.itemStatus.failed": "Mislukt",

    "status.queued": "In de wachtrij",
    "status.building": "Wordt gemaakt",
    "status.retaining": "Wordt onveranderbaar opgeslagen",
    "status.ready": "Klaar",
    "status.failed": "Mislukt",
    "status.awaiting-upload": "Wacht op bestand",
    "status.validating": "Wordt gecontroleerd",
    "status.awaiting-confirmation": "Wacht op bevestiging",
    "status.applying": "Wordt teruggezet",
    "status.restored": "Teruggezet",
    "status.rejected": "Afgewezen",
    "status.expired": "Verlopen",
    "status.cancelled": "Geannuleerd",

    "error.network": "De server is niet bereikbaar. Controleer uw verbinding en probeer het opnieuw.",
    "error.unauthorized": "Uw aanmelding is verlopen of ongeldig. Laad de pagina opnieuw.",
    "error.generic": "Er ging iets mis (HTTP {status}).",
    "error.prefix": "Fout",
    "dismiss": "Sluiten",

    // Sizes as Windows Explorer shows them in Dutch (see formatBytes).
    "unit.bytes": "bytes",
    "unit.KB": "kB",
    "unit.MB": "MB",
    "unit.GB": "GB",
    "unit.TB": "TB",

    // -- reasons (layers/kluis/kluis/reasons.py), by code -------------------------------------------
    "reason.request.unauthorized": "Meld u opnieuw aan: het verzoek bevat geen geldige aanmelding.",
    "reason.request.no_customer": "Uw aanmelding noemt geen klantnummer.",
    "reason.request.not_found": "Dit adres bestaat niet in Kluis.",
    "reason.request.media_type": "Verstuur de inhoud van het verzoek als JSON (application/json).",
    "reason.request.body_not_json": "De inhoud van het verzoek is geen geldige JSON (UTF-8).",
    "reason.request.body_not_allowed": "Bij dit verzoek hoort geen inhoud.",
    "reason.request.body_too_large": "De inhoud van het verzoek is groter dan {limit} bytes.",
    "reason.request.missing_body": "Bij dit verzoek hoort een inhoud in JSON.",
    "reason.request.field_missing": "Het veld ‘{field}’ ontbreekt.",
    "reason.request.field_unexpected": "Het veld ‘{field}’ hoort hier niet.",
    "reason.request.field_not_boolean": "Het veld ‘{field}’ moet ja of nee zijn (true of false).",
    "reason.request.field_not_text": "Het veld ‘{field}’ moet tekst zijn.",
    "reason.request.field_not_list": "Het veld ‘{field}’ moet een lijst zijn.",
    "reason.request.field_not_object": "Het veld ‘{field}’ moet een groep velden zijn.",
    "reason.request.field_empty": "Het veld ‘{field}’ mag niet leeg zijn.",
    "reason.request.field_too_long": "Het veld ‘{field}’ mag hoogstens {limit} tekens bevatten.",
    "reason.request.field_too_few": "Het veld ‘{field}’ moet ten minste {limit} onderdelen bevatten.",
    "reason.request.field_too_many": "Het veld ‘{field}’ mag hoogstens {limit} onderdelen bevatten.",
    "reason.request.field_invalid": "Het veld ‘{field}’ is ongeldig.",
    "reason.request.fault": "Er ging bij ons iets mis. Probeer het opnieuw; blijft het misgaan, neem dan contact op met de klantenservice.",
    "reason.request.read_only": "Met deze aanmelding kunt u alleen kijken en downloaden (bijvoorbeeld na het einde van uw licentie); u kunt niets starten of wijzigen.",
    "reason.limit.backups_per_customer": "U hebt dit uur al {limit} backups gestart, het maximum. Vanaf {retryAt} kunt u de volgende starten.",
    "reason.limit.backups_per_administration": "Van deze administratie en dit boekjaar zijn dit uur al {limit} backups gestart, het maximum. Vanaf {retryAt} kunt u de volgende starten.",
    "reason.limit.restores_per_customer": "U hebt dit uur al {limit} keer iets teruggezet, het maximum. Vanaf {retryAt} kunt u weer terugzetten.",
    "reason.limit.restores_per_administration": "In deze administratie en dit boekjaar is dit uur al {limit} keer iets teruggezet, het maximum. Er is niets veranderd; verstuur het bestand vanaf {retryAt} opnieuw.",
    "reason.restore.upload_expired": "Voor dit terugzetten is binnen {hours} uur geen backupbestand binnengekomen, daarom is het gestopt. Er is niets veranderd; begin opnieuw om het bestand te versturen.",
    "reason.restore.undo_not_restored": "Alleen een voltooide terugzetting kan ongedaan worden gemaakt; deze heeft de status ‘{status}’.",
    "reason.restore.undo_nothing_before": "Deze terugzetting ging naar een administratie en boekjaar zonder gegevens, dus er is niets om naar terug te gaan.",
    "reason.restore.undo_window_passed": "Een terugzetting kan {days} dagen ongedaan worden gemaakt; die tijd is voorbij. Nu kan alleen nog een herstel uit de systeembackups helpen.",
    "reason.restore.undo_changed_since": "De administratie en het boekjaar zijn na deze terugzetting gewijzigd (op {changedAt}), daarom kan die niet meer ongedaan worden gemaakt. Er is niets veranderd.",
    "reason.restore.undo_data_gone": "De gegevens van vóór deze terugzetting worden niet meer bewaard, daarom kan die niet ongedaan worden gemaakt. Er is niets veranderd.",
    "reason.retention.not_found": "Deze bewaarkopie bestaat niet.",
    "reason.retention.period_over": "Boekjaar {year} van administratie {administration} is meer dan {years} jaar geleden geëindigd: de bewaartermijn is voorbij, daarom wordt het niet meer onveranderbaar bewaard.",
    "reason.scope.invalid_customer": "Een klantnummer bestaat uit 1 tot 10 cijfers, zoals ‘10234’; ontvangen is ‘{value}’.",
    "reason.scope.invalid_administration": "Een administratienummer bestaat uit 5 cijfers, zoals ‘00017’; ontvangen is ‘{value}’.",
    "reason.scope.invalid_year": "Een boekjaar bestaat uit 4 cijfers, zoals ‘2025’; ontvangen is ‘{value}’.",
    "reason.scope.not_found": "Deze administratie en dit boekjaar bestaan niet of bevatten geen gegevens.",
    "reason.job.not_found": "Deze taak bestaat niet.",
    "reason.job.state_conflict": "Dat kan nu niet: de taak heeft de status ‘{status}’.",
    "reason.lock.busy": "Er loopt al een backup of terugzetting van deze administratie en dit boekjaar. Probeer het opnieuw als die klaar is.",
    "reason.backup.nothing_to_back_up": "Deze administratie en dit boekjaar bevatten geen gegevens, dus er is niets om een backup van te maken.",
    "reason.backup.lock_busy": "Er werd net een backup teruggezet in deze administratie en dit boekjaar, daarom kon de backup niet beginnen. Er is niets veranderd. Probeer het opnieuw als het terugzetten klaar is.",
    "reason.backup.too_large": "Deze administratie en dit boekjaar zijn te groot voor één backupbestand.",
    "reason.backup.fault": "De backup kon door een storing bij ons niet worden gemaakt. Er is niets veranderd. Probeer het over een paar minuten opnieuw; lukt het dan nog niet, neem dan contact op met de klantenservice en noem taak {job}.",
    "reason.backup.timeout": "Het maken van de backup duurde te lang en is gestopt. Er is niets veranderd. Probeer het opnieuw; gebeurt dit weer, neem dan contact op met de klantenservice en noem taak {job}.",
    "reason.backup.download_not_ready": "Alleen een backup die klaar is, kan worden gedownload; deze taak heeft de status ‘{status}’.",
    "reason.backup.download_expired": "Een backup kan {days} dagen worden gedownload; het bestand van deze backup is verwijderd. Maak een nieuwe backup om de gegevens te downloaden.",
    "reason.restore.not_awaiting_confirmation": "Dat kan nu niet: het terugzetten wacht niet op bevestiging (status ‘{status}’).",
    "reason.restore.cannot_cancel": "Dat kan nu niet: terugzetten met de status ‘{status}’ kan niet meer worden geannuleerd.",
    "reason.restore.code_expired": "Dat kan nu niet: de verificatiecode is verlopen.",
    "reason.restore.wrong_code": "Dat is niet de juiste verificatiecode. U kunt het nog {attemptsLeft} keer proberen.",
    "reason.restore.wrong_code_last": "Dat is niet de juiste verificatiecode, en u kunt het niet nog eens proberen: het terugzetten is gestopt. Er is niets veranderd.",
    "reason.restore.too_many_attempts": "Er is te vaak een verkeerde verificatiecode getypt. Er is niets veranderd; verstuur het backupbestand opnieuw om opnieuw te beginnen.",
    "reason.restore.expired": "De verificatiecode is niet op tijd bevestigd. Er is niets veranderd; verstuur het backupbestand opnieuw om opnieuw te beginnen.",
    "reason.restore.cancelled": "Het terugzetten is geannuleerd. Er is niets veranderd.",
    "reason.restore.file_too_large": "Het bestand is groter dan Kluis bij terugzetten aanneemt.",
    "reason.restore.not_multipart": "Het bestand van dit terugzetten wordt in één keer verstuurd, niet in delen.",
    "reason.restore.not_awaiting_upload": "Dat kan nu niet: het terugzetten wacht niet op zijn bestand (status ‘{status}’).",
    "reason.restore.part_out_of_range": "Er is geen deel {part}: dit bestand wordt in {parts} delen verstuurd.",
    "reason.restore.upload_not_open": "Het versturen van dit bestand is niet meer open. Er is niets veranderd; begin opnieuw met terugzetten om het bestand te versturen.",
    "reason.restore.upload_incomplete": "Het bestand is nog niet helemaal verstuurd: deel {part} van {parts} ontbreekt. Verstuur het en rond het versturen dan af.",
    "reason.restore.upload_too_large": "De verstuurde delen zijn samen groter dan het opgegeven bestand of dan Kluis bij terugzetten aanneemt. Het versturen is gestopt; er is niets veranderd.",
    "reason.restore.lock_busy": "Er bleef een backup of een andere terugzetting van deze administratie en dit boekjaar lopen, daarom is dit terugzetten gestopt. Uw huidige gegevens zijn niet veranderd. Verstuur het backupbestand later opnieuw.",
    "reason.restore.head_conflict": "Deze administratie en dit boekjaar zijn op precies hetzelfde moment door iemand anders teruggezet, daarom is dit terugzetten gestopt. Uw gegevens zijn zoals die andere terugzetting ze heeft achtergelaten; controleer ze voordat u het opnieuw probeert.",
    "reason.restore.superseded": "Sinds dit bestand is gecontroleerd, is administratie {administration}, boekjaar {year} door een andere terugzetting vervangen (op {changedAt}). Deze terugzetting heeft niets veranderd; verstuur het bestand opnieuw als u het toch wilt terugzetten.",
    "reason.restore.fault": "Het terugzetten kon door een storing bij ons niet worden afgerond. Uw huidige gegevens zijn niet veranderd. Probeer het opnieuw; lukt het dan nog niet, neem dan contact op met de klantenservice en noem taak {job}.",
    "reason.restore.timeout": "Het terugzetten duurde te lang en is gestopt. Uw huidige gegevens zijn niet veranderd. Neem contact op met de klantenservice en noem taak {job}.",
    "reason.archive.not_zip": "Het bestand is geen ZIP-bestand.",
    "reason.archive.not_zip.empty": "Het bestand is leeg; het is geen ZIP-bestand.",
    "reason.archive.not_zip.long_comment": "Het ZIP-bestand heeft een onverwacht lange opmerking.",
    "reason.archive.truncated": "Het bestand is onvolledig: het houdt op voordat de inhoud compleet is.",
    "reason.archive.truncated.end_missing": "Het bestand is onvolledig: het einde ontbreekt.",
    "reason.archive.truncated.end_cut_off": "Het bestand is onvolledig: het einde is afgekapt.",
    "reason.archive.truncated.zip64_end_missing": "Het bestand is onvolledig: het ZIP64-slotrecord ontbreekt.",
    "reason.archive.truncated.directory_outside": "De inhoudsopgave van het ZIP-bestand ligt buiten het bestand.",
    "reason.archive.truncated.entry_outside": "Het onderdeel ‘{name}’ ligt buiten het ZIP-bestand.",
    "reason.archive.multi_disk": "Het ZIP-bestand is over meerdere bestanden verdeeld; dat kan Kluis niet terugzetten.",
    "reason.archive.trailing_data": "Het bestand bevat onverwachte gegevens na het einde.",
    "reason.archive.trailing_data.after_directory": "Het bestand bevat onverwachte gegevens na de inhoudsopgave.",
    "reason.archive.trailing_data.before_directory": "Het bestand bevat onverwachte gegevens vóór de inhoudsopgave.",
    "reason.archive.prepended_data": "Het bestand bevat onverwachte gegevens vóór het eerste onderdeel.",
    "reason.archive.prepended_data.before_directory": "Het bestand bevat onverwachte gegevens vóór de inhoudsopgave.",
    "reason.archive.hidden_data": "Het bestand bevat onverwachte gegevens tussen de onderdelen.",
    "reason.archive.bad_directory": "De inhoudsopgave van het ZIP-bestand is beschadigd.",
    "reason.archive.bad_directory.end_records": "De slotrecords van het ZIP-bestand spreken elkaar tegen.",
    "reason.archive.bad_directory.zip64_end": "Het ZIP64-slotrecord van het bestand is beschadigd.",
    "reason.archive.bad_directory.count": "De inhoudsopgave van het ZIP-bestand klopt niet met het aantal onderdelen.",
    "reason.archive.header_mismatch": "Het onderdeel ‘{name}’ wordt in het ZIP-bestand op twee verschillende manieren beschreven.",
    "reason.archive.header_mismatch.damaged": "Het ZIP-bestand bevat een onderdeel met een beschadigde kop.",
    "reason.archive.header_mismatch.zip64_missing": "Het ZIP-bestand bevat een onderdeel waarvan de ZIP64-groottes ontbreken.",
    "reason.archive.header_mismatch.sizes": "Het ZIP-bestand bevat een onderdeel met tegenstrijdige groottes: ‘{name}’.",
    "reason.archive.unsafe_name.not_utf8": "Het ZIP-bestand bevat een onderdeel waarvan de naam geen UTF-8 is: ‘{name}’.",
    "reason.archive.unsafe_name.too_long": "Het ZIP-bestand bevat een onderdeel met een te lange naam: ‘{name}’.",
    "reason.archive.unsafe_name.control": "Het ZIP-bestand bevat een onderdeel met stuurtekens in de naam: ‘{name}’.",
    "reason.archive.unsafe_name.windows_path": "Het ZIP-bestand bevat een onderdeel met een Windows-pad als naam: ‘{name}’.",
    "reason.archive.unsafe_name.outside": "Het ZIP-bestand bevat een onderdeel met een pad naar buiten het bestand: ‘{name}’.",
    "reason.archive.duplicate_name": "Het ZIP-bestand bevat het onderdeel ‘{name}’ twee keer.",
    "reason.archive.directory": "Het ZIP-bestand bevat een map, en die zit nooit in een backup: ‘{name}’.",
    "reason.archive.symlink": "Het ZIP-bestand bevat een snelkoppeling, en die zit nooit in een backup: ‘{name}’.",
    "reason.archive.special_file": "Het ZIP-bestand bevat een speciaal bestand, en dat zit nooit in een backup: ‘{name}’.",
    "reason.archive.encrypted": "Het ZIP-bestand bevat een versleuteld onderdeel: ‘{name}’.",
    "reason.archive.unsupported_method": "Het ZIP-bestand bevat een onderdeel dat is ingepakt op een manier die Kluis niet kent (methode {method}): ‘{name}’.",
    "reason.archive.too_many_entries": "Het ZIP-bestand bevat meer dan {limit} onderdelen.",
    "reason.archive.too_large": "Het bestand is groter dan de grootste backup die kan worden teruggezet.",
    "reason.archive.too_large.entry": "Het ZIP-bestand bevat een te groot onderdeel: ‘{name}’.",
    "reason.archive.too_large.total": "Uitgepakt zou het bestand groter zijn dan de grootste backup die is toegestaan.",
    "reason.archive.too_large.control": "Het onderdeel {name} van het bestand is groter dan Kluis het ooit maakt.",
    "reason.archive.zip_bomb": "Het ZIP-bestand bevat een onderdeel dat uitgepakt onwaarschijnlijk groot zou worden: ‘{name}’.",
    "reason.archive.zip_bomb.more_than_declared": "Het onderdeel ‘{name}’ wordt uitgepakt groter dan het ZIP-bestand opgeeft.",
    "reason.archive.overlap": "Het ZIP-bestand bevat onderdelen die elkaar overlappen.",
    "reason.archive.corrupt": "Het onderdeel ‘{name}’ van het ZIP-bestand is beschadigd.",
    "reason.archive.size_mismatch": "Het onderdeel ‘{name}’ is korter dan het ZIP-bestand opgeeft.",
    "reason.archive.crc_mismatch": "Het onderdeel ‘{name}’ van het ZIP-bestand is beschadigd (de controlesom klopt niet).",
    "reason.archive.unexpected_entry": "Het bestand bevat iets wat nooit in een Kluis-backup zit: ‘{name}’.",
    "reason.archive.not_a_backup": "Het bestand is geen Kluis-backup: {name} ontbreekt.",
    "reason.archive.manifest_mismatch.missing": "‘{name}’ staat in de inhoudslijst van de backup, maar ontbreekt in het bestand.",
    "reason.archive.manifest_mismatch.extra": "Het bestand bevat ‘{name}’, maar dat staat niet in de inhoudslijst van de backup.",
    "reason.archive.manifest_mismatch.size": "De grootte van ‘{name}’ wijkt af van wat de inhoudslijst van de backup zegt.",
    "reason.archive.checksum_mismatch": "De inhoud van ‘{name}’ is na het maken van de backup gewijzigd of beschadigd: hij klopt niet met de inhoudslijst van de backup.",
    "reason.archive.bad_signature": "De handtekening van de backup is niet geldig: het bestand is gewijzigd of ergens anders gemaakt.",
    "reason.archive.bad_signature.malformed": "Het handtekeningbestand van de backup is onleesbaar.",
    "reason.archive.bad_signature.algorithm": "De handtekening van de backup gebruikt een methode die Kluis niet aanneemt.",
    "reason.archive.bad_manifest.too_large": "De inhoudslijst van het bestand is groter dan die van een Kluis-backup ooit is.",
    "reason.archive.bad_manifest.not_json": "De inhoudslijst van het bestand is geen geldige JSON.",
    "reason.archive.bad_manifest.not_object": "De inhoudslijst van het bestand is geen JSON-object.",
    "reason.archive.bad_manifest.field": "Het veld ‘{field}’ van de inhoudslijst ontbreekt of heeft een verkeerd type.",
    "reason.archive.bad_manifest.entry_not_object": "Een regel van de inhoudslijst is geen JSON-object.",
    "reason.archive.bad_manifest.entry_name": "De inhoudslijst noemt een onderdeel dat Kluis nooit maakt: ‘{name}’.",
    "reason.archive.bad_manifest.entry_twice": "De inhoudslijst noemt ‘{name}’ twee keer.",
    "reason.archive.bad_manifest.entry_values": "De regel voor ‘{name}’ in de inhoudslijst heeft een ongeldige grootte of controlesom.",
    "reason.archive.bad_manifest.format": "Het bestand is geen Kluis-backup (de inhoudslijst heeft een ander formaat).",
    "reason.archive.bad_manifest.version": "De backup heeft formaatversie {version}; deze versie van Kluis leest versie {supported}.",
    "reason.archive.bad_manifest.identity": "De herkomst in de inhoudslijst is ongeldig: {field} is ‘{value}’.",
    "reason.archive.bad_manifest.created_at": "Het moment van maken in de inhoudslijst is geen geldig tijdstip (ISO 8601).",
    "reason.archive.bad_manifest.source_generation": "De herkomstversie in de inhoudslijst is ongeldig.",
    "reason.archive.bad_manifest.documents": "Volgens de inhoudslijst zitten er geen documenten in de backup, maar ze worden wel genoemd.",
    "reason.archive.bad_manifest.counts": "De aantallen in de inhoudslijst kloppen niet met de onderdelen.",
    "reason.archive.bad_manifest.totals": "De totalen in de inhoudslijst kloppen niet met de onderdelen.",
    "reason.system_restore.point_in_time_format": "Het tijdstip moet in ISO 8601 staan, zoals 2026-11-20T10:00:00Z; ontvangen is ‘{value}’.",
    "reason.system_restore.point_in_time_zone": "Het tijdstip moet een tijdzone hebben, zoals 2026-11-20T10:00:00Z.",
    "reason.system_restore.point_in_time_future": "Het tijdstip moet in het verleden liggen.",
    "reason.system_restore.point_in_time_too_old": "Het tijdstip mag hoogstens {days} dagen terug liggen (zo lang worden systeembackups bewaard).",
    "reason.system_restore.item_count": "Kies 1 tot {limit} administraties en boekjaren.",
    "reason.system_restore.duplicate_item": "Elke administratie en elk boekjaar mag maar één keer voorkomen.",
    "reason.system_restore.note_too_long": "De toelichting mag hoogstens {limit} tekens bevatten.",
    "reason.system_restore.request_not_found": "Deze aanvraag bestaat niet.",
    "reason.system_restore.busy": "Aanvraag {request} wordt al uitgevoerd.",
    "reason.system_restore.item_failed": "Dit kon niet worden hersteld; onze klantenservice neemt contact met u op.",
  },
  en: {
    "app.title": "Kluis — backup and restore",
    "app.tagline": "Backup and restore of administrations",
    "skip": "Skip to content",
    "language.label": "Language",
    "signin.busy": "Signing in…",
    "signin.as": "Signed in as customer {customer}",
    "signin.failed": "Signing in failed: {message}",
    "signin.missing": "You are not signed in. Sign in through the portal and open this page again.",
    "switch.summary": "Other customer number (demo)",
    "switch.label": "Customer number",
    "switch.hint": "Local only: sign in as another demo customer.",
    "switch.button": "Switch customer",
    "switch.invalid": "Enter a customer number of 1 to 10 digits.",

    "choose.heading": "Administration and fiscal year",
    "choose.administration": "Administration",
    "choose.year": "Fiscal year",
    "choose.none": "This customer has no administrations with data.",
    "choose.loading": "Loading…",
    "choose.liveSince": "Current data since",
    "choose.proposals": "Unprocessed proposals (Scan & Recognize)",
    "choose.unknown": "unknown",

    "backup.heading": "Make a backup",
    "backup.intro": "Make a ZIP file with the bookkeeping data of this administration and fiscal year.",
    "backup.auditfile":
      "Every backup also holds an auditfile: auditfile.xaf in XAF 4.0, the only version the Dutch tax " +
      "administration accepts from 1 January 2027, and auditfile-3.2.xaf for software that reads only " +
      "XAF 3.2. Other accounting software and auditors can read them, also without Kluis.",
    "backup.readyAuditfile": "With an auditfile (XAF) for accounting software and auditors.",
    "backup.includeDocuments": "Include documents",
    "backup.includeDocuments.hint":
      "Needed when you move the administration to another licence or delete it. " +
      "With documents the file can become very large.",
    "backup.proposals.warning":
      "There are {count} unprocessed Scan & Recognize proposals. They are not included in a backup: " +
      "process them first if you want to keep them.",
    "backup.button": "Make a backup",
    "backup.started": "Making the backup…",
    "backup.following": "A backup of this administration and fiscal year is being made (started {date})…",
    "backup.progress": "Backup progress",
    "backup.figures": "{done} of {total} items, {bytesDone} of {bytesTotal}",
    "backup.ready": "The backup is ready: {filename} ({size}). The download has started.",
    "backup.readyToDownload": "The backup is ready: {filename} ({size}).",
    "backup.failed": "The backup failed: {reason}",
    "backup.download": "Download",
    "backup.downloadAgain": "Download again",
    "backup.busy": "A backup is already running.",
    "backup.gone": "This backup can no longer be downloaded: it was removed after its retention period. Make a new backup.",
    "backup.downloadFailed": "The download failed: {reason}",

    "restore.heading": "Restore a backup",
    "restore.intro":
      "Choose a backup file (.zip) made with Kluis. You first see what it holds; " +
      "nothing is replaced until you confirm.",
    "restore.file": "Backup file",
    "restore.chooseFile": "Choose file",
    "restore.noFileChosen": "No file chosen",
    "restore.chosenFile": "{name} ({size})",
    "restore.file.hint": "The file name does not matter: the administration and fiscal year are inside the file.",
    "restore.send": "Send",
    "restore.noFile": "Choose a backup file first.",
    "restore.tooLarge": "The file is too large ({size}); the maximum is {max}.",
    "restore.uploading": "Sending…",
    "restore.uploadProgress": "Upload progress",
    "restore.uploadFigures": "{done} of {total} sent",
    "restore.uploadFailed": "Sending failed: {message}",
    "restore.uploadRefused": "the storage refused the file (HTTP {status})",
    "restore.uploaded": "The file has been sent and is being checked…",
    "restore.awaitingCode": "The file has been checked; the verification code is being prepared…",
    "restore.resuming": "Fetching the restore…",
    "restore.abortUpload": "Abort",
    "restore.resumeChoose": "Sending ‘{name}’ was interrupted ({done} of {total} sent). Choose the same file again and click Send: what was sent already is not sent again.",
    "restore.resumingUpload": "Sending, continuing where it stopped…",
    "restore.uploadStopped": "Sending stopped: {message} Click Send again to continue where it stopped.",
    "restore.confirm.heading": "Check and confirm the restore",
    "restore.summary.administration": "Administration",
    "restore.summary.year": "Fiscal year",
    "restore.summary.createdAt": "Backup made on",
    "restore.summary.sourceCustomer": "Made under customer number",
    "restore.summary.contents": "Contents",
    "restore.summary.currentLiveSince": "Current data (to be replaced) since",
    "restore.summary.documents": "Documents",
    "restore.summary.bytes": "Size (unpacked)",
    "restore.summary.expiresAt": "Confirm before",
    "restore.replaces":
      "Administration {administration}, fiscal year {year} already exists. All its current data and " +
      "documents will be replaced by the contents of this backup.",
    "restore.new": "Administration {administration}, fiscal year {year} does not exist yet and will be created.",
    "restore.irreversible": "Note: a restore cannot be undone.",
    "restore.codeIntro": "To confirm, type this verification code:",
    "restore.codeLabel": "Verification code",
    "restore.attemptsLeft": "Attempts left: {count}.",
    "restore.confirm": "Confirm restore",
    "restore.cancel": "Cancel",
    "restore.codeMissing": "Type the verification code.",
    "restore.transfer": "This backup was made under customer number {source}; it will be restored into your licence ({customer}).",
    "restore.applying": "Restoring the backup…",
    "restore.restored": "The backup has been restored. Administration {administration}, fiscal year {year} was replaced.",
    "restore.rejected": "The file was rejected: {reason}",
    "restore.expired": "The time to confirm has run out. Nothing was changed; start again.",
    "restore.cancelled": "The restore was cancelled. Nothing was changed.",
    "restore.failed": "The restore failed: {reason}",
    "restore.again": "Restore another backup",

    "books.heading": "What happens to the books",
    "books.differs": "The books in the backup differ from the current ones. After the restore, the backup's apply:",
    "books.identical":
      "The books in the backup are the same as the current ones: {entries} entries, total debit {debit}. " +
      "Entries, balances and VAT returns do not change.",
    "books.empty":
      "This administration is empty now. After the restore it holds {entries} entries in {journals} journals; " +
      "the last entry is of {last}.",
    "books.noEntries": "no entries",
    "books.totals": "Entries: {backup} in the backup, {live} now. Last entry: {backupLast} in the backup, {liveLast} now.",
    "books.journal": "Journal {journal}: {backup} entries in the backup, {live} now.",
    "books.journal.lost": "{count} entries after {after} will be lost.",
    "books.journal.lostAll": "All {count} entries will be lost.",
    "books.journal.only": "Journal {journal}: {count} entries",
    "books.more.journals": "And {count} more journals that differ.",
    "books.vat": "VAT return {period}: {live} now, {backup} in the backup.",
    "books.vat.status.filed": "filed",
    "books.vat.status.open": "open",
    "books.vat.status.none": "not there",
    "books.account": "Account {account}: balance {backup} in the backup, {live} now (difference {change}).",
    "books.more.accounts": "And {count} more accounts with another balance.",
    "books.warnings": "Please note",
    "books.newer_entries_lost":
      "{entries} entries after {after} are in the administration now but not in the backup: " +
      "they will be lost.",
    "books.newer_entries_lost.noDate":
      "{entries} entries are in the administration now but not in the backup: they will be lost.",
    "books.filed_vat_returns_reopened":
      "{returns} VAT return(s) ({periods}) are filed now but still open in the backup. " +
      "After the restore they show as open again; the tax office has them as filed.",
    "books.backup_unbalanced":
      "The backup has {entries} entries whose debit and credit differ. They are restored as they are.",
    "books.backup_unreadable_records":
      "{records} lines of the backup could not be read for this overview. They are restored all the same.",
    "books.olderBackup": "This backup (of {created}) is older than the current data (of {live}).",
    "books.transfer": "The backup comes from another licence (customer number {source}).",

    "dataset.journal_entries": "journal entries",
    "dataset.relations": "relations",
    "dataset.ledger_accounts": "ledger accounts",
    "dataset.vat_returns": "VAT returns",
    "dataset.fiscal_year": "fiscal year settings",
    "dataset.opening_balance": "opening balance",
    "dataset.documents": "{count} documents",
    "list.and": "and",

    "jobs.heading": "Recent jobs",
    "jobs.caption": "Recent backups and restores of administration {administration}, fiscal year {year}",
    "jobs.kind": "Kind",
    "jobs.status": "Status",
    "jobs.createdAt": "Started",
    "jobs.progress": "Progress",
    "jobs.details": "Details",
    "jobs.actions": "Action",
    "jobs.none": "No jobs yet.",
    "jobs.refresh": "Refresh",
    "jobs.documents": "with documents",
    "jobs.downloadableUntil": "{size}, downloadable until {date}",
    "jobs.action.resume": "Confirm or cancel",
    "jobs.action.follow": "Show progress",
    "jobs.action.download": "Download",
    "jobs.action.label": "{action}: {kind} of {date}",
    "kind.backup": "Backup",
    "kind.restore": "Restore",
    "kind.undo": "Undo of a restore",
    "kind.retention": "Retained copy",
    "jobs.action.undo": "Undo this restore",
    "jobs.undid": "An earlier restore was undone.",
    "error.throttled": "Too many requests are coming in at once. Please try again in a minute.",
    "error.throttledUntil": "Too many requests are coming in at once. Please try again from {date}.",
    "backup.notStarted": "The backup was not started: {reason}",
    "restore.notStarted": "The restore was not started: {reason}",
    "restore.undoWindow": "Note: after the restore you can undo it for {days} days; after that only a restore from the system backups can help.",
    "readOnly.banner": "Read-only: your licence has ended; you can still download your retained years.",
    "undo.button": "Undo this restore",
    "undo.until": "You can undo this restore until {date}; after that only a system restore can help.",
    "undo.asking": "Preparing the undo…",
    "undo.preparing": "Checking the data from before the restore…",
    "undo.applying": "The restore is being undone…",
    "undo.confirm.heading": "Check and confirm the undo",
    "undo.confirm": "Confirm undo",
    "undo.replaces": "Administration {administration}, fiscal year {year} goes back to its data and documents from before the restore of {date}. What it holds now will be replaced.",
    "undo.irreversible": "Note: this undo cannot itself be undone.",
    "undo.summary.restoredAt": "Restore of",
    "undo.summary.contents": "Contents from before the restore",
    "undo.summary.currentLiveSince": "Current data (to be replaced) since",
    "undo.done": "The restore has been undone. Administration {administration}, fiscal year {year} has its data from before it again.",
    "undo.failed": "The undo failed: {reason}",
    "undo.expired": "The time to confirm has passed. Nothing was changed.",
    "undo.cancelled": "The undo was cancelled. Nothing was changed.",
    "undo.refused": "This restore cannot be undone: {reason}",
    "undo.notStarted": "The undo was not started: {reason}",
    "retained.heading": "Retained years",
    "retained.intro": "Closed fiscal years are kept unalterable: 7 years after the end of the fiscal year (10 years if you ask), as Dutch law requires (art. 52 AWR). You can download them, also after your licence has ended.",
    "retained.col.administration": "Administration",
    "retained.col.year": "Fiscal year",
    "retained.col.until": "Kept until",
    "retained.col.hold": "Legal hold",
    "retained.col.why": "Why",
    "retained.col.size": "Size",
    "retained.none": "No years are retained yet.",
    "retained.years": "{years} years",
    "retained.hold.on": "Yes, set by the operator",
    "retained.hold.off": "No",
    "retained.why.closed": "Fiscal year closed",
    "retained.why.requested": "At your request",
    "retained.download": "Download",
    "retained.downloadLabel": "Download retained fiscal year {year} of administration {administration}",
    "retained.downloading": "The download of {filename} has started.",
    "retained.downloadFailed": "The download failed: {reason}",
    "retained.loadFailed": "The retained years could not be loaded: {reason}",
    "retention.heading": "Have a year retained",
    "retention.scope": "Keep administration {administration}, fiscal year {year} (chosen in 1) unalterable, with its documents.",
    "retention.years": "Retention period after the end of the fiscal year",
    "retention.years7": "7 years (the legal period)",
    "retention.years10": "10 years (for records of real estate)",
    "retention.send": "Request retention",
    "retention.started": "A retained copy of administration {administration}, fiscal year {year} is being made ({years} years)…",
    "retention.ready": "The retained copy of administration {administration}, fiscal year {year} was made and is kept until {until}.",
    "retention.failed": "The retained copy was not made: {reason}",
    "retention.notStarted": "The retained copy was not started: {reason}",
    "audit.heading": "Audit log",
    "audit.intro": "Who did what and when, newest first. The log cannot be changed.",
    "audit.onlyScope": "Only the chosen administration and fiscal year ({administration} / {year})",
    "audit.col.at": "When",
    "audit.col.actor": "Who",
    "audit.col.action": "What",
    "audit.col.scope": "Administration / fiscal year",
    "audit.col.outcome": "Outcome",
    "audit.limit": "You see the latest 200 actions.",
    "audit.none": "Nothing recorded yet.",
    "audit.loadFailed": "The audit log could not be loaded: {reason}",
    "audit.actor.system": "Kluis (automatic)",
    "audit.outcome.done": "Done",
    "audit.outcome.refused": "Refused",
    "audit.outcome.failed": "Failed",
    "audit.backup.requested": "Backup requested",
    "audit.backup.ready": "Backup ready",
    "audit.backup.failed": "Backup failed",
    "audit.download.issued": "Download link of a backup issued",
    "audit.restore.requested": "Restore started",
    "audit.restore.uploaded": "Backup file for a restore received",
    "audit.restore.code_wrong": "Wrong verification code typed",
    "audit.restore.confirmed": "Restore confirmed with the verification code",
    "audit.restore.cancel": "Restore cancelled by the user",
    "audit.restore.restored": "Restored",
    "audit.restore.rejected": "Backup file rejected",
    "audit.restore.expired": "Restore expired without confirmation",
    "audit.restore.cancelled": "Restore stopped",
    "audit.restore.failed": "Restore failed",
    "audit.restore.undo_requested": "Undo of a restore requested",
    "audit.system_restore.requested": "Restore from the system backups requested",
    "audit.retention.requested": "Retained copy requested",
    "audit.retention.archived": "Retained copy made and locked",
    "audit.retention.download_issued": "Download link of a retained copy issued",
    "audit.operator.action": "Operator action",

    "sysrestore.heading": "Request a restore from a system backup",
    "sysrestore.intro":
      "Lost data and no backup of your own? Ask the operator to restore administrations and fiscal years as they " +
      "were at an earlier point in time in the system backups. Their current data is then replaced.",
    "sysrestore.items": "Administrations and fiscal years",
    "sysrestore.items.hint": "Choose one or more (at most 20).",
    "sysrestore.item": "Administration {administration}, fiscal year {year}",
    "sysrestore.items.none": "There are no administrations to choose.",
    "sysrestore.items.missing": "Choose at least one administration and fiscal year.",
    "sysrestore.moment": "Point in time to go back to",
    "sysrestore.moment.hint": "In your own time. It must lie in the past, at most {days} days back.",
    "sysrestore.moment.missing": "Choose the point in time the data should go back to.",
    "sysrestore.note": "Note for the operator (optional)",
    "sysrestore.note.hint": "For example what went wrong. At most 1000 characters.",
    "sysrestore.rule": "A restore from a system backup may be charged: {price} per administration and fiscal year.",
    "sysrestore.rule.loading": "Fetching the costs…",
    "sysrestore.total": "Total: {total} ({count} × {price})",
    "sysrestore.ack": "I understand this may be charged.",
    "sysrestore.ack.missing": "First tick that you understand this may be charged.",
    "sysrestore.send": "Request restore",
    "sysrestore.sending": "Sending the request…",
    "sysrestore.incomplete": "The request was not sent: complete the marked fields.",
    "sysrestore.received": "Your request {id} has been received. Status: {status}. Costs: {total}.",
    "sysrestore.refused": "The request was not accepted: {message}",
    "sysrestore.list": "Your requests",
    "sysrestore.none": "No requests yet.",
    "sysrestore.col.request": "Request",
    "sysrestore.col.status": "Status",
    "sysrestore.col.moment": "Point in time",
    "sysrestore.col.items": "Administrations and fiscal years",
    "sysrestore.col.costs": "Costs",
    "sysrestore.submitted": "filed {date}",
    "sysrestore.status.received": "Received",
    "sysrestore.status.in-progress": "In progress",
    "sysrestore.status.fulfilled": "Fulfilled",
    "sysrestore.status.partly-fulfilled": "Partly fulfilled",
    "sysrestore.status.failed": "Failed",
    "sysrestore.itemStatus.pending": "Pending",
    "sysrestore.itemStatus.restoring": "Restoring",
    "sysrestore.itemStatus.restored": "Restored",
    "sysrestore.itemStatus.failed": "Failed",

    "status.queued": "Queued",
    "status.building": "Building",
    "status.retaining": "Being stored under lock",
    "status.ready": "Ready",
    "status.failed": "Failed",
    "status.awaiting-upload": "Awaiting upload",
    "status.validating": "Being checked",
    "status.awaiting-confirmation": "Awaiting confirmation",
    "status.applying": "Being restored",
    "status.restored": "Restored",
    "status.rejected": "Rejected",
    "status.expired": "Expired",
    "status.cancelled": "Cancelled",

    "error.network": "The server cannot be reached. Check your connection and try again.",
    "error.unauthorized": "Your sign-in has expired or is invalid. Reload the page.",
    "error.generic": "Something went wrong (HTTP {status}).",
    "error.prefix": "Error",
    "dismiss": "Close",

    // Sizes as an English Windows Explorer shows them (see formatBytes).
    "unit.bytes": "bytes",
    "unit.KB": "KB",
    "unit.MB": "MB",
    "unit.GB": "GB",
    "unit.TB": "TB",

    // -- reasons (layers/kluis/kluis/reasons.py), by code -------------------------------------------
    "reason.request.unauthorized": "Sign in again: the request carries no valid token.",
    "reason.request.no_customer": "The token names no customer.",
    "reason.request.not_found": "There is no such address in Kluis.",
    "reason.request.media_type": "Send the request body as application/json.",
    "reason.request.body_not_json": "The request body is not valid JSON (UTF-8).",
    "reason.request.body_not_allowed": "This request takes no body.",
    "reason.request.body_too_large": "The request body is larger than {limit} bytes.",
    "reason.request.missing_body": "The request needs a JSON body.",
    "reason.request.field_missing": "The field '{field}' is missing.",
    "reason.request.field_unexpected": "The field '{field}' is not expected here.",
    "reason.request.field_not_boolean": "The field '{field}' must be true or false.",
    "reason.request.field_not_text": "The field '{field}' must be text.",
    "reason.request.field_not_list": "The field '{field}' must be a list.",
    "reason.request.field_not_object": "The field '{field}' must be an object with fields.",
    "reason.request.field_empty": "The field '{field}' must not be empty.",
    "reason.request.field_too_long": "The field '{field}' may hold at most {limit} characters.",
    "reason.request.field_too_few": "The field '{field}' must hold at least {limit} items.",
    "reason.request.field_too_many": "The field '{field}' may hold at most {limit} items.",
    "reason.request.field_invalid": "The field '{field}' is invalid.",
    "reason.request.fault": "Something went wrong on our side. Please try again; if it keeps happening, contact support.",
    "reason.request.read_only": "This sign-in may only look and download (for example after the licence ended); it cannot start or change anything.",
    "reason.limit.backups_per_customer": "You started {limit} backups this hour, the most allowed. You can start the next one from {retryAt}.",
    "reason.limit.backups_per_administration": "This hour, {limit} backups of this administration and fiscal year were started, the most allowed. You can start the next one from {retryAt}.",
    "reason.limit.restores_per_customer": "You started {limit} restores this hour, the most allowed. You can start the next one from {retryAt}.",
    "reason.limit.restores_per_administration": "This hour, {limit} restores of this administration and fiscal year were started, the most allowed. Nothing was changed; send the file again from {retryAt}.",
    "reason.restore.upload_expired": "No backup file arrived for this restore within {hours} hours, so it was stopped. Nothing was changed; start the restore again to send the file.",
    "reason.restore.undo_not_restored": "Only a completed restore can be undone; this one is {status}.",
    "reason.restore.undo_nothing_before": "This restore went into an administration and fiscal year that held no data, so there is nothing to go back to.",
    "reason.restore.undo_window_passed": "A restore can be undone for {days} days; that time has passed. Only a restore from the system backups can help now.",
    "reason.restore.undo_changed_since": "The administration and fiscal year changed after this restore (at {changedAt}), so it can no longer be undone. Nothing was changed.",
    "reason.restore.undo_data_gone": "The data from before this restore is no longer kept, so it cannot be undone. Nothing was changed.",
    "reason.retention.not_found": "There is no such retained archive.",
    "reason.retention.period_over": "Fiscal year {year} of administration {administration} ended more than {years} years ago: its retention period is over, so it is not kept under lock.",
    "reason.scope.invalid_customer": "The customer number must look like '10234' (1 to 10 digits), got '{value}'.",
    "reason.scope.invalid_administration": "The administration number must be 5 digits, like '00017', got '{value}'.",
    "reason.scope.invalid_year": "The fiscal year must be 4 digits, like '2025', got '{value}'.",
    "reason.scope.not_found": "This administration and fiscal year do not exist or hold no data.",
    "reason.job.not_found": "There is no such job.",
    "reason.job.state_conflict": "The job cannot do that now: its status is '{status}'.",
    "reason.lock.busy": "Another backup or restore of this administration and fiscal year is running. Please try again when it has finished.",
    "reason.backup.nothing_to_back_up": "This administration and fiscal year hold no data, so there is nothing to back up.",
    "reason.backup.lock_busy": "A restore of this administration and fiscal year was running, so the backup could not start. Nothing was changed. Please try again when the restore has finished.",
    "reason.backup.too_large": "This administration and fiscal year are too large for one backup file.",
    "reason.backup.fault": "The backup could not be made because of a fault on our side. Nothing was changed. Please try again in a few minutes; if it keeps failing, contact support and mention job {job}.",
    "reason.backup.timeout": "Making the backup took too long and was stopped. Nothing was changed. Please try again; if it happens again, contact support and mention job {job}.",
    "reason.backup.download_not_ready": "Only a ready backup can be downloaded; this job's status is '{status}'.",
    "reason.backup.download_expired": "A backup can be downloaded for {days} days; this one's file has been removed. Make a new backup to download the data.",
    "reason.restore.not_awaiting_confirmation": "The job cannot do that now: the restore's status is '{status}', not awaiting confirmation.",
    "reason.restore.cannot_cancel": "The job cannot do that now: a restore whose status is '{status}' cannot be cancelled.",
    "reason.restore.code_expired": "The job cannot do that now: the verification code has expired.",
    "reason.restore.wrong_code": "That is not the verification code. Attempts left: {attemptsLeft}.",
    "reason.restore.wrong_code_last": "That is not the verification code, and no attempts are left: the restore was stopped. Nothing was changed.",
    "reason.restore.too_many_attempts": "Too many wrong verification codes were entered. Nothing was changed; send the backup file again to start over.",
    "reason.restore.expired": "The verification code was not confirmed in time. Nothing was changed; send the backup file again to start over.",
    "reason.restore.cancelled": "The restore was cancelled. Nothing was changed.",
    "reason.restore.file_too_large": "The file is larger than a restore accepts.",
    "reason.restore.not_multipart": "This restore's file is sent in one piece, not in parts.",
    "reason.restore.not_awaiting_upload": "The job cannot do that now: the restore is '{status}', not waiting for its file.",
    "reason.restore.part_out_of_range": "There is no part {part}: this file is sent in {parts} parts.",
    "reason.restore.upload_not_open": "The upload of this file is no longer open. Nothing was changed; start the restore again to send the file.",
    "reason.restore.upload_incomplete": "The file has not been sent completely: part {part} of {parts} is missing. Send it, then finish the upload.",
    "reason.restore.upload_too_large": "The parts sent add up to more than the file's stated size or the largest file a restore accepts. The upload was stopped; nothing was changed.",
    "reason.restore.lock_busy": "A backup or another restore of this administration and fiscal year kept running, so this restore was stopped. Your existing data was not changed. Please send the backup file again later.",
    "reason.restore.head_conflict": "Someone else restored this administration and fiscal year at the same moment, so this restore was stopped. Your existing data is as the other restore left it; check it before trying again.",
    "reason.restore.superseded": "Since this file was checked, administration {administration}, fiscal year {year} was changed by another restore (at {changedAt}). Nothing was changed by this one; send the file again if you still want it.",
    "reason.restore.fault": "The restore could not be completed because of a fault on our side. Your existing data was not changed. Please try again; if it keeps failing, contact support and mention job {job}.",
    "reason.restore.timeout": "The restore took too long and was stopped. Your existing data was not changed. Please contact support and mention job {job}.",
    "reason.archive.not_zip": "The file is not a ZIP archive.",
    "reason.archive.not_zip.empty": "The file is empty; it is not a ZIP archive.",
    "reason.archive.not_zip.long_comment": "The archive has an unexpectedly long comment.",
    "reason.archive.truncated": "The archive is incomplete: it ends before its contents do.",
    "reason.archive.truncated.end_missing": "The archive is incomplete: its end is missing.",
    "reason.archive.truncated.end_cut_off": "The archive is incomplete: its end is cut off.",
    "reason.archive.truncated.zip64_end_missing": "The archive is incomplete: its ZIP64 end record is missing.",
    "reason.archive.truncated.directory_outside": "The archive's table of contents lies outside the file.",
    "reason.archive.truncated.entry_outside": "The archive's entry '{name}' lies outside the archive.",
    "reason.archive.multi_disk": "The archive is split over several files; that is not supported.",
    "reason.archive.trailing_data": "The archive has unexpected data after its end.",
    "reason.archive.trailing_data.after_directory": "The archive has unexpected data after its table of contents.",
    "reason.archive.trailing_data.before_directory": "The archive has unexpected data before its table of contents.",
    "reason.archive.prepended_data": "The archive has unexpected data before its first entry.",
    "reason.archive.prepended_data.before_directory": "The archive has unexpected data before its table of contents.",
    "reason.archive.hidden_data": "The archive has unexpected data between its entries.",
    "reason.archive.bad_directory": "The archive's table of contents is damaged.",
    "reason.archive.bad_directory.end_records": "The archive's end records disagree with each other.",
    "reason.archive.bad_directory.zip64_end": "The archive's ZIP64 end record is damaged.",
    "reason.archive.bad_directory.count": "The archive's table of contents does not match its entry count.",
    "reason.archive.header_mismatch": "The archive's entry '{name}' is described in two different ways.",
    "reason.archive.header_mismatch.damaged": "The archive has a damaged entry header.",
    "reason.archive.header_mismatch.zip64_missing": "The archive has an entry whose ZIP64 sizes are missing.",
    "reason.archive.header_mismatch.sizes": "The archive has an entry with inconsistent sizes: '{name}'.",
    "reason.archive.unsafe_name.not_utf8": "The archive contains an entry whose name is not UTF-8: '{name}'.",
    "reason.archive.unsafe_name.too_long": "The archive contains an entry with a too long name: '{name}'.",
    "reason.archive.unsafe_name.control": "The archive contains an entry with control characters in its name: '{name}'.",
    "reason.archive.unsafe_name.windows_path": "The archive contains an entry with a Windows path as its name: '{name}'.",
    "reason.archive.unsafe_name.outside": "The archive contains an entry with a path outside the archive: '{name}'.",
    "reason.archive.duplicate_name": "The archive contains the entry '{name}' twice.",
    "reason.archive.directory": "The archive contains a folder entry, which a backup never has: '{name}'.",
    "reason.archive.symlink": "The archive contains a link, which a backup never has: '{name}'.",
    "reason.archive.special_file": "The archive contains a special file, which a backup never has: '{name}'.",
    "reason.archive.encrypted": "The archive contains an encrypted entry: '{name}'.",
    "reason.archive.unsupported_method": "The archive contains an entry compressed in an unsupported way (method {method}): '{name}'.",
    "reason.archive.too_many_entries": "The archive has more than {limit} entries.",
    "reason.archive.too_large": "The archive is larger than the largest backup that can be restored.",
    "reason.archive.too_large.entry": "The archive contains a too large entry: '{name}'.",
    "reason.archive.too_large.total": "The archive would unpack to more than the largest backup allowed.",
    "reason.archive.too_large.control": "The archive's {name} is larger than Kluis ever writes.",
    "reason.archive.zip_bomb": "The archive contains an entry that would unpack to an implausible size: '{name}'.",
    "reason.archive.zip_bomb.more_than_declared": "The archive's entry '{name}' unpacks to more than it declares.",
    "reason.archive.overlap": "The archive contains entries that overlap each other.",
    "reason.archive.corrupt": "The archive's entry '{name}' is damaged.",
    "reason.archive.size_mismatch": "The archive's entry '{name}' is shorter than it declares.",
    "reason.archive.crc_mismatch": "The archive's entry '{name}' is damaged (checksum mismatch).",
    "reason.archive.unexpected_entry": "The archive contains a file a Kluis backup never holds: '{name}'.",
    "reason.archive.not_a_backup": "The file is not a Kluis backup: it has no {name}.",
    "reason.archive.manifest_mismatch.missing": "The archive lacks '{name}', which its manifest lists.",
    "reason.archive.manifest_mismatch.extra": "The archive holds '{name}', which its manifest does not list.",
    "reason.archive.manifest_mismatch.size": "The size of '{name}' differs from its manifest.",
    "reason.archive.checksum_mismatch": "The content of '{name}' differs from what the backup's manifest says.",
    "reason.archive.bad_signature": "The backup's signature is not valid: it was changed or made elsewhere.",
    "reason.archive.bad_signature.malformed": "The backup's signature file is malformed.",
    "reason.archive.bad_signature.algorithm": "The backup's signature uses an algorithm Kluis does not accept.",
    "reason.archive.bad_manifest.too_large": "The manifest is larger than any backup of Kluis can have.",
    "reason.archive.bad_manifest.not_json": "The manifest is not valid JSON.",
    "reason.archive.bad_manifest.not_object": "The manifest is not a JSON object.",
    "reason.archive.bad_manifest.field": "The manifest field '{field}' is missing or has the wrong type.",
    "reason.archive.bad_manifest.entry_not_object": "A manifest entry is not a JSON object.",
    "reason.archive.bad_manifest.entry_name": "The manifest names an entry Kluis does not write: '{name}'.",
    "reason.archive.bad_manifest.entry_twice": "The manifest names '{name}' twice.",
    "reason.archive.bad_manifest.entry_values": "The manifest entry '{name}' has an invalid size or checksum.",
    "reason.archive.bad_manifest.format": "The file is not a Kluis backup (its manifest has another format).",
    "reason.archive.bad_manifest.version": "The backup has format version {version}; this Kluis reads version {supported}.",
    "reason.archive.bad_manifest.identity": "The manifest's identity is invalid: its {field} is '{value}'.",
    "reason.archive.bad_manifest.created_at": "The manifest's creation time is not an ISO 8601 timestamp.",
    "reason.archive.bad_manifest.source_generation": "The manifest's source generation is invalid.",
    "reason.archive.bad_manifest.documents": "The manifest says it holds no documents, yet lists some.",
    "reason.archive.bad_manifest.counts": "The manifest's counts do not match its entries.",
    "reason.archive.bad_manifest.totals": "The manifest's totals do not match its entries.",
    "reason.system_restore.point_in_time_format": "The point in time must be ISO 8601, e.g. 2026-11-20T10:00:00Z, got '{value}'.",
    "reason.system_restore.point_in_time_zone": "The point in time must include a time zone, e.g. 2026-11-20T10:00:00Z.",
    "reason.system_restore.point_in_time_future": "The point in time must lie in the past.",
    "reason.system_restore.point_in_time_too_old": "The point in time must lie within the last {days} days (how long system backups are kept).",
    "reason.system_restore.item_count": "Give 1 to {limit} administration/years.",
    "reason.system_restore.duplicate_item": "Each administration/year may appear only once.",
    "reason.system_restore.note_too_long": "The note may hold at most {limit} characters.",
    "reason.system_restore.request_not_found": "There is no such request.",
    "reason.system_restore.busy": "Request {request} is being fulfilled already.",
    "reason.system_restore.item_failed": "This could not be restored; our support team will contact you.",
  },
};

let current = DEFAULT_LANGUAGE;

export function initialLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null; // storage disabled: fall back to the default
  }
  return LANGUAGES.includes(stored) ? stored : DEFAULT_LANGUAGE;
}

export function setLanguage(language) {
  current = LANGUAGES.includes(language) ? language : DEFAULT_LANGUAGE;
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  document.documentElement.lang = current;
  return current;
}

export function language() {
  return current;
}

export function hasText(key) {
  return key in TEXTS[current] || key in TEXTS[DEFAULT_LANGUAGE];
}

// A parameter may be a function: it is called at each rendering, so a message kept on the page
// (dom.showMessage) shows its reason, size or date in the language chosen after it was shown.
export function t(key, params = {}) {
  const text = TEXTS[current][key] ?? TEXTS[DEFAULT_LANGUAGE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => {
    if (!(name in params)) return match;
    const value = params[name];
    return String(typeof value === "function" ? value() : value);
  });
}

export function applyTranslations(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  document.title = t("app.title");
}

// -- reasons ---------------------------------------------------------------------------------------

// How a reason's parameters read in the chosen language: a status by its name on this page, a
// moment in the user's own time and format, numbers with the language's digit grouping.
const PARAM_FORMATS = {
  status: (value) => (hasText(`status.${value}`) ? t(`status.${value}`) : String(value)),
  changedAt: (value) => formatDate(value),
  retryAt: (value) => formatDate(value),
  limit: (value) => formatNumber(value),
  hours: (value) => formatNumber(value),
  attemptsLeft: (value) => formatNumber(value),
  days: (value) => formatNumber(value),
};

// The text of a reason: anything that carries `reasonCode` and `reasonParams` (an API error's body,
// a failed job, an item of a request), in the chosen language; the English text it carries
// (`reason` or `message`) only for a code this page does not know.
export function reasonText(source) {
  if (!source) return "";
  const code = source.reasonCode;
  if (typeof code === "string" && hasText(`reason.${code}`)) {
    const params = {};
    for (const [name, value] of Object.entries(source.reasonParams || {})) {
      params[name] = name in PARAM_FORMATS ? PARAM_FORMATS[name](value) : value;
    }
    return t(`reason.${code}`, params);
  }
  return String(source.reason || source.message || "");
}

// -- numbers, sizes, dates -------------------------------------------------------------------------

// One size formatter for the whole page, in the form Windows Explorer shows the same file in its
// Properties dialog, Details pane and status bar (shlwapi's StrFormatByteSize): units of 1024; under
// 1000 bytes the exact count ("532 bytes"); from there three significant digits, truncated and not
// rounded ("8,10 MB" for 8.499.200 bytes, "999 kB" for 1.023.999 bytes, "0,97 MB" from 1000 kB on),
// with the Dutch Windows units "kB", "MB", "GB" ("KB" in English). Explorer's Size column shows whole
// kB rounded up instead ("8.301 kB"); backups run to gigabytes, where that form is unreadable, so the
// page uses the Properties form everywhere: the chosen file, the upload, the progress and the summary.
const UNITS = ["unit.bytes", "unit.KB", "unit.MB", "unit.GB", "unit.TB"];

export function formatBytes(bytes) {
  let value = Math.max(0, Number(bytes) || 0);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  const scale = 10 ** digits;
  const truncated = Math.floor(value * scale + 1e-9) / scale;
  const number = new Intl.NumberFormat(current, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${number.format(truncated)} ${t(UNITS[unit])}`;
}

export function formatNumber(value) {
  return new Intl.NumberFormat(current).format(Number(value) || 0);
}

export function formatDate(iso) {
  if (!iso) return t("choose.unknown");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return t("choose.unknown");
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

// An amount as the API gives it (a decimal string, "-1234.50"), in euros; `sign` shows "+" too.
export function formatAmount(value, { sign = false } = {}) {
  const number = Number(value);
  if (value === null || value === undefined || Number.isNaN(number)) return "—";
  return new Intl.NumberFormat(current, {
    style: "currency",
    currency: "EUR",
    signDisplay: sign ? "exceptZero" : "auto",
  }).format(number);
}

// A day ("2025-03-04", or the UTC day of a timestamp, e.g. a retention's end) as a date without a time.
export function formatDay(iso) {
  if (!iso) return t("choose.unknown");
  const day = String(iso).slice(0, 10);
  const date = new Date(`${day}T12:00:00`);
  if (Number.isNaN(date.getTime())) return t("choose.unknown");
  return new Intl.DateTimeFormat(current, { dateStyle: "medium" }).format(date);
}

export function formatMoney(cents, currency = "EUR") {
  return new Intl.NumberFormat(current, { style: "currency", currency }).format((Number(cents) || 0) / 100);
}

// "boekingen, relaties en grootboekrekeningen": a list as a sentence in the chosen language.
export function formatList(items) {
  const parts = items.map(String);
  if (parts.length < 2) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} ${t("list.and")} ${parts.at(-1)}`;
}
