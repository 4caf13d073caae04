// Section 2: a backup of the chosen administration and fiscal year, its progress, then the download.

import { api, enc, pollJob, Superseded } from "./api.js";
import { $, clearError, clearMessage, focus, setBusy, showMessage } from "./dom.js";
import { formatBytes, formatNumber, t } from "./i18n.js";
import { loadJobs } from "./jobs.js";
import { scopePath, state } from "./state.js";

export function resetBackup() {
  state.backupBusy = false;
  setBusy($("#backup-button"), false);
  $("#backup-progress").hidden = true;
  $("#backup-download").hidden = true;
  clearMessage($("#backup-status"));
}

function renderBackupProgress(job) {
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

function startDownload(job) {
  const anchor = $("#download-anchor");
  anchor.href = job.downloadUrl;
  anchor.download = job.filename || "";
  anchor.click();
}

export async function runBackup() {
  if (state.backupBusy) {
    showMessage($("#backup-status"), "info", "backup.busy");
    return;
  }
  clearError();
  state.backupBusy = true;
  setBusy($("#backup-button"), true);
  $("#backup-download").hidden = true;
  const status = $("#backup-status");
  const includeDocuments = $("#include-documents").checked;
  try {
    const started = await api("POST", `${scopePath()}/backups`, { includeDocuments });
    showMessage(status, "busy", "backup.started");
    $("#backup-progress").hidden = false;
    renderBackupProgress(started);
    loadJobs();
    const job = await pollJob(started.jobId, { done: () => false, update: renderBackupProgress });
    $("#backup-download-again").dataset.jobId = job.jobId;
    if (job.status === "ready") {
      $("#backup-progress-bar").value = 100;
      showMessage(status, "success", "backup.ready", {
        filename: job.filename,
        size: formatBytes(job.archiveSize ?? job.progress?.bytes_total ?? 0),
      });
      $("#backup-download").hidden = false;
      startDownload(job);
    } else {
      $("#backup-progress").hidden = true;
      showMessage(status, "error", "backup.failed", { reason: job.reason || t(`status.${job.status}`) });
    }
    focus(status);
  } catch (error) {
    if (error instanceof Superseded) return;
    $("#backup-progress").hidden = true;
    showMessage(status, "error", "backup.failed", { reason: error.message });
    focus(status);
  } finally {
    state.backupBusy = false;
    setBusy($("#backup-button"), false);
  }
  loadJobs();
}

export async function downloadAgain(event) {
  event.preventDefault();
  const jobId = event.currentTarget.dataset.jobId;
  if (!jobId) return;
  try {
    const job = await api("GET", `/jobs/${enc(jobId)}`);
    if (job.downloadUrl) startDownload(job);
    else showMessage($("#backup-status"), "error", "backup.failed", { reason: job.reason || t(`status.${job.status}`) });
  } catch (error) {
    showMessage($("#backup-status"), "error", "backup.failed", { reason: error.message });
    focus($("#backup-status"));
  }
}
