// Section 7: the audit log ("Logboek"): who did what and when, newest first, each action in words by its
// code (audit.<action>), optionally of the chosen administration/year only. The API answers the latest
// records (at most 200) and does not page; the page says so when it shows that many.

import { api, errorText } from "./api.js";
import { $, cell, clearMessage, showMessage } from "./dom.js";
import { formatDate, hasText, reasonText, t } from "./i18n.js";
import { state } from "./state.js";

const SYSTEM = "kluis"; // the actor of what the product's own steps do
export const MOST_SHOWN = 200;

export function resetAuditLog() {
  state.auditLog = { records: [], loaded: false, onlyScope: $("#audit-only-scope").checked };
  clearMessage($("#audit-status"));
  renderAuditLog();
}

export async function loadAuditLog() {
  const session = state.session;
  const onlyScope = $("#audit-only-scope").checked && state.administration && state.year;
  const query = onlyScope
    ? `?administration=${encodeURIComponent(state.administration)}&year=${encodeURIComponent(state.year)}`
    : "";
  try {
    const data = await api("GET", `/audit-log${query}`);
    if (session !== state.session) return;
    state.auditLog.records = data.records || [];
    state.auditLog.loaded = true;
    clearMessage($("#audit-status"));
  } catch (error) {
    if (session !== state.session) return;
    showMessage($("#audit-status"), "error", "audit.loadFailed", { reason: () => errorText(error) });
  }
  renderAuditLog();
}

function actionText(action) {
  return hasText(`audit.${action}`) ? t(`audit.${action}`) : action;
}

export function renderAuditLog() {
  const records = [...state.auditLog.records].sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0));
  $("#audit-body").replaceChildren(
    ...records.map((record) => {
      const row = document.createElement("tr");
      row.dataset.action = record.action;
      row.dataset.outcome = record.outcome;
      const what = cell(actionText(record.action));
      // Why it was refused or failed, when its text needs no parameters (the log keeps only the code).
      const reason = record.reasonCode ? reasonText({ reasonCode: record.reasonCode, reasonParams: {} }) : "";
      if (reason && !/\{\w+\}/.test(reason)) {
        const extra = document.createElement("span");
        extra.className = "muted";
        extra.textContent = ` — ${reason}`;
        what.append(extra);
      }
      const scope = record.administration ? `${record.administration} / ${record.year ?? "—"}` : "—";
      const actor = record.actor === SYSTEM ? t("audit.actor.system") : record.actor;
      row.append(cell(formatDate(record.at)), cell(actor), what, cell(scope), cell(t(`audit.outcome.${record.outcome}`)));
      return row;
    }),
  );
  $("#audit-table").hidden = records.length === 0;
  $("#audit-empty").hidden = records.length !== 0 || !state.auditLog.loaded;
  $("#audit-limit").hidden = records.length < MOST_SHOWN;
  $("#audit-only-scope-label").textContent = t("audit.onlyScope", {
    administration: state.administration ?? "—",
    year: state.year ?? "—",
  });
}
