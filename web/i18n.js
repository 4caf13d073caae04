// Kluis web client: texts in Dutch (the default) and English, in i18n/nl.json and i18n/en.json (one
// key per text, readable by translators and tests without JavaScript; the sizes' units follow
// Windows Explorer in each language, see formatBytes). t(key, params) fills {name} placeholders;
// applyTranslations(root) fills every element that has data-i18n="key". Texts are always set as
// text, never as HTML.
//
// Reasons: every failure the API or a job reports has a stable code (layers/kluis/kluis/reasons.py,
// docs/reasons.md); its text here is "reason.<code>", with the catalogue's placeholders.
// reasonText() translates one; the English text the API sends is the fallback for a code this page
// does not know yet. tests/unit/test_web_texts.py fails when a code lacks a text in either language,
// or when the two files do not have the same keys and placeholders.
//
// Words, one spelling each: nl "backup" (backupbestand, systeembackup), "terugzetten",
// "administratie", "boekjaar", "verificatiecode"; en "backup" (noun), "restore", "verification code".

import en from "./i18n/en.json" with { type: "json" };
import nl from "./i18n/nl.json" with { type: "json" };

export const LANGUAGES = ["nl", "en"];
export const DEFAULT_LANGUAGE = "nl";
const STORAGE_KEY = "kluis.language";

const TEXTS = { nl, en };

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
