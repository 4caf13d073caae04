// Section 3: the restore of a backup file: the upload, the check, what the file holds and what it
// replaces, the verification code to type back (or a cancel), then the result.
//
// The section shows one restore at a time (state.restoreJob, its last view from the API): the one this
// page sent, or one picked up from the recent jobs after a reload (resumeRestore). Every step renders
// from that view, so a restore looks the same however it was reached. The confirmation panel is built
// from parts (summary rows, the replace notice, the code form) that later panels can join.
//
// An undo of a restore (undoRestore, from this section's result or the recent jobs) is a restore job of
// its own (details.undoOf) that goes through the same steps: its summary, its code, its result; only the
// words differ. A finished restore that can still be undone says until when, and offers the undo.

import { ApiError, api, enc, errorText, pollJob, Superseded } from "./api.js";
import { $, clearMessage, clearError, focus, setBusy, showMessage } from "./dom.js";
import { renderBooks } from "./books.js";
import { formatBytes, formatDate, formatList, formatNumber, hasText, reasonText, t } from "./i18n.js";
import { loadJobs, renderJobs } from "./jobs.js";
import { readOnlyRefusal } from "./read-only.js";
import {
  forgetUpload,
  isSameFile,
  rememberedUpload,
  rememberUpload,
  UploadAborted,
  UploadControl,
  uploadInParts,
  uploadToS3,
} from "./s3-upload.js";
import { loadAdministrations } from "./scope.js";
import { state } from "./state.js";

// While a restore is in one of these, the section is about that restore: no other file can be sent.
export const ACTIVE = new Set(["awaiting-upload", "validating", "awaiting-confirmation", "applying"]);

// Each restore the section follows gets a number; a poller of an earlier one stops (Superseded).
let followed = 0;
// The upload in parts in flight (its abort stops every part's request).
let control = null;

export function resetRestore() {
  followed += 1;
  control?.abort(); // a large upload stops here; its parts stay, and it can be resumed
  control = null;
  state.restoreBusy = false;
  state.restoreJob = null;
  state.restoreCodeError = null;
  state.pendingUpload = null;
  setBusy($("#restore-send"), false);
  $("#upload-progress").hidden = true;
  $("#upload-abort").hidden = true;
  $("#restore-apply-progress").hidden = true;
  $("#confirm-panel").hidden = true;
  $("#undo-offer").hidden = true;
  clearMessage($("#restore-status"));
  $("#restore-file").value = "";
  updateRestoreControls();
}

// "Versturen" needs a chosen file, and no restore in progress here: while a code is awaited the file
// input is locked too (confirm or cancel first), and after a restore the input starts empty.
export function updateRestoreControls() {
  const locked = state.restoreBusy || ACTIVE.has(state.restoreJob?.status);
  const input = $("#restore-file");
  input.disabled = locked;
  $("#restore-send").disabled = locked || !input.files.length;
  const file = input.files[0];
  $("#restore-file-name").textContent = file
    ? t("restore.chosenFile", { name: file.name, size: formatBytes(file.size) })
    : t("restore.noFileChosen");
}

function renderUploadProgress(loaded, total) {
  const bar = $("#upload-progress-bar");
  bar.max = 100;
  bar.value = total ? Math.round((100 * loaded) / total) : 0;
  $("#upload-figures").textContent = t("restore.uploadFigures", {
    done: formatBytes(loaded),
    total: formatBytes(total),
  });
}

// An undo of a restore: the same steps, other words.
export const isUndo = (job) => Boolean(job?.details?.undoOf);

// A restore is ready for its code once its view carries the code: the confirm panel is never shown
// without the code to type back. A view that says awaiting-confirmation without one is waited on and
// polled again, as a step still under way.
export function awaitsCode(view) {
  return view.status === "awaiting-confirmation" && Boolean(view.details?.verificationCode);
}

function renderRestoreWait(job) {
  state.restoreJob = job;
  const words = isUndo(job)
    ? { validating: "undo.preparing", "awaiting-confirmation": "undo.preparing", applying: "undo.applying" }
    : {
        "awaiting-upload": "restore.uploaded",
        validating: "restore.uploaded",
        "awaiting-confirmation": "restore.awaitingCode",
        applying: "restore.applying",
      };
  const key = words[job.status];
  if (key) showMessage($("#restore-status"), "busy", key);
  $("#restore-apply-progress").hidden = job.status !== "applying";
  updateRestoreControls();
}

function showFailure(error, key = "restore.failed") {
  readOnlyRefusal(error);
  const status = $("#restore-status");
  showMessage(status, "error", key, { reason: () => errorText(error), message: () => errorText(error) });
  focus(status);
}

export async function sendRestore(event) {
  event.preventDefault();
  if (state.restoreBusy) return;
  clearError();
  const status = $("#restore-status");
  const file = $("#restore-file").files[0];
  if (!file) {
    showMessage(status, "error", "restore.noFile");
    focus($("#restore-file"));
    return;
  }
  const pending = state.pendingUpload;
  const resuming = !!pending && isSameFile(pending, file);
  resetRestore();
  const run = followed;
  state.restoreBusy = true;
  setBusy($("#restore-send"), true);
  let job = null;
  try {
    if (resuming) {
      job = pending.job; // the same file again: its upload goes on with the parts S3 does not hold yet
    } else {
      if (pending) await api("POST", `/restores/${enc(pending.jobId)}/abort-upload`).catch(() => null);
      forgetUpload(state.customer);
      job = await createRestore(file, status);
      if (!job) return;
    }
    state.restoreJob = job;
    showMessage(status, "busy", resuming ? "restore.resumingUpload" : "restore.uploading");
    $("#upload-progress").hidden = false;
    renderUploadProgress(0, file.size);
    if (job.multipart) {
      rememberUpload(state.customer, job.jobId, file);
      control = new UploadControl();
      $("#upload-abort").hidden = false;
      await uploadInParts(job.jobId, job.multipart, file, renderUploadProgress, control);
      forgetUpload(state.customer);
      control = null;
      $("#upload-abort").hidden = true;
    } else {
      await uploadToS3(job.upload, file, renderUploadProgress);
    }
    renderUploadProgress(file.size, file.size);
    $("#restore-file").value = ""; // sent: the section is now about this restore
    showMessage(status, "busy", "restore.uploaded");
    loadJobs();
    state.restoreBusy = false;
    setBusy($("#restore-send"), false);
    await followRestore(job.jobId, run);
  } catch (error) {
    if (error instanceof Superseded || error instanceof UploadAborted) return;
    if (job?.multipart && !(error instanceof ApiError && error.status >= 400 && error.status < 500)) {
      // A large upload that stopped (the network): Send again goes on where it was.
      state.pendingUpload = { ...rememberedUpload(state.customer), job };
      state.restoreJob = null;
      showMessage(status, "error", "restore.uploadStopped", { message: () => errorText(error) });
      focus(status);
      return;
    }
    $("#upload-progress").hidden = true;
    $("#upload-abort").hidden = true;
    const key = error.status === 429 ? "restore.notStarted" : "restore.failed";
    showFailure(error, error instanceof ApiError ? key : "restore.uploadFailed");
  } finally {
    if (run === followed) {
      state.restoreBusy = false;
      setBusy($("#restore-send"), false);
      updateRestoreControls();
    }
  }
  loadJobs();
}

// A new restore for `file`: the API says how to send it (one POST, or in parts for a large file), or
// that it is too large (null, the message shown).
async function createRestore(file, status) {
  try {
    return await api("POST", "/restores", { size: file.size });
  } catch (error) {
    if (error instanceof ApiError && error.data?.reasonCode === "restore.file_too_large") {
      const max = Number(error.data.reasonParams?.maxBytes) || 0;
      showMessage(status, "error", "restore.tooLarge", {
        size: () => formatBytes(file.size),
        max: () => formatBytes(max),
      });
      focus(status);
      return null;
    }
    throw error;
  }
}

// After a reload (or a sign-in): a large upload this browser started and did not finish is offered to
// go on, once the user chooses the same file again; the parts S3 holds are not sent again.
export async function offerUploadResume() {
  const entry = rememberedUpload(state.customer);
  if (!entry || state.restoreBusy) return;
  let job;
  try {
    job = await api("GET", `/jobs/${enc(entry.jobId)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) forgetUpload(state.customer);
    return;
  }
  if (job.status !== "awaiting-upload" || !job.multipart) {
    forgetUpload(state.customer);
    return;
  }
  let sent = 0;
  try {
    const listed = await api("GET", `/restores/${enc(job.jobId)}/upload-parts`);
    sent = listed.parts.reduce((sum, part) => sum + part.size, 0);
  } catch {
    // the figures stay at 0; the upload itself asks again
  }
  if (state.restoreBusy || state.restoreJob) return; // the user started something meanwhile
  state.pendingUpload = { ...entry, job };
  $("#upload-progress").hidden = false;
  $("#upload-abort").hidden = false;
  renderUploadProgress(sent, entry.size);
  showMessage($("#restore-status"), "info", "restore.resumeChoose", {
    name: entry.name,
    done: () => formatBytes(sent),
    total: () => formatBytes(entry.size),
  });
}

// "Afbreken": the parts in flight stop, the upload is aborted and the restore cancelled.
export async function abortUpload() {
  const job = state.restoreJob?.multipart ? state.restoreJob : state.pendingUpload?.job;
  if (!job) return;
  control?.abort();
  control = null;
  forgetUpload(state.customer);
  state.pendingUpload = null;
  $("#upload-abort").hidden = true;
  try {
    showRestoreOutcome(await api("POST", `/restores/${enc(job.jobId)}/abort-upload`));
  } catch (error) {
    if (error.status === 409) showRestoreOutcome(await api("GET", `/jobs/${enc(job.jobId)}`).catch(() => job));
    else showFailure(error);
  }
  loadJobs();
}

// Follows a restore until it awaits its code or has ended, and shows where it is.
async function followRestore(jobId, run) {
  const checked = await pollJob(jobId, {
    done: awaitsCode,
    update: renderRestoreWait,
    alive: () => run === followed,
  });
  showRestoreOutcome(checked);
}

// A restore picked from the recent jobs (after a reload, or from another tab): the section takes it
// over and shows its summary and code, its progress, or how it ended.
export async function resumeRestore(job) {
  if (state.restoreBusy) return;
  resetRestore();
  const run = followed;
  clearError();
  const status = $("#restore-status");
  showMessage(status, "busy", "restore.resuming");
  $("#restore-heading").scrollIntoView({ block: "start" });
  try {
    const view = await api("GET", `/jobs/${enc(job.jobId)}`);
    if (run !== followed) return;
    state.restoreJob = view;
    if (awaitsCode(view) || view.final) {
      showRestoreOutcome(view);
    } else {
      renderRestoreWait(view);
      focus(status);
      await followRestore(view.jobId, run);
    }
  } catch (error) {
    if (error instanceof Superseded) return;
    showFailure(error);
  }
}

// What a restore's outcome says; the reason comes from its code, in the page's language.
const OUTCOMES = {
  restored: ["success", "restore.restored"],
  rejected: ["error", "restore.rejected"],
  expired: ["warning", "restore.expired"],
  cancelled: ["info", "restore.cancelled"],
  failed: ["error", "restore.failed"],
};
const UNDO_OUTCOMES = {
  restored: ["success", "undo.done"],
  rejected: ["error", "undo.failed"],
  expired: ["warning", "undo.expired"],
  cancelled: ["info", "undo.cancelled"],
  failed: ["error", "undo.failed"],
};

// A restored job the user may still undo: the API says so (`undo.possible`) and the time has not passed.
export function canUndo(job) {
  if (state.readOnly || !job || job.kind !== "restore" || job.status !== "restored" || isUndo(job)) return false;
  const until = job.undo?.until ? new Date(job.undo.until) : null;
  return Boolean(job.undo?.possible && until && until > new Date());
}

// After a restore: until when it can be undone, and the button that does it.
let undoOfferTimer = null;

export function renderUndoOffer() {
  const job = state.restoreJob;
  const offer = $("#undo-offer");
  clearTimeout(undoOfferTimer);
  offer.hidden = !canUndo(job);
  if (offer.hidden) return;
  $("#undo-offer-text").textContent = t("undo.until", { date: formatDate(job.undo.until) });
  // When the window passes while the page is open, the offer goes.
  undoOfferTimer = setTimeout(renderUndoOffer, untilDelay(job.undo.until));
}

// Milliseconds until a moment (just after it), within what setTimeout can wait.
export function untilDelay(iso) {
  return Math.min(Math.max(new Date(iso).getTime() - Date.now() + 500, 0), 2 ** 31 - 1);
}

function showRestoreOutcome(job) {
  state.restoreJob = job;
  renderJobs(state.jobs); // the recent jobs offer no action for the restore shown here
  const status = $("#restore-status");
  $("#restore-apply-progress").hidden = true;
  $("#upload-progress").hidden = true;
  updateRestoreControls();
  if (job.status === "awaiting-confirmation" && !awaitsCode(job)) {
    $("#confirm-panel").hidden = true;
    renderRestoreWait(job);
    followRestore(job.jobId, followed).catch((error) => {
      if (!(error instanceof Superseded)) showFailure(error);
    });
    return;
  }
  if (job.status === "awaiting-confirmation") {
    clearMessage(status);
    state.restoreCodeError = null;
    $("#code-input").value = "";
    $("#code-input").removeAttribute("aria-invalid");
    renderConfirmPanel();
    $("#confirm-panel").hidden = false;
    focus($("#code-input"));
    return;
  }
  $("#confirm-panel").hidden = true;
  const summary = job.details?.summary || {};
  const [tone, key] = (isUndo(job) ? UNDO_OUTCOMES : OUTCOMES)[job.status] || ["info", `status.${job.status}`];
  showMessage(status, tone, key, {
    reason: () => reasonText(job) || t(`status.${job.status}`),
    administration: summary.administration || job.administration || "—",
    year: summary.year || job.year || "—",
  });
  renderUndoOffer();
  focus(status);
}

// "boekingen, relaties en grootboekrekeningen; 12 documenten": what the file holds, in words.
function contents(summary) {
  const datasets = (summary.datasets || []).map((name) =>
    hasText(`dataset.${name}`) ? t(`dataset.${name}`) : name,
  );
  if (summary.documents) datasets.push(t("dataset.documents", { count: formatNumber(summary.documents) }));
  return datasets.length ? formatList(datasets) : null;
}

// Rows that span two columns of the summary, the same in a restore's and an undo's.
const WIDE_ROWS = new Set(["restore.summary.contents", "undo.summary.contents"]);

function summaryRows(job) {
  const details = job.details || {};
  const summary = details.summary || {};
  if (isUndo(job)) {
    return [
      ["restore.summary.administration", summary.administration],
      ["restore.summary.year", summary.year],
      ["undo.summary.restoredAt", summary.backupCreatedAt ? formatDate(summary.backupCreatedAt) : null],
      ["undo.summary.contents", contents(summary)],
      ["restore.summary.bytes", summary.bytes != null ? formatBytes(summary.bytes) : null],
      ["undo.summary.currentLiveSince", summary.currentLiveSince ? formatDate(summary.currentLiveSince) : null],
      ["restore.summary.expiresAt", details.expiresAt ? formatDate(details.expiresAt) : null],
    ];
  }
  return [
    ["restore.summary.administration", summary.administration],
    ["restore.summary.year", summary.year],
    ["restore.summary.createdAt", summary.backupCreatedAt ? formatDate(summary.backupCreatedAt) : null],
    ["restore.summary.sourceCustomer", summary.sourceCustomer],
    ["restore.summary.contents", contents(summary)],
    ["restore.summary.bytes", summary.bytes != null ? formatBytes(summary.bytes) : null],
    ["restore.summary.currentLiveSince", summary.currentLiveSince ? formatDate(summary.currentLiveSince) : null],
    ["restore.summary.expiresAt", details.expiresAt ? formatDate(details.expiresAt) : null],
  ];
}

export function renderConfirmPanel() {
  const job = state.restoreJob;
  if (!job || !awaitsCode(job)) return;
  const details = job.details || {};
  const summary = details.summary || {};
  $("#restore-summary").replaceChildren(
    ...summaryRows(job)
      .filter(([, value]) => value !== null && value !== undefined && value !== "")
      .map(([key, value]) => {
        const row = document.createElement("div");
        row.dataset.row = key;
        if (WIDE_ROWS.has(key)) row.className = "wide";
        const term = document.createElement("dt");
        term.textContent = t(key);
        const definition = document.createElement("dd");
        definition.textContent = value;
        row.append(term, definition);
        return row;
      }),
  );
  renderBooks(job);
  const replaces = $("#restore-replaces");
  replaces.replaceChildren();
  const undo = isUndo(job);
  const icon = document.createElement("span");
  icon.className = "icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = summary.replacesExisting ? "⚠" : "ℹ";
  const text = document.createElement("span");
  const replaceKey = undo ? "undo.replaces" : summary.replacesExisting ? "restore.replaces" : "restore.new";
  text.textContent = t(replaceKey, {
    administration: summary.administration ?? "—",
    year: summary.year ?? "—",
    date: summary.backupCreatedAt ? formatDate(summary.backupCreatedAt) : "—",
  });
  replaces.append(icon, " ", text);
  // What is definitive, truthfully: a restore that replaces data can be undone for a while, one into an
  // empty year cannot, nor can an undo.
  const definitive = $("#restore-irreversible-text");
  if (details.undoWindowDays && !undo) {
    delete definitive.dataset.i18n; // a text with a parameter: rendered here on every change of language
    definitive.textContent = t("restore.undoWindow", { days: formatNumber(details.undoWindowDays) });
  } else {
    definitive.dataset.i18n = undo ? "undo.irreversible" : "restore.irreversible";
    definitive.textContent = t(definitive.dataset.i18n);
  }
  $("#restore-irreversible").className = `notice ${undo || !details.undoWindowDays ? "notice-danger" : "notice-warning"}`;
  for (const [selector, restoreKey, undoKey] of [
    ["#confirm-heading", "restore.confirm.heading", "undo.confirm.heading"],
    ["#confirm-button-text", "restore.confirm", "undo.confirm"],
  ]) {
    const element = $(selector);
    element.dataset.i18n = undo ? undoKey : restoreKey;
    element.textContent = t(element.dataset.i18n);
  }
  if (
    !undo &&
    (summary.transfer || (summary.sourceCustomer && state.customer && summary.sourceCustomer !== state.customer))
  ) {
    const transfer = document.createElement("span");
    transfer.textContent = ` ${t("restore.transfer", { source: summary.sourceCustomer, customer: state.customer })}`;
    replaces.append(transfer);
  }
  replaces.className = `notice ${summary.replacesExisting ? "notice-warning" : "notice-info"}`;
  $("#verification-code").textContent = details.verificationCode || "";
  // The attempts are said once: in the hint until a code was wrong, then in the error, which says it.
  const codeError = state.restoreCodeError;
  $("#code-error").textContent = codeError ? codeError() : "";
  $("#attempts-left").textContent =
    !codeError && details.attemptsLeft != null ? t("restore.attemptsLeft", { count: details.attemptsLeft }) : "";
}

function showCodeError(render) {
  state.restoreCodeError = render;
  renderConfirmPanel();
  const input = $("#code-input");
  input.setAttribute("aria-invalid", "true");
  input.select();
  focus(input);
}

export async function confirmRestore(event) {
  event.preventDefault();
  const job = state.restoreJob;
  if (!job || state.restoreBusy || !awaitsCode(job)) return;
  const input = $("#code-input");
  const code = input.value.trim();
  if (!code) {
    showCodeError(() => t("restore.codeMissing"));
    return;
  }
  const run = followed;
  state.restoreBusy = true;
  setBusy($("#confirm-button"), true);
  const status = $("#restore-status");
  try {
    let applying;
    try {
      applying = await api("POST", `/restores/${enc(job.jobId)}/confirm`, { code });
    } catch (error) {
      if (error.status === 400 && error.data && error.data.attemptsLeft != null) {
        const left = Number(error.data.attemptsLeft);
        state.restoreJob = { ...job, details: { ...job.details, attemptsLeft: left } };
        if (left <= 0) {
          showRestoreOutcome(await api("GET", `/jobs/${enc(job.jobId)}`));
          return;
        }
        showCodeError(() => errorText(error));
        return;
      }
      if (error.status === 409) {
        showRestoreOutcome(await api("GET", `/jobs/${enc(job.jobId)}`));
        return;
      }
      throw error;
    }
    input.removeAttribute("aria-invalid");
    state.restoreCodeError = null;
    $("#confirm-panel").hidden = true;
    renderRestoreWait({ ...job, ...applying, status: applying.status || "applying" });
    showMessage(status, "busy", "restore.applying");
    focus(status);
    const finished = await pollJob(applying.jobId || job.jobId, {
      done: () => false,
      update: renderRestoreWait,
      alive: () => run === followed,
    });
    showRestoreOutcome(finished);
    if (finished.status === "restored") {
      const summary = finished.details?.summary || job.details?.summary || {};
      await loadAdministrations({
        administration: summary.administration || state.administration,
        year: summary.year || state.year,
      });
      focus(status);
    }
  } catch (error) {
    if (error instanceof Superseded) return;
    showFailure(error);
  } finally {
    if (run === followed) {
      state.restoreBusy = false;
      setBusy($("#confirm-button"), false);
      updateRestoreControls();
    }
  }
  loadJobs();
}

export async function cancelRestore() {
  const job = state.restoreJob;
  if (!job || state.restoreBusy) return;
  try {
    showRestoreOutcome(await api("POST", `/restores/${enc(job.jobId)}/cancel`));
  } catch (error) {
    if (error.status === 409) {
      showRestoreOutcome(await api("GET", `/jobs/${enc(job.jobId)}`).catch(() => job));
    } else {
      showFailure(error);
    }
  }
  loadJobs();
}

// "Deze terugzetting ongedaan maken": the API makes an undo job, which is followed like a restore to its
// code; a refusal (a later restore, the window passed) is said with its reason.
export async function undoRestore(job) {
  if (state.restoreBusy || state.readOnly) return;
  resetRestore();
  const run = followed;
  clearError();
  const status = $("#restore-status");
  state.restoreBusy = true;
  showMessage(status, "busy", "undo.asking");
  $("#restore-heading").scrollIntoView({ block: "start" });
  try {
    const undo = await api("POST", `/restores/${enc(job.jobId)}/undo`);
    if (run !== followed) return;
    state.restoreBusy = false;
    renderRestoreWait(undo);
    loadJobs();
    await followRestore(undo.jobId, run);
  } catch (error) {
    if (error instanceof Superseded) return;
    showFailure(error, error.status === 429 ? "undo.notStarted" : "undo.refused");
    loadJobs();
  } finally {
    if (run === followed) {
      state.restoreBusy = false;
      updateRestoreControls();
    }
  }
}

export function undoShownRestore() {
  if (state.restoreJob) undoRestore(state.restoreJob);
}
