// Section 3: the restore of a backup file: the upload, the check, what the file holds and what it
// replaces, the verification code to type back (or a cancel), then the result.

import { ApiError, api, enc, pollJob, Superseded } from "./api.js";
import { $, clearError, clearMessage, focus, setBusy, showMessage } from "./dom.js";
import { formatBytes, formatDate, formatNumber, t } from "./i18n.js";
import { loadJobs } from "./jobs.js";
import { uploadToS3 } from "./s3-upload.js";
import { loadAdministrations } from "./scope.js";
import { state } from "./state.js";

export function resetRestore() {
  state.restoreBusy = false;
  state.restoreJob = null;
  setBusy($("#restore-send"), false);
  $("#upload-progress").hidden = true;
  $("#restore-apply-progress").hidden = true;
  $("#confirm-panel").hidden = true;
  clearMessage($("#restore-status"));
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

function renderRestoreWait(job) {
  state.restoreJob = job;
  const key = { "awaiting-upload": "restore.uploaded", validating: "restore.uploaded", applying: "restore.applying" }[
    job.status
  ];
  if (key) showMessage($("#restore-status"), "busy", key);
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
  resetRestore();
  state.restoreBusy = true;
  setBusy($("#restore-send"), true);
  try {
    const job = await api("POST", "/restores", {});
    state.restoreJob = job;
    if (job.maxBytes && file.size > job.maxBytes) {
      await api("POST", `/restores/${enc(job.jobId)}/cancel`).catch(() => null);
      showMessage(status, "error", "restore.tooLarge", { size: formatBytes(file.size), max: formatBytes(job.maxBytes) });
      focus(status);
      return;
    }
    showMessage(status, "busy", "restore.uploading");
    $("#upload-progress").hidden = false;
    renderUploadProgress(0, file.size);
    await uploadToS3(job.upload, file, renderUploadProgress);
    renderUploadProgress(file.size, file.size);
    showMessage(status, "busy", "restore.uploaded");
    loadJobs();
    const checked = await pollJob(job.jobId, {
      done: (view) => view.status === "awaiting-confirmation",
      update: renderRestoreWait,
    });
    showRestoreOutcome(checked);
  } catch (error) {
    if (error instanceof Superseded) return;
    $("#upload-progress").hidden = true;
    const key = error instanceof ApiError ? "restore.failed" : "restore.uploadFailed";
    showMessage(status, "error", key, { reason: error.message, message: error.message });
    focus(status);
  } finally {
    state.restoreBusy = false;
    setBusy($("#restore-send"), false);
  }
  loadJobs();
}

function showRestoreOutcome(job) {
  state.restoreJob = job;
  const status = $("#restore-status");
  $("#restore-apply-progress").hidden = true;
  if (job.status === "awaiting-confirmation") {
    $("#upload-progress").hidden = true;
    clearMessage(status);
    renderConfirmPanel();
    $("#confirm-panel").hidden = false;
    $("#code-input").value = "";
    $("#code-error").textContent = "";
    $("#code-input").removeAttribute("aria-invalid");
    focus($("#code-input"));
    return;
  }
  $("#confirm-panel").hidden = true;
  $("#upload-progress").hidden = true;
  const summary = job.details?.summary || {};
  const params = {
    reason: job.reason || t(`status.${job.status}`),
    administration: summary.administration || job.administration || "—",
    year: summary.year || job.year || "—",
  };
  const outcomes = {
    restored: ["success", "restore.restored"],
    rejected: ["error", "restore.rejected"],
    expired: ["warning", "restore.expired"],
    cancelled: ["info", "restore.cancelled"],
    failed: ["error", "restore.failed"],
  };
  const [tone, key] = outcomes[job.status] || ["info", `status.${job.status}`];
  showMessage(status, tone, key, params);
  focus(status);
}

export function renderConfirmPanel() {
  const job = state.restoreJob;
  if (!job || job.status !== "awaiting-confirmation") return;
  const details = job.details || {};
  const summary = details.summary || {};
  const rows = [
    ["restore.summary.administration", summary.administration],
    ["restore.summary.year", summary.year],
    ["restore.summary.createdAt", summary.backupCreatedAt ? formatDate(summary.backupCreatedAt) : null],
    ["restore.summary.sourceCustomer", summary.sourceCustomer],
    ["restore.summary.records", summary.records != null ? formatNumber(summary.records) : null],
    ["restore.summary.documents", summary.documents != null ? formatNumber(summary.documents) : null],
    ["restore.summary.bytes", summary.bytes != null ? formatBytes(summary.bytes) : null],
    ["restore.summary.currentLiveSince", summary.currentLiveSince ? formatDate(summary.currentLiveSince) : null],
  ];
  $("#restore-summary").replaceChildren(
    ...rows
      .filter(([, value]) => value !== null && value !== undefined && value !== "")
      .map(([key, value]) => {
        const row = document.createElement("div");
        const term = document.createElement("dt");
        term.textContent = t(key);
        const definition = document.createElement("dd");
        definition.textContent = value;
        row.append(term, definition);
        return row;
      }),
  );
  const replaces = $("#restore-replaces");
  replaces.replaceChildren();
  const icon = document.createElement("span");
  icon.className = "icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = summary.replacesExisting ? "⚠" : "ℹ";
  const text = document.createElement("span");
  text.textContent = t(summary.replacesExisting ? "restore.replaces" : "restore.new", {
    administration: summary.administration ?? "—",
    year: summary.year ?? "—",
  });
  replaces.append(icon, " ", text);
  if (summary.transfer || (summary.sourceCustomer && state.customer && summary.sourceCustomer !== state.customer)) {
    const transfer = document.createElement("span");
    transfer.textContent = ` ${t("restore.transfer", { source: summary.sourceCustomer, customer: state.customer })}`;
    replaces.append(transfer);
  }
  replaces.className = `notice ${summary.replacesExisting ? "notice-warning" : "notice-info"}`;
  $("#verification-code").textContent = details.verificationCode || "";
  $("#attempts-left").textContent =
    details.attemptsLeft != null ? t("restore.attemptsLeft", { count: details.attemptsLeft }) : "";
}

export async function confirmRestore(event) {
  event.preventDefault();
  const job = state.restoreJob;
  if (!job || state.restoreBusy) return;
  const input = $("#code-input");
  const codeError = $("#code-error");
  const code = input.value.trim();
  if (!code) {
    codeError.textContent = t("restore.codeMissing");
    input.setAttribute("aria-invalid", "true");
    focus(input);
    return;
  }
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
        renderConfirmPanel();
        codeError.textContent = t("restore.wrongCode", { message: error.message, count: left });
        input.setAttribute("aria-invalid", "true");
        input.select();
        focus(input);
        return;
      }
      if (error.status === 409) {
        showRestoreOutcome(await api("GET", `/jobs/${enc(job.jobId)}`));
        return;
      }
      throw error;
    }
    input.removeAttribute("aria-invalid");
    codeError.textContent = "";
    $("#confirm-panel").hidden = true;
    $("#restore-apply-progress").hidden = false;
    showMessage(status, "busy", "restore.applying");
    focus(status);
    const finished = await pollJob(applying.jobId || job.jobId, { done: () => false, update: renderRestoreWait });
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
    showMessage(status, "error", "restore.failed", { reason: error.message });
    focus(status);
  } finally {
    state.restoreBusy = false;
    setBusy($("#confirm-button"), false);
  }
  loadJobs();
}

export async function cancelRestore() {
  const job = state.restoreJob;
  if (!job) return;
  try {
    showRestoreOutcome(await api("POST", `/restores/${enc(job.jobId)}/cancel`));
  } catch (error) {
    if (error.status === 409) {
      showRestoreOutcome(await api("GET", `/jobs/${enc(job.jobId)}`).catch(() => job));
    } else {
      showMessage($("#restore-status"), "error", "restore.failed", { reason: error.message });
      focus($("#restore-status"));
    }
  }
  loadJobs();
}
