// Read-only mode: a sign-in whose role is "read-only" (a customer whose licence ended) may look and
// download, nothing else. The page knows it from the token's role claim, or from the API's own answer
// (403 request.read_only) when the claim is named otherwise: it then shows the banner and hides every
// action that writes (a backup, a restore or its undo, a request to the operator, a retention request),
// while downloads of retained years still work; the visible sections are numbered 1, 2, 3, … still.
// The API refuses writes either way.

import { $ } from "./dom.js";
import { renderJobs } from "./jobs.js";
import { state } from "./state.js";

export const READ_ONLY = "read-only";

// The sections and forms that write; hidden while read-only.
const WRITERS = ["#backup", "#restore", "#sysrestore-form", "#retention-request"];

export function renderReadOnly() {
  $("#read-only-banner").hidden = !state.readOnly;
  for (const selector of WRITERS) {
    const element = $(selector);
    if (element) element.hidden = state.readOnly;
  }
  document.body.dataset.readOnly = state.readOnly ? "true" : "false";
  numberSections();
}

// The sections' headings are numbered in the order they show: with the writing sections hidden the
// numbers run on (1, 2, 3, …) instead of skipping. The number is a span of its own beside the heading's
// translated text, so a change of language keeps it.
export function numberSections() {
  let number = 0;
  for (const section of document.querySelectorAll("main section.card")) {
    const label = section.querySelector(".section-number");
    if (!label) continue;
    label.textContent = section.hidden ? "" : `${++number}. `;
  }
}

export function setReadOnly(readOnly) {
  state.readOnly = Boolean(readOnly);
  renderReadOnly();
  renderJobs(state.jobs); // the recent jobs offer no action that writes
}

// An API error that says this sign-in may only read: the page switches to read-only (returns true).
export function readOnlyRefusal(error) {
  if (error?.status === 403 && error.data?.reasonCode === "request.read_only" && !state.readOnly) {
    setReadOnly(true);
    return true;
  }
  return false;
}
