// Section 4: the recent jobs (backups, restores and auditfiles) of the chosen administration and fiscal
// year, and what can be done with each from here.
//
// The sections register their actions (registerJobAction: which jobs it applies to, its label, what it
// does) and what they do with a fresh list (onJobsLoaded), so this module knows no section; a new
// action (an undo, a log) is one more registration.

import { api, errorText } from "./api.js";
import { $, setBusy, showError, statusBadge } from "./dom.js";
import { formatBytes, formatDate, reasonText, t } from "./i18n.js";
import { scopePath, state } from "./state.js";

const actions = [];
const listeners = [];

// action: { id, label (an i18n key), applies(job) -> bool, run(job, button), writes (not offered
// read-only), busy(job) -> bool (optional: its button shows busy) }
export function registerJobAction(action) {
  actions.push(action);
}

export function onJobsLoaded(listener) {
  listeners.push(listener);
}

// An answer for a year the user has left meanwhile is dropped.
export async function loadJobs() {
  if (!state.administration || !state.year) return;
  const requested = scopePath();
  try {
    const data = await api("GET", `${requested}/jobs`);
    if (requested !== scopePath()) return;
    renderJobs(data.jobs || []);
    for (const listener of listeners) listener(state.jobs);
  } catch (error) {
    showError(() => errorText(error));
  }
}

// A newer view of one job (a section that follows it) replaces its row.
export function updateJob(job) {
  const index = state.jobs.findIndex((known) => known.jobId === job.jobId);
  if (index < 0) return;
  state.jobs = state.jobs.map((known, at) => (at === index ? { ...known, ...job } : known));
  renderJobs(state.jobs);
}

function details(job) {
  if (job.reasonCode || job.reason) return reasonText(job);
  // A restore that can still be undone says until when (after that, no undo is offered).
  const until = job.undo?.until ? new Date(job.undo.until) : null;
  if (job.kind === "restore" && job.status === "restored" && job.undo?.possible && until > new Date()) {
    return t("undo.until", { date: formatDate(job.undo.until) });
  }
  if (job.kind === "restore" && job.status === "restored" && job.details?.undoOf) return t("jobs.undid");
  const bytes = job.kind === "auditfile" ? job.details?.size : job.archiveSize;
  if (bytes == null) return "";
  const size = formatBytes(bytes);
  return job.downloadableUntil ? t("jobs.downloadableUntil", { size, date: formatDate(job.downloadableUntil) }) : size;
}

function actionCell(job) {
  const cell = document.createElement("td");
  cell.className = "job-actions";
  for (const action of actions) {
    if ((action.writes && state.readOnly) || !action.applies(job)) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small";
    button.dataset.action = action.id;
    button.textContent = t(action.label);
    button.setAttribute(
      "aria-label",
      t("jobs.action.label", { action: t(action.label), kind: kindText(job), date: formatDate(job.createdAt) }),
    );
    if (action.busy?.(job)) setBusy(button, true);
    button.addEventListener("click", () => action.run(job, button));
    cell.append(button);
  }
  return cell;
}

// What a job is: a backup (or a retention archive), a restore, the undo of one, or an auditfile.
function kindText(job) {
  if (job.kind === "restore" && job.details?.undoOf) return t("kind.undo");
  if (job.kind === "backup" && job.retention) return t("kind.retention");
  return t(`kind.${job.kind}`);
}

// What the kind does not say: a backup's documents, the archive an auditfile is made from.
function kindExtra(job) {
  let key = null;
  if (job.kind === "backup" && job.includeDocuments) key = "jobs.documents";
  if (job.kind === "auditfile" && job.source?.kind) key = `jobs.auditfileFrom.${job.source.kind}`;
  if (!key) return null;
  const extra = document.createElement("span");
  extra.className = "muted";
  extra.textContent = ` (${t(key)})`;
  return extra;
}

let undoTimer = null;

export function renderJobs(jobs) {
  state.jobs = jobs;
  // A restore's undo window that ends while the page is open: the list is rendered anew then.
  clearTimeout(undoTimer);
  const ends = jobs
    .map((job) => (job.undo?.possible ? new Date(job.undo.until).getTime() : NaN))
    .filter((time) => time > Date.now());
  if (ends.length) {
    const delay = Math.min(Math.min(...ends) - Date.now() + 500, 2 ** 31 - 1);
    undoTimer = setTimeout(() => renderJobs(state.jobs), delay);
  }
  const body = $("#jobs-body");
  body.replaceChildren(
    ...jobs.map((job) => {
      const row = document.createElement("tr");
      row.dataset.jobId = job.jobId;
      row.dataset.status = job.status;
      const kind = document.createElement("td");
      kind.textContent = kindText(job);
      const extra = kindExtra(job);
      if (extra) kind.append(extra);
      const status = document.createElement("td");
      status.append(statusBadge(job.status));
      const created = document.createElement("td");
      created.textContent = formatDate(job.createdAt);
      const progress = document.createElement("td");
      const percent = job.progress?.percent;
      if (typeof percent === "number") {
        const bar = document.createElement("progress");
        bar.max = 100;
        bar.value = percent;
        bar.setAttribute("aria-label", `${t("jobs.progress")}: ${percent}%`);
        progress.append(bar, ` ${percent}%`);
      } else {
        progress.textContent = "—";
      }
      const detail = document.createElement("td");
      detail.className = "details";
      detail.textContent = details(job);
      row.append(kind, status, created, progress, detail, actionCell(job));
      return row;
    }),
  );
  $("#jobs-table").hidden = jobs.length === 0;
  $("#jobs-empty").hidden = jobs.length !== 0;
}
