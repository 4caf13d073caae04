// Kluis web client: backup and restore of one administration/fiscal year, and requests to the operator
// for a restore from the system backups.
// Plain ES modules, no build step: this entry loads the config, signs in, and wires the page's events to
// the sections' modules (scope, backup, restore, jobs, system-restore).

import { downloadAgain, resetBackup, runBackup } from "./backup.js";
import { $, clearError, focus, renderMessage, setFieldError, showError } from "./dom.js";
import { applyTranslations, initialLanguage, setLanguage, t } from "./i18n.js";
import { loadJobs, renderJobs } from "./jobs.js";
import { cancelRestore, confirmRestore, renderConfirmPanel, resetRestore, sendRestore } from "./restore.js";
import { loadAdministrations, loadScope, renderFacts, selectAdministration } from "./scope.js";
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
  resetBackup();
  resetRestore();
  resetSystemRestore();
  await Promise.all([loadAdministrations(), loadSystemRestore()]);
  return true;
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
    if (await startSession(customer)) focus($("#choose-heading"));
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
  await startSession(state.config.local ? state.config.demoCustomer || "10234" : null);
  document.body.dataset.ready = "true";
}

main();
