// Kluis web client: backup and restore of one administration/fiscal year, and requests to the operator
// for a restore from the system backups.
// Plain ES modules, no build step. Talks to the HTTP API with the user's JWT (Authorization: Bearer).

import { applyTranslations, initialLanguage, setLanguage, t } from "./i18n.js";
import { ApiError } from "./api.js";
import { downloadAgain, resetBackup, runBackup } from "./backup.js";
import { $, clearError, focus, renderMessage, setFieldError, showError } from "./dom.js";
import { loadJobs, renderJobs } from "./jobs.js";
import { cancelRestore, confirmRestore, renderConfirmPanel, resetRestore, sendRestore } from "./restore.js";
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
