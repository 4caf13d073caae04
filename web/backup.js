// Section 2: a backup of the chosen administration and fiscal year, its progress, then the download.
//
// The section follows one backup at a time: the one its button started (downloaded as soon as it is
// ready), or one already running when the page was loaded or picked from the recent jobs (its progress,
// then a download button). Following a job never gives a link: each download asks GET /jobs/{id}/download
// for a fresh one at the moment it starts (and so is one entry in the Logboek). Beside the download, the
// ready backup gives an auditfile in XAF 4.0 on request (auditfile.js).

import { api, enc, errorText, pollJob, Superseded } from "./api.js";
import { isMaking, makeAuditfile, ofBackup } from "./auditfile.js";
import { $, clearError, clearMessage, focus, setBusy, showMessage, startDownload } from "./dom.js";
import { formatBytes, formatDate, formatNumber, reasonText, t } from "./i18n.js";
import { loadJobs, updateJob } from "./jobs.js";
import { scopePath, state } from "./state.js";

const RUNNING = new Set(["queued", "building"]);
let followed = 0;

export function resetBackup() {
  followed += 1;
  state.backupBusy = false;
  state.backupJob = null;
  setBusy($("#backup-button"), false);
  $("#backup-progress").hidden = true;
  $("#backup-download").hidden = true;
  clearMessage($("#backup-status"));
  clearMessage($("#backup-auditfile-status"));
}

function renderBackupProgress(job) {
  state.backupJob = job;
  updateJob(job);
  const progress = job.progress || {};
  const bar = $("#backup-progress-bar");
  if (typeof progress.percent === "number") bar.value = progress.percent;
  else bar.removeAttribute("value"); // indeterminate until the build knows its size
  $("#backup-figures").textContent = progress.entries_total
    ? t("backup.figures", {
        done: formatNumber(progress.entries_done || 0),
        total: formatNumber(progress.entries_total),
        bytesDone: formatBytes(progress.bytes_done || 0),
        bytesTotal: formatBytes(progress.bytes_total || 0),
      })
    : t(`status.${job.status}`);
}

// A re-render after a change of language: the figures under the progress bar, the auditfile's button.
export function renderBackup() {
  if (state.backupJob && !$("#backup-progress").hidden) renderBackupProgress(state.backupJob);
  renderAuditfileButton();
}

// The ready backup's auditfile button: named by its administration and year, busy while it is made.
function renderAuditfileButton() {
  const job = state.backupJob;
  if (job?.status !== "ready") return;
  const button = $("#backup-auditfile-button");
  button.setAttribute("aria-label", t("auditfile.backupLabel", { administration: job.administration, year: job.year }));
  setBusy(button, isMaking(ofBackup(job.jobId)));
}

export async function auditfileOfBackup(event) {
  const job = state.backupJob;
  if (job?.status !== "ready") return;
  await makeAuditfile(ofBackup(job.jobId), {
    button: event.currentTarget,
    status: $("#backup-auditfile-status"),
    administration: job.administration,
    year: job.year,
    render: renderAuditfileButton,
  });
}

// Follows a backup to its end; `download` starts the download when it is ready (the user's own click
// started it), otherwise the section offers a download button.
async function followBackup(started, { download }) {
  const run = ++followed;
  const status = $("#backup-status");
  state.backupBusy = true;
  setBusy($("#backup-button"), true);
  $("#backup-download").hidden = true;
  $("#backup-progress").hidden = false;
  renderBackupProgress(started);
  try {
    const job = await pollJob(started.jobId, {
      done: () => false,
      update: renderBackupProgress,
      alive: () => run === followed,
    });
    $("#backup-download-again").dataset.jobId = job.jobId;
    if (job.status === "ready") {
      $("#backup-progress-bar").value = 100;
      showMessage(status, "success", download ? "backup.ready" : "backup.readyToDownload", {
        filename: job.filename,
        size: () => formatBytes(job.archiveSize ?? job.progress?.bytes_total ?? 0),
      });
      $("#backup-download-label").dataset.i18n = download ? "backup.downloadAgain" : "backup.download";
      $("#backup-download-label").textContent = t($("#backup-download-label").dataset.i18n);
      $("#backup-auditfile-ready").hidden = !job.details?.auditfile;
      renderAuditfileButton();
      $("#backup-download").hidden = false;
      if (download) await downloadBackup(job.jobId);
    } else {
      $("#backup-progress").hidden = true;
      showMessage(status, "error", "backup.failed", { reason: () => reasonText(job) || t(`status.${job.status}`) });
    }
    focus(status);
  } catch (error) {
    if (error instanceof Superseded) return;
    $("#backup-progress").hidden = true;
    showMessage(status, "error", "backup.failed", { reason: () => errorText(error) });
    focus(status);
  } finally {
    if (run === followed) {
      state.backupBusy = false;
      setBusy($("#backup-button"), false);
    }
  }
  loadJobs();
}

export async function runBackup() {
  if (state.backupBusy) {
    showMessage($("#backup-status"), "info", "backup.busy");
    return;
  }
  clearError();
  const status = $("#backup-status");
  const includeDocuments = $("#include-documents").checked;
  let started;
  try {
    started = await api("POST", `${scopePath()}/backups`, { includeDocuments });
  } catch (error) {
    // A limit (429) did not start it: said as such, with when to try again (in the reason).
    const key = error.status === 429 ? "backup.notStarted" : "backup.failed";
    showMessage(status, error.status === 429 ? "warning" : "error", key, { reason: () => errorText(error) });
    focus(status);
    return;
  }
  showMessage(status, "busy", "backup.started");
  loadJobs();
  await followBackup(started, { download: true });
}

// A backup of this administration/year that runs while nothing here follows it (after a reload, or
// one started elsewhere): the section shows its progress and, when ready, a download button.
export async function showRunningBackup(job) {
  if (state.backupBusy || !RUNNING.has(job.status)) return;
  showMessage($("#backup-status"), "busy", "backup.following", { date: () => formatDate(job.createdAt) });
  await followBackup(job, { download: false });
}

// A ready backup (the section's own, or one from the recent jobs): a fresh link, then the download.
export async function downloadBackup(jobId) {
  const status = $("#backup-status");
  try {
    startDownload(await api("GET", `/jobs/${enc(jobId)}/download`));
  } catch (error) {
    if (error.data?.reasonCode === "backup.download_expired") showMessage(status, "warning", "backup.gone");
    else showMessage(status, "error", "backup.downloadFailed", { reason: () => errorText(error) });
    focus(status);
  }
}

export async function downloadAgain(event) {
  event.preventDefault();
  const jobId = event.currentTarget.dataset.jobId;
  if (jobId) await downloadBackup(jobId);
}
