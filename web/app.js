// Kluis web client: backup and restore of one administration/fiscal year, and requests to the operator
// for a restore from the system backups.
// Plain ES modules, no build step. Talks to the HTTP API with the user's JWT (Authorization: Bearer).

import {
  applyTranslations,
  formatBytes,
  formatDate,
  formatNumber,
  initialLanguage,
  setLanguage,
  t,
} from "./i18n.js";
import { ApiError, api, enc, pollJob, Superseded } from "./api.js";
import { downloadAgain, resetBackup, runBackup } from "./backup.js";
import {
  $,
  clearError,
  clearMessage,
  focus,
  renderMessage,
  setBusy,
  setFieldError,
  showError,
  showMessage,
} from "./dom.js";
import { loadJobs, renderJobs } from "./jobs.js";
import { loadAdministrations, loadScope, renderFacts, selectAdministration } from "./scope.js";
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

// -- sign-in ----------------------------------------------------------------------------------------

function decodeClaims(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "=")));
  } catch {
    return {};
  }
}

async function localSignIn(customer) {
  let response;
  try {
    response = await fetch("/local/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ customer }),
    });
  } catch {
    throw new ApiError(0, t("error.network"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.message || t("error.generic", { status: response.status }));
  return data.token;
}

// In the cloud the identity provider's hosted sign-in returns to this page with a token in the fragment.
function cloudToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("id_token") || fragment.get("access_token");
  if (token) {
    sessionStorage.setItem("kluis.token", token);
    history.replaceState(null, "", location.pathname + location.search);
    return token;
  }
  return sessionStorage.getItem("kluis.token");
}

async function signIn(customer) {
  state.session += 1;
  clearError();
  $("#signed-in").textContent = t("signin.busy");
  try {
    if (state.config.local) {
      state.token = await localSignIn(customer);
    } else {
      state.token = cloudToken();
      if (!state.token && state.config.signInUrl) {
        location.assign(state.config.signInUrl); // the identity provider returns here with a token
        return false;
      }
      if (!state.token) {
        $("#signed-in").textContent = "";
        showError(t("signin.missing"));
        return false;
      }
    }
  } catch (error) {
    $("#signed-in").textContent = "";
    showError(t("signin.failed", { message: error.message }));
    return false;
  }
  const claims = decodeClaims(state.token);
  state.customer = claims[state.config.customerClaim || "custom:customer"] || customer || "";
  renderSignedIn();
  resetBackup();
  resetRestore();
  resetSystemRestore();
  await Promise.all([loadAdministrations(), loadSystemRestore()]);
  return true;
}

function renderSignedIn() {
  $("#signed-in").textContent = state.customer ? t("signin.as", { customer: state.customer }) : "";
}

// -- step 3: restore ---------------------------------------------------------------------------------

function resetRestore() {
  state.restoreBusy = false;
  state.restoreJob = null;
  setBusy($("#restore-send"), false);
  $("#upload-progress").hidden = true;
  $("#restore-apply-progress").hidden = true;
  $("#confirm-panel").hidden = true;
  clearMessage($("#restore-status"));
}

function s3ErrorMessage(text) {
  const match = /<Message>([^<]*)<\/Message>/.exec(text || "");
  return match ? match[1] : null;
}

// A multipart/form-data POST straight to S3: the policy's fields first, the file last.
function uploadToS3(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields || {})) form.append(name, value);
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new Error(s3ErrorMessage(xhr.responseText) || t("error.generic", { status: xhr.status })));
    };
    xhr.onerror = () => reject(new Error(t("error.network")));
    xhr.onabort = () => reject(new Error(t("error.network")));
    xhr.send(form);
  });
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

async function sendRestore(event) {
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

function renderConfirmPanel() {
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

async function confirmRestore(event) {
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

async function cancelRestore() {
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

// -- language ----------------------------------------------------------------------------------------

function rerender() {
  applyTranslations();
  renderSignedIn();
  renderFacts();
  renderJobs(state.jobs);
  for (const element of document.querySelectorAll(".status")) renderMessage(element);
  renderConfirmPanel();
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
      showError(t("switch.invalid"));
      focus(input);
      return;
    }
    input.removeAttribute("aria-invalid");
    if (await signIn(customer)) focus($("#choose-heading"));
  });
  $("#administration").addEventListener("change", async (event) => {
    selectAdministration(event.target.value);
    await loadScope();
  });
  $("#year").addEventListener("change", async (event) => {
    state.year = event.target.value;
    await loadScope();
  });
  $("#backup-button").addEventListener("click", runBackup);
  $("#backup-download-again").addEventListener("click", downloadAgain);
  $("#restore-file").addEventListener("change", () => {
    $("#restore-send").disabled = !$("#restore-file").files.length;
  });
  $("#restore-form").addEventListener("submit", sendRestore);
  $("#confirm-form").addEventListener("submit", confirmRestore);
  $("#cancel-button").addEventListener("click", cancelRestore);
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
  const poll = Number(new URLSearchParams(location.search).get("poll"));
  if (poll >= 100) state.pollMs = poll;
  wire();
  state.config = { ...state.config, ...(await loadConfig()) };
  $("#switch-customer").hidden = !state.config.local;
  await signIn(state.config.local ? state.config.demoCustomer || "10234" : null);
  document.body.dataset.ready = "true";
}

main();
