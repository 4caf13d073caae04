// Section 5: requests to the operator for a restore of administrations/years from the system backups
// to a point in time, with their costs, and the customer's earlier requests.

import { api, errorText } from "./api.js";
import {
  $,
  clearError,
  clearMessage,
  focus,
  setBusy,
  setFieldError,
  showError,
  showMessage,
  statusBadge,
} from "./dom.js";
import { formatDate, formatMoney, formatNumber, reasonText, t } from "./i18n.js";
import { state } from "./state.js";

export function resetSystemRestore() {
  state.systemRestore = { pricing: null, requests: [], last: null, busy: false };
  setBusy($("#sysrestore-send"), false);
  $("#sysrestore-form").reset();
  clearSystemRestoreErrors();
  clearMessage($("#sysrestore-status"));
  renderSystemRestoreChoices();
  renderSystemRestoreCosts();
  renderSystemRestoreRequests();
}

export async function loadSystemRestore() {
  try {
    const data = await api("GET", "/system-restore-requests");
    state.systemRestore.pricing = data.pricing || null;
    state.systemRestore.requests = data.requests || [];
  } catch (error) {
    showError(() => errorText(error));
  }
  renderSystemRestoreCosts();
  renderSystemRestoreRequests();
}

function checkedSystemRestoreItems() {
  return [...document.querySelectorAll("#sysrestore-choices input:checked")].map((input) => ({
    administration: input.dataset.administration,
    year: input.dataset.year,
  }));
}

// One checkbox per administration/year of the customer; what was ticked stays ticked.
export function renderSystemRestoreChoices() {
  const checked = new Set(checkedSystemRestoreItems().map(({ administration, year }) => `${administration}/${year}`));
  const choices = $("#sysrestore-choices");
  const pairs = [...state.pairs].sort(
    (a, b) => a.administration.localeCompare(b.administration) || a.year.localeCompare(b.year),
  );
  if (pairs.length === 0) {
    const none = document.createElement("p");
    none.className = "muted";
    none.textContent = t("sysrestore.items.none");
    choices.replaceChildren(none);
    renderSystemRestoreCosts();
    return;
  }
  choices.replaceChildren(
    ...pairs.map(({ administration, year }, index) => {
      const field = document.createElement("div");
      field.className = "checkbox-field";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.id = `sysrestore-item-${index}`;
      input.dataset.administration = administration;
      input.dataset.year = year;
      input.checked = checked.has(`${administration}/${year}`);
      const label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = t("sysrestore.item", { administration, year });
      field.append(input, label);
      return field;
    }),
  );
  renderSystemRestoreCosts();
}

export function renderSystemRestoreCosts() {
  const pricing = state.systemRestore.pricing;
  const days = pricing?.retentionDays;
  $("#sysrestore-moment-hint").textContent = t("sysrestore.moment.hint", { days: days ?? "—" });
  if (!pricing) {
    $("#sysrestore-rule").textContent = t("sysrestore.rule.loading");
    $("#sysrestore-total").textContent = "";
    return;
  }
  const price = formatMoney(pricing.pricePerItemCents, pricing.currency);
  const count = checkedSystemRestoreItems().length;
  $("#sysrestore-rule").textContent = t("sysrestore.rule", { price });
  $("#sysrestore-total").textContent = t("sysrestore.total", {
    count: formatNumber(count),
    price,
    total: formatMoney(count * pricing.pricePerItemCents, pricing.currency),
  });
}

function clearSystemRestoreErrors() {
  setFieldError(null, $("#sysrestore-items-error"), null);
  setFieldError($("#sysrestore-moment"), $("#sysrestore-moment-error"), null);
  setFieldError($("#sysrestore-ack"), $("#sysrestore-ack-error"), null);
}

// The answer to the last request, kept as data so that a change of language renders it anew.
export function renderSystemRestoreAnswer() {
  const last = state.systemRestore.last;
  if (!last) return;
  const costs = last.costs || {};
  showMessage($("#sysrestore-status"), "success", "sysrestore.received", {
    id: last.requestId,
    status: t(`sysrestore.status.${last.status}`),
    total: formatMoney(costs.totalCents, costs.currency || "EUR"),
  });
}

export async function sendSystemRestore(event) {
  event.preventDefault();
  if (state.systemRestore.busy) return;
  clearError();
  clearSystemRestoreErrors();
  const status = $("#sysrestore-status");
  const items = checkedSystemRestoreItems();
  const moment = $("#sysrestore-moment");
  const ack = $("#sysrestore-ack");
  const when = moment.value ? new Date(moment.value) : null;
  const problems = [];
  if (items.length === 0) {
    setFieldError(null, $("#sysrestore-items-error"), "sysrestore.items.missing");
    problems.push($("#sysrestore-choices input") || $("#sysrestore-choices"));
  }
  if (!when || Number.isNaN(when.getTime())) {
    setFieldError(moment, $("#sysrestore-moment-error"), "sysrestore.moment.missing");
    problems.push(moment);
  }
  if (!ack.checked) {
    setFieldError(ack, $("#sysrestore-ack-error"), "sysrestore.ack.missing");
    problems.push(ack);
  }
  if (problems.length) {
    state.systemRestore.last = null;
    showMessage(status, "error", "sysrestore.incomplete");
    focus(problems[0]);
    return;
  }
  state.systemRestore.busy = true;
  state.systemRestore.last = null;
  setBusy($("#sysrestore-send"), true);
  showMessage(status, "busy", "sysrestore.sending");
  try {
    const body = { items, pointInTime: when.toISOString() };
    const note = $("#sysrestore-note").value.trim();
    if (note) body.note = note;
    const request = await api("POST", "/system-restore-requests", body);
    state.systemRestore.last = request;
    renderSystemRestoreAnswer();
    $("#sysrestore-form").reset();
    renderSystemRestoreCosts();
    state.systemRestore.requests = [
      request,
      ...state.systemRestore.requests.filter((known) => known.requestId !== request.requestId),
    ];
    renderSystemRestoreRequests();
    focus(status);
    await loadSystemRestore();
  } catch (error) {
    showMessage(status, "error", "sysrestore.refused", { message: () => errorText(error) });
    focus(status);
  } finally {
    state.systemRestore.busy = false;
    setBusy($("#sysrestore-send"), false);
  }
}

export function renderSystemRestoreRequests() {
  const requests = state.systemRestore.requests;
  $("#sysrestore-body").replaceChildren(
    ...requests.map((request) => {
      const row = document.createElement("tr");
      row.dataset.requestId = request.requestId;
      const id = document.createElement("td");
      const code = document.createElement("span");
      code.className = "request-id";
      code.textContent = request.requestId;
      const filed = document.createElement("span");
      filed.className = "muted";
      filed.textContent = t("sysrestore.submitted", { date: formatDate(request.createdAt) });
      id.append(code, document.createElement("br"), filed);
      const status = document.createElement("td");
      status.append(statusBadge(request.status, `sysrestore.status.${request.status}`));
      const moment = document.createElement("td");
      moment.textContent = formatDate(request.pointInTime);
      const items = document.createElement("td");
      const list = document.createElement("ul");
      list.className = "item-list";
      for (const item of request.items || []) {
        const entry = document.createElement("li");
        entry.append(
          `${t("sysrestore.item", { administration: item.administration, year: item.year })} `,
          statusBadge(item.status, `sysrestore.itemStatus.${item.status}`),
        );
        if (item.reason) {
          const reason = document.createElement("span");
          reason.className = "muted";
          reason.textContent = ` ${reasonText(item)}`;
          entry.append(reason);
        }
        list.append(entry);
      }
      items.append(list);
      if (request.note) {
        const note = document.createElement("p");
        note.className = "muted note";
        note.textContent = request.note;
        items.append(note);
      }
      const costs = document.createElement("td");
      costs.textContent = request.costs ? formatMoney(request.costs.totalCents, request.costs.currency || "EUR") : "—";
      row.append(id, status, moment, items, costs);
      return row;
    }),
  );
  $("#sysrestore-table").hidden = requests.length === 0;
  $("#sysrestore-empty").hidden = requests.length !== 0;
}
