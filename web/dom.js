// Helpers for the page's elements: messages (kept as key + parameters, so a language switch re-renders
// them), the error banner, focus, busy buttons, field errors, status badges and the browser download.

import { t } from "./i18n.js";

export const $ = (selector) => document.querySelector(selector);

const STATUS_ICONS = {
  queued: "↻",
  building: "↻",
  validating: "↻",
  applying: "↻",
  "awaiting-upload": "⤒",
  "awaiting-confirmation": "✎",
  ready: "✔",
  restored: "✔",
  failed: "✖",
  rejected: "✖",
  expired: "◷",
  cancelled: "⊘",
  // requests for a restore from the system backups, and their items
  received: "✉",
  "in-progress": "↻",
  fulfilled: "✔",
  "partly-fulfilled": "◐",
  pending: "◷",
  restoring: "↻",
};

const TONE = {
  ready: "success",
  restored: "success",
  failed: "error",
  rejected: "error",
  expired: "neutral",
  cancelled: "neutral",
  "awaiting-confirmation": "attention",
  received: "neutral",
  fulfilled: "success",
  "partly-fulfilled": "attention",
  pending: "neutral",
};

export function renderMessage(element) {
  const message = element._message;
  element.replaceChildren();
  if (!message) return;
  const paragraph = document.createElement("p");
  paragraph.className = `message message-${message.tone}`;
  if (message.tone === "error") paragraph.setAttribute("role", "alert");
  const icon = document.createElement("span");
  icon.className = "icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = { success: "✔", error: "✖", warning: "⚠", info: "ℹ", busy: "↻" }[message.tone] || "ℹ";
  const text = document.createElement("span");
  text.className = "message-text";
  text.textContent = t(message.key, message.params);
  paragraph.append(icon, " ", text);
  element.append(paragraph);
}

export function showMessage(element, tone, key, params = {}) {
  element._message = { tone, key, params };
  renderMessage(element);
}

export function clearMessage(element) {
  element._message = null;
  renderMessage(element);
}

// The banner's text is kept as a function when it is one (e.g. () => errorText(error)), so a change of
// language renders it anew (renderError).
export function showError(message) {
  $("#errors")._message = message;
  renderError();
  $("#errors").hidden = false;
}

export function renderError() {
  const message = $("#errors")._message;
  $("#error-text").textContent = typeof message === "function" ? message() : message || "";
}

export function clearError() {
  $("#errors").hidden = true;
  $("#errors")._message = null;
  $("#error-text").textContent = "";
}

export function focus(element) {
  if (!element) return;
  if (!element.hasAttribute("tabindex") && !element.matches("input, select, button, a[href], textarea")) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus();
}

// A button that is busy stays focusable (a disabled one would drop the keyboard user's focus).
export function setBusy(button, busy) {
  button.setAttribute("aria-disabled", busy ? "true" : "false");
  button.classList.toggle("is-busy", busy);
}

// A field's error is kept as its key too (data-key), so a language switch translates it anew.
export function setFieldError(input, errorElement, key) {
  errorElement.textContent = key ? t(key) : "";
  errorElement.dataset.key = key || "";
  if (!input) return;
  if (key) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

// A fresh link of the API ({downloadUrl, filename}) handed to the browser's own download.
export function startDownload(link) {
  const anchor = $("#download-anchor");
  anchor.href = link.downloadUrl;
  anchor.download = link.filename || "";
  anchor.click();
}

// A table cell holding `text` (as text, never markup).
export function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

// The badge of a job's or request's status: the icon and tone go with the status, the text with `key`.
export function statusBadge(status, key = `status.${status}`) {
  const badge = document.createElement("span");
  badge.className = `badge badge-${TONE[status] || "busy"}`;
  badge.dataset.status = status;
  const icon = document.createElement("span");
  icon.className = "icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = STATUS_ICONS[status] || "•";
  badge.append(icon, " ", t(key));
  return badge;
}
