// Kluis web client: backup and restore of one administration/fiscal year, and requests to the operator
// for a restore from the system backups.
// Plain ES modules, no build step: this entry loads the config, signs in, and wires the page's events to
// the sections' modules (scope, backup, restore, jobs, system-restore).

import { loadAuditLog, renderAuditLog, resetAuditLog } from "./audit-log.js";
import { downloadAuditfile, isMaking, makeAuditfile, ofBackup } from "./auditfile.js";
import {
  auditfileOfBackup,
  downloadAgain,
  downloadBackup,
  renderBackup,
  resetBackup,
  runBackup,
  showRunningBackup,
} from "./backup.js";
import { $, clearError, clearMessage, focus, renderError, renderMessage, setFieldError, showError } from "./dom.js";
import { applyTranslations, initialLanguage, setLanguage, t } from "./i18n.js";
import { loadJobs, onJobsLoaded, registerJobAction, renderJobs } from "./jobs.js";
import { renderReadOnly } from "./read-only.js";
import {
  abortUpload,
  ACTIVE as ACTIVE_RESTORE,
  canUndo,
  cancelRestore,
  confirmRestore,
  offerUploadResume,
  renderConfirmPanel,
  renderUndoOffer,
  resetRestore,
  resumeRestore,
  sendRestore,
  undoRestore,
  undoShownRestore,
  updateRestoreControls,
} from "./restore.js";
import { loadRetained, renderRetained, requestRetention, resetRetained } from "./retained.js";
import { forgetScope, loadAdministrations, loadScope, renderFacts, selectAdministration } from "./scope.js";
import { renderSignedIn, signIn } from "./signin.js";
import { state } from "./state.js";
import {
  loadSystemRestore,
  renderSystemRestoreAnswer,
  renderSystemRestoreChoices,
  renderSystemRestoreCosts,
  renderSystemRestoreRequests,
  resetSystemRestore,
  sendSystemRestore,
} from "./system-restore.js";

// -- a session ---------------------------------------------------------------------------------------

// Every sign-in, of the first customer or another, starts the sections afresh.
async function startSession(customer) {
  if (!(await signIn(customer))) return false;
  forgetScope();
  clearMessage($("#jobs-status"));
  resetBackup();
  resetRestore();
  resetSystemRestore();
  resetRetained();
  resetAuditLog();
  await Promise.all([loadAdministrations(), loadSystemRestore(), loadRetained()]);
  offerUploadResume(); // a large upload that a reload interrupted
  await loadAuditLog(); // after the administrations: its filter names the chosen one
  return true;
}

// -- language ----------------------------------------------------------------------------------------

function rerender() {
  applyTranslations();
  renderSignedIn();
  renderFacts();
  renderJobs(state.jobs);
  renderBackup();
  renderError();
  for (const element of document.querySelectorAll(".status")) renderMessage(element);
  renderConfirmPanel();
  renderUndoOffer();
  updateRestoreControls();
  renderReadOnly();
  renderRetained();
  renderAuditLog();
  renderSystemRestoreChoices();
  renderSystemRestoreCosts();
  renderSystemRestoreRequests();
  for (const error of document.querySelectorAll(".field-error[data-key]")) {
    if (error.dataset.key) error.textContent = t(error.dataset.key);
  }
  renderSystemRestoreAnswer();
  const status = $("#choose-status");
  if (status.dataset.i18n) status.textContent = t(status.dataset.i18n);
}

// -- the recent jobs: what each section does with them ---------------------------------------------

const canDownload = (job) =>
  job.downloadable === true && (!job.downloadableUntil || new Date(job.downloadableUntil) > new Date());

function wireJobs() {
  registerJobAction({
    id: "resume-restore",
    label: "jobs.action.resume",
    writes: true,
    applies: (job) =>
      job.kind === "restore" && job.status === "awaiting-confirmation" && state.restoreJob?.jobId !== job.jobId,
    run: (job) => resumeRestore(job),
  });
  registerJobAction({
    id: "follow-restore",
    label: "jobs.action.follow",
    writes: true,
    applies: (job) =>
      job.kind === "restore" &&
      ["validating", "applying"].includes(job.status) &&
      state.restoreJob?.jobId !== job.jobId,
    run: (job) => resumeRestore(job),
  });
  registerJobAction({
    id: "undo-restore",
    label: "jobs.action.undo",
    writes: true,
    applies: (job) => canUndo(job) && !ACTIVE_RESTORE.has(state.restoreJob?.status),
    run: (job) => undoRestore(job),
  });
  registerJobAction({
    id: "download-backup",
    label: "jobs.action.download",
    applies: (job) => job.kind === "backup" && canDownload(job),
    run: (job) => downloadBackup(job.jobId),
  });
  // A ready backup's auditfile in XAF 4.0 (also read-only, where section 2 is hidden; a retained copy's
  // is offered with the retained years), and a made one.
  registerJobAction({
    id: "auditfile-from-backup",
    label: "auditfile.button",
    applies: (job) => job.kind === "backup" && !job.retention && canDownload(job),
    busy: (job) => isMaking(ofBackup(job.jobId)),
    run: (job, button) =>
      makeAuditfile(ofBackup(job.jobId), {
        button,
        status: $("#jobs-status"),
        administration: job.administration,
        year: job.year,
        render: () => renderJobs(state.jobs),
      }),
  });
  registerJobAction({
    id: "download-auditfile",
    label: "jobs.action.download",
    applies: (job) => job.kind === "auditfile" && canDownload(job),
    run: (job) => downloadAuditfile(job.jobId, $("#jobs-status")),
  });
  // The restore shown in section 3, seen anew in the list: whether (and until when) it can be undone.
  onJobsLoaded((jobs) => {
    const shown = jobs.find((job) => job.jobId === state.restoreJob?.jobId);
    if (shown?.final) {
      state.restoreJob = { ...state.restoreJob, undo: shown.undo };
      renderUndoOffer();
    }
  });
  // A backup that runs while the page does not follow one (after a reload): show its progress.
  onJobsLoaded((jobs) => {
    const running = jobs.find((job) => job.kind === "backup" && ["queued", "building"].includes(job.status));
    if (running && !state.backupBusy) showRunningBackup(running);
  });
}

// Another administration/year: its facts and jobs, and the sections that name it.
async function scopeChanged() {
  if ($("#audit-only-scope").checked) loadAuditLog();
  await loadScope();
}

// -- start -------------------------------------------------------------------------------------------

async function loadConfig() {
  for (const url of ["/local/config.json", "config.json"]) {
    try {
      const response = await fetch(url);
      if (response.ok) return await response.json();
    } catch {
      // try the next
    }
  }
  return { apiBase: "/api", local: false };
}

function wire() {
  $("#language").addEventListener("change", (event) => {
    setLanguage(event.target.value);
    rerender();
  });
  $("#error-dismiss").addEventListener("click", () => {
    clearError();
    focus($("#main"));
  });
  $("#switch-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("#customer-input");
    const customer = input.value.trim();
    if (!/^[0-9]{1,10}$/.test(customer)) {
      input.setAttribute("aria-invalid", "true");
      showError(() => t("switch.invalid"));
      focus(input);
      return;
    }
    input.removeAttribute("aria-invalid");
    if (await startSession(customer)) focus($("#choose-heading"));
  });
  $("#administration").addEventListener("change", async (event) => {
    selectAdministration(event.target.value);
    await scopeChanged();
  });
  $("#year").addEventListener("change", async (event) => {
    state.year = event.target.value;
    await scopeChanged();
  });
  $("#undo-button").addEventListener("click", undoShownRestore);
  $("#retention-form").addEventListener("submit", requestRetention);
  $("#retained-refresh").addEventListener("click", loadRetained);
  $("#audit-refresh").addEventListener("click", loadAuditLog);
  $("#audit-only-scope").addEventListener("change", loadAuditLog);
  $("#backup-button").addEventListener("click", runBackup);
  $("#backup-download-again").addEventListener("click", downloadAgain);
  $("#backup-auditfile-button").addEventListener("click", auditfileOfBackup);
  $("#restore-file").addEventListener("change", updateRestoreControls);
  $("#restore-form").addEventListener("submit", sendRestore);
  $("#confirm-form").addEventListener("submit", confirmRestore);
  $("#cancel-button").addEventListener("click", cancelRestore);
  $("#upload-abort").addEventListener("click", abortUpload);
  $("#jobs-refresh").addEventListener("click", loadJobs);
  $("#sysrestore-form").addEventListener("submit", sendSystemRestore);
  $("#sysrestore-choices").addEventListener("change", renderSystemRestoreCosts);
  $("#sysrestore-ack").addEventListener("change", (event) => {
    if (event.target.checked) setFieldError(event.target, $("#sysrestore-ack-error"), null);
  });
  $("#sysrestore-refresh").addEventListener("click", loadSystemRestore);
}

async function main() {
  $("#language").value = setLanguage(initialLanguage());
  applyTranslations();
  const query = new URLSearchParams(location.search);
  const poll = Number(query.get("poll"));
  if (poll >= 100) state.pollMs = poll;
  wire();
  wireJobs();
  state.config = { ...state.config, ...(await loadConfig()) };
  // Locally only: ?role=read-only signs in as a customer whose licence ended (the local token issuer).
  if (state.config.local && query.get("role") === "read-only") state.config.role = "read-only";
  $("#switch-customer").hidden = !state.config.local;
  await startSession(state.config.local ? state.config.demoCustomer || "10234" : null);
  document.body.dataset.ready = "true";
}

main();
