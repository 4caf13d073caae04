// Section 1: the administration and fiscal year the other sections work on, and its facts.

import { api, errorText } from "./api.js";
import { renderAuditLog } from "./audit-log.js";
import { $, showError } from "./dom.js";
import { formatDate, formatNumber, t } from "./i18n.js";
import { loadJobs, renderJobs } from "./jobs.js";
import { renderRetained } from "./retained.js";
import { scopePath, state } from "./state.js";
import { renderSystemRestoreChoices } from "./system-restore.js";

function administrationsOf(pairs) {
  const map = new Map();
  for (const { administration, year } of pairs) {
    if (!map.has(administration)) map.set(administration, []);
    map.get(administration).push(year);
  }
  for (const years of map.values()) years.sort();
  return map;
}

function fillSelect(select, values, selected) {
  select.replaceChildren(
    ...values.map((value) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      option.selected = value === selected;
      return option;
    }),
  );
}

// `prefer` keeps an administration/year selected when the customer still has it (after a restore).
export async function loadAdministrations(prefer = {}) {
  const status = $("#choose-status");
  status.hidden = false;
  status.textContent = t("choose.loading");
  status.dataset.i18n = "choose.loading";
  let data;
  try {
    data = await api("GET", "/administrations");
  } catch (error) {
    showError(() => errorText(error));
    return;
  }
  state.pairs = data.administrations || [];
  renderSystemRestoreChoices();
  const map = administrationsOf(state.pairs);
  if (map.size === 0) {
    status.dataset.i18n = "choose.none";
    status.textContent = t("choose.none");
    forgetScope();
    return;
  }
  status.hidden = true;
  $("#choose-form").hidden = false;
  const administrations = [...map.keys()];
  const administration = map.has(prefer.administration) ? prefer.administration : administrations[0];
  fillSelect($("#administration"), administrations, administration);
  selectAdministration(administration, prefer.year);
  await loadScope();
}

// No administration/year chosen: nothing to act on (the backup button is disabled with the facts gone).
// Also at every sign-in, so that a new customer never sees, or acts on, the previous one's choice.
export function forgetScope() {
  $("#choose-form").hidden = true;
  state.administration = state.year = null;
  state.facts = null;
  renderFacts();
  renderJobs([]);
}

export function selectAdministration(administration, preferYear) {
  const years = administrationsOf(state.pairs).get(administration) || [];
  const year = years.includes(preferYear) ? preferYear : years.at(-1);
  fillSelect($("#year"), years, year);
  state.administration = administration;
  state.year = year;
}

// Facts for a year the user has left meanwhile are dropped.
export async function loadScope() {
  state.facts = null;
  renderFacts();
  const requested = `${state.administration}/${state.year}`;
  try {
    const facts = await api("GET", scopePath());
    if (requested === `${state.administration}/${state.year}`) state.facts = facts;
  } catch (error) {
    showError(() => errorText(error));
  }
  renderFacts();
  await loadJobs();
}

export function renderFacts() {
  const facts = state.facts;
  $("#live-since").textContent = facts ? formatDate(facts.liveSince) : "—";
  $("#pending-proposals").textContent = facts ? formatNumber(facts.pendingProposals) : "—";
  const pending = facts ? Number(facts.pendingProposals) || 0 : 0;
  $("#proposals-warning").hidden = pending === 0;
  $("#proposals-warning-text").textContent = t("backup.proposals.warning", { count: formatNumber(pending) });
  $("#backup-button").disabled = !facts;
  $("#jobs-caption").textContent = t("jobs.caption", {
    administration: state.administration ?? "—",
    year: state.year ?? "—",
  });
  renderRetained(); // the retention request and the log's filter name the chosen administration/year
  renderAuditLog();
}
