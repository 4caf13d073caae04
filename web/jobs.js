// Section 4: the recent jobs (backups and restores) of the chosen administration and fiscal year.

import { api } from "./api.js";
import { $, showError, statusBadge } from "./dom.js";
import { formatBytes, formatDate, t } from "./i18n.js";
import { scopePath, state } from "./state.js";

// An answer for a year the user has left meanwhile is dropped.
export async function loadJobs() {
  if (!state.administration || !state.year) return;
  const requested = scopePath();
  try {
    const data = await api("GET", `${requested}/jobs`);
    if (requested === scopePath()) renderJobs(data.jobs || []);
  } catch (error) {
    showError(error.message);
  }
}

export function renderJobs(jobs) {
  state.jobs = jobs;
  const body = $("#jobs-body");
  body.replaceChildren(
    ...jobs.map((job) => {
      const row = document.createElement("tr");
      row.dataset.jobId = job.jobId;
      const kind = document.createElement("td");
      kind.textContent = t(`kind.${job.kind}`);
      if (job.kind === "backup" && job.includeDocuments) {
        const extra = document.createElement("span");
        extra.className = "muted";
        extra.textContent = ` (${t("jobs.documents")})`;
        kind.append(extra);
      }
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
      const details = document.createElement("td");
      details.className = "details";
      if (job.reason) details.textContent = job.reason;
      else if (job.archiveSize != null) details.textContent = formatBytes(job.archiveSize);
      row.append(kind, status, created, progress, details);
      return row;
    }),
  );
  $("#jobs-table").hidden = jobs.length === 0;
  $("#jobs-empty").hidden = jobs.length !== 0;
}
