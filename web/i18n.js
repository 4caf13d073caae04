// Kluis web client: texts in Dutch (the default) and English.
// t(key, params) fills {name} placeholders; applyTranslations(root) fills every element that has
// data-i18n="key" (text), data-i18n-html is not used: texts are always set as text, never as HTML.

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

    "choose.heading": "1. Administratie en boekjaar",
    "choose.administration": "Administratie",
    "choose.year": "Boekjaar",
    "choose.none": "Er zijn voor deze klant geen administraties met gegevens.",
    "choose.loading": "Bezig met laden…",
    "choose.liveSince": "Huidige gegevens sinds",
    "choose.proposals": "Onverwerkte voorstellen (Scan & Herken)",
    "choose.unknown": "onbekend",

    "backup.heading": "2. Backup maken",
    "backup.intro": "Maak een ZIP-bestand met de boekhoudgegevens van deze administratie en dit boekjaar.",
    "backup.includeDocuments": "Documenten meenemen",
    "backup.includeDocuments.hint":
      "Nodig als u de administratie wilt verhuizen naar een andere licentie of wilt verwijderen. " +
      "Met documenten kan het bestand erg groot worden.",
    "backup.proposals.warning":
      "Er zijn {count} onverwerkte voorstellen van Scan & Herken. Die komen niet in de backup: " +
      "verwerk ze eerst als u ze wilt bewaren.",
    "backup.button": "Backup maken",
    "backup.started": "De backup wordt gemaakt…",
    "backup.progress": "Voortgang van de backup",
    "backup.figures": "{done} van {total} onderdelen, {bytesDone} van {bytesTotal}",
    "backup.ready": "De backup is klaar: {filename} ({size}). Het downloaden is gestart.",
    "backup.failed": "De backup is mislukt: {reason}",
    "backup.downloadAgain": "Opnieuw downloaden",
    "backup.busy": "Er loopt al een backup.",

    "restore.heading": "3. Backup terugzetten",
    "restore.intro":
      "Kies een backupbestand (.zip) dat met Kluis is gemaakt. U ziet eerst wat erin staat; " +
      "pas na uw bevestiging wordt er iets vervangen.",
    "restore.file": "Backupbestand",
    "restore.file.hint": "De bestandsnaam maakt niet uit: de administratie en het boekjaar staan in het bestand.",
    "restore.send": "Versturen",
    "restore.noFile": "Kies eerst een backupbestand.",
    "restore.tooLarge": "Het bestand is te groot ({size}); het maximum is {max}.",
    "restore.uploading": "Bezig met versturen…",
    "restore.uploadProgress": "Voortgang van het versturen",
    "restore.uploadFigures": "{done} van {total} verstuurd",
    "restore.uploadFailed": "Het versturen is mislukt: {message}",
    "restore.uploaded": "Het bestand is verstuurd en wordt gecontroleerd…",
    "restore.confirm.heading": "Controleer en bevestig het terugzetten",
    "restore.summary.administration": "Administratie",
    "restore.summary.year": "Boekjaar",
    "restore.summary.createdAt": "Backup gemaakt op",
    "restore.summary.sourceCustomer": "Gemaakt onder klantnummer",
    "restore.summary.records": "Gegevensbestanden",
    "restore.summary.currentLiveSince": "Huidige gegevens (worden vervangen) sinds",
    "restore.summary.documents": "Documenten",
    "restore.summary.bytes": "Omvang",
    "restore.replaces":
      "Administratie {administration}, boekjaar {year} bestaat al. Alle huidige gegevens en documenten " +
      "daarvan worden vervangen door de inhoud van deze backup.",
    "restore.new": "Administratie {administration}, boekjaar {year} bestaat nog niet en wordt aangemaakt.",
    "restore.irreversible": "Let op: terugzetten kan niet ongedaan worden gemaakt.",
    "restore.codeIntro": "Typ ter bevestiging deze code over:",
    "restore.codeLabel": "Bevestigingscode",
    "restore.attemptsLeft": "Nog {count} pogingen.",
    "restore.confirm": "Terugzetten bevestigen",
    "restore.cancel": "Annuleren",
    "restore.codeMissing": "Typ de bevestigingscode over.",
    "restore.wrongCode": "Dat is niet de juiste code. Nog {count} pogingen over.",
    "restore.transfer": "Deze backup is gemaakt onder klantnummer {source}; hij wordt teruggezet in uw licentie ({customer}).",
    "restore.applying": "De backup wordt teruggezet…",
    "restore.restored": "De backup is teruggezet. Administratie {administration}, boekjaar {year} is vervangen.",
    "restore.rejected": "Het bestand is afgewezen: {reason}",
    "restore.expired": "De tijd om te bevestigen is verstreken. Er is niets veranderd; begin opnieuw.",
    "restore.cancelled": "Het terugzetten is geannuleerd. Er is niets veranderd.",
    "restore.failed": "Het terugzetten is mislukt: {reason}",
    "restore.nothingChanged": "Er is niets veranderd.",
    "restore.again": "Nog een backup terugzetten",

    "jobs.heading": "4. Recente taken",
    "jobs.caption": "Recente backups en terugzettingen van administratie {administration}, boekjaar {year}",
    "jobs.kind": "Soort",
    "jobs.status": "Status",
    "jobs.createdAt": "Gestart",
    "jobs.progress": "Voortgang",
    "jobs.details": "Bijzonderheden",
    "jobs.none": "Nog geen taken.",
    "jobs.refresh": "Vernieuwen",
    "jobs.documents": "met documenten",
    "kind.backup": "Backup",
    "kind.restore": "Terugzetten",

    "sysrestore.heading": "5. Herstel uit systeemback-up aanvragen",
    "sysrestore.intro":
      "Gegevens kwijt en geen eigen backup? Vraag de beheerder om administraties en boekjaren terug te zetten " +
      "zoals ze op een eerder tijdstip in de systeemback-ups stonden. De huidige gegevens daarvan worden dan vervangen.",
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
      "Een herstel uit een systeemback-up kan in rekening worden gebracht: {price} per administratie en boekjaar.",
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

    "choose.heading": "1. Administration and fiscal year",
    "choose.administration": "Administration",
    "choose.year": "Fiscal year",
    "choose.none": "This customer has no administrations with data.",
    "choose.loading": "Loading…",
    "choose.liveSince": "Current data since",
    "choose.proposals": "Unprocessed proposals (Scan & Recognize)",
    "choose.unknown": "unknown",

    "backup.heading": "2. Make a backup",
    "backup.intro": "Make a ZIP file with the bookkeeping data of this administration and fiscal year.",
    "backup.includeDocuments": "Include documents",
    "backup.includeDocuments.hint":
      "Needed when you move the administration to another licence or delete it. " +
      "With documents the file can become very large.",
    "backup.proposals.warning":
      "There are {count} unprocessed Scan & Recognize proposals. They are not included in a backup: " +
      "process them first if you want to keep them.",
    "backup.button": "Backup",
    "backup.started": "Making the backup…",
    "backup.progress": "Backup progress",
    "backup.figures": "{done} of {total} items, {bytesDone} of {bytesTotal}",
    "backup.ready": "The backup is ready: {filename} ({size}). The download has started.",
    "backup.failed": "The backup failed: {reason}",
    "backup.downloadAgain": "Download again",
    "backup.busy": "A backup is already running.",

    "restore.heading": "3. Restore a backup",
    "restore.intro":
      "Choose a backup file (.zip) made with Kluis. You first see what it holds; " +
      "nothing is replaced until you confirm.",
    "restore.file": "Backup file",
    "restore.file.hint": "The file name does not matter: the administration and fiscal year are inside the file.",
    "restore.send": "Send",
    "restore.noFile": "Choose a backup file first.",
    "restore.tooLarge": "The file is too large ({size}); the maximum is {max}.",
    "restore.uploading": "Sending…",
    "restore.uploadProgress": "Upload progress",
    "restore.uploadFigures": "{done} of {total} sent",
    "restore.uploadFailed": "Sending failed: {message}",
    "restore.uploaded": "The file has been sent and is being checked…",
    "restore.confirm.heading": "Check and confirm the restore",
    "restore.summary.administration": "Administration",
    "restore.summary.year": "Fiscal year",
    "restore.summary.createdAt": "Backup made on",
    "restore.summary.sourceCustomer": "Made under customer number",
    "restore.summary.records": "Data files",
    "restore.summary.currentLiveSince": "Current data (to be replaced) since",
    "restore.summary.documents": "Documents",
    "restore.summary.bytes": "Size",
    "restore.replaces":
      "Administration {administration}, fiscal year {year} already exists. All its current data and " +
      "documents will be replaced by the contents of this backup.",
    "restore.new": "Administration {administration}, fiscal year {year} does not exist yet and will be created.",
    "restore.irreversible": "Note: a restore cannot be undone.",
    "restore.codeIntro": "To confirm, type this code:",
    "restore.codeLabel": "Verification code",
    "restore.attemptsLeft": "{count} attempts left.",
    "restore.confirm": "Confirm restore",
    "restore.cancel": "Cancel",
    "restore.codeMissing": "Type the verification code.",
    "restore.wrongCode": "That is not the right code. {count} attempts left.",
    "restore.transfer": "This backup was made under customer number {source}; it will be restored into your licence ({customer}).",
    "restore.applying": "Restoring the backup…",
    "restore.restored": "The backup has been restored. Administration {administration}, fiscal year {year} was replaced.",
    "restore.rejected": "The file was rejected: {reason}",
    "restore.expired": "The time to confirm has run out. Nothing was changed; start again.",
    "restore.cancelled": "The restore was cancelled. Nothing was changed.",
    "restore.failed": "The restore failed: {reason}",
    "restore.nothingChanged": "Nothing was changed.",
    "restore.again": "Restore another backup",

    "jobs.heading": "4. Recent jobs",
    "jobs.caption": "Recent backups and restores of administration {administration}, fiscal year {year}",
    "jobs.kind": "Kind",
    "jobs.status": "Status",
    "jobs.createdAt": "Started",
    "jobs.progress": "Progress",
    "jobs.details": "Details",
    "jobs.none": "No jobs yet.",
    "jobs.refresh": "Refresh",
    "jobs.documents": "with documents",
    "kind.backup": "Backup",
    "kind.restore": "Restore",

    "sysrestore.heading": "5. Request a restore from a system backup",
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
    "status.ready": "Ready",
    "status.failed": "Failed",
    "status.awaiting-upload": "Awaiting upload",
    "status.validating": "Validating",
    "status.awaiting-confirmation": "Awaiting confirmation",
    "status.applying": "Applying",
    "status.restored": "Restored",
    "status.rejected": "Rejected",
    "status.expired": "Expired",
    "status.cancelled": "Cancelled",

    "error.network": "The server cannot be reached. Check your connection and try again.",
    "error.unauthorized": "Your sign-in has expired or is invalid. Reload the page.",
    "error.generic": "Something went wrong (HTTP {status}).",
    "error.prefix": "Error",
    "dismiss": "Close",
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

export function t(key, params = {}) {
  const text = TEXTS[current][key] ?? TEXTS[DEFAULT_LANGUAGE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

export function applyTranslations(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  document.title = t("app.title");
}

export function formatBytes(bytes) {
  const value = Number(bytes) || 0;
  const units = ["B", "KB", "MB", "GB", "TB"];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || size >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(current, { maximumFractionDigits: digits }).format(size)} ${units[unit]}`;
}

export function formatNumber(value) {
  return new Intl.NumberFormat(current).format(Number(value) || 0);
}

export function formatDate(iso) {
  if (!iso) return t("choose.unknown");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatMoney(cents, currency = "EUR") {
  return new Intl.NumberFormat(current, { style: "currency", currency }).format((Number(cents) || 0) / 100);
}
