// Section 6: retained years ("Bewaarde jaren"). Closed fiscal years are kept under Object Lock for 7
// (or, on request, 10) years after the year's end; the customer sees them, downloads each with a fresh
// link (also with a read-only sign-in, after the licence ended), and may ask for an archive of the
// chosen administration/year. A request is a job: followed to its end, then the list is loaded anew.

import { api, enc, errorText, pollJob, Superseded } from "./api.js";
import { $, cell, clearMessage, focus, setBusy, showMessage } from "./dom.js";
import { formatBytes, formatDay, reasonText, t } from "./i18n.js";
import { readOnlyRefusal } from "./read-only.js";
import { scopePath, state } from "./state.js";

export function resetRetained() {
  state.retained = { archives: [], loaded: false, busy: false };
  setBusy($("#retention-send"), false);
  clearMessage($("#retention-status"));
  clearMessage($("#retained-status"));
  renderRetained();
}

export async function loadRetained() {
  const session = state.session;
  try {
    const data = await api("GET", "/retained-archives");
    if (session !== state.session) return;
    state.retained.archives = data.archives || [];
    state.retained.loaded = true;
  } catch (error) {
    if (session !== state.session) return;
    showMessage($("#retained-status"), "error", "retained.loadFailed", { reason: () => errorText(error) });
  }
  renderRetained();
}

export function renderRetained() {
  const archives = state.retained.archives;
  $("#retained-body").replaceChildren(
    ...archives.map((archive) => {
      const row = document.createElement("tr");
      row.dataset.archiveId = archive.archiveId;
      const until = cell(formatDay(archive.retainUntil));
      const years = document.createElement("span");
      years.className = "muted";
      years.textContent = ` (${t("retained.years", { years: archive.years })})`;
      until.append(years);
      const hold = cell(t(archive.legalHold ? "retained.hold.on" : "retained.hold.off"));
      const why = cell(t(archive.why === "closed" ? "retained.why.closed" : "retained.why.requested"));
      const action = document.createElement("td");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small";
      button.dataset.action = "download-retained";
      button.textContent = t("retained.download");
      button.setAttribute(
        "aria-label",
        t("retained.downloadLabel", { administration: archive.administration, year: archive.year }),
      );
      button.addEventListener("click", () => downloadRetained(archive.archiveId));
      action.append(button);
      row.append(
        cell(archive.administration),
        cell(archive.year),
        until,
        hold,
        why,
        cell(archive.size != null ? formatBytes(archive.size) : "—"),
        action,
      );
      return row;
    }),
  );
  $("#retained-table").hidden = archives.length === 0;
  $("#retained-empty").hidden = archives.length !== 0 || !state.retained.loaded;
  $("#retention-scope").textContent = t("retention.scope", {
    administration: state.administration ?? "—",
    year: state.year ?? "—",
  });
}

// A fresh link each time (it is valid for minutes only), then the browser's download.
export async function downloadRetained(archiveId) {
  const status = $("#retained-status");
  clearMessage(status);
  try {
    const link = await api("GET", `/retained-archives/${enc(archiveId)}/download`);
    const anchor = $("#download-anchor");
    anchor.href = link.downloadUrl;
    anchor.download = link.filename || "";
    anchor.click();
    showMessage(status, "success", "retained.downloading", { filename: link.filename || "" });
  } catch (error) {
    showMessage(status, "error", "retained.downloadFailed", { reason: () => errorText(error) });
    focus(status);
  }
}

export async function requestRetention(event) {
  event.preventDefault();
  if (state.retained.busy || state.readOnly || !state.administration || !state.year) return;
  const status = $("#retention-status");
  const years = Number($("#retention-form").querySelector("input[name=years]:checked")?.value || 7);
  const administration = state.administration;
  const year = state.year;
  const session = state.session;
  state.retained.busy = true;
  setBusy($("#retention-send"), true);
  try {
    const job = await api("POST", `${scopePath()}/retention`, { years });
    showMessage(status, "busy", "retention.started", { administration, year, years });
    const done = await pollJob(job.jobId, { done: (view) => view.final });
    if (done.status === "ready") {
      showMessage(status, "success", "retention.ready", {
        administration,
        year,
        until: () => formatDay(done.retention?.retainUntil),
      });
      await loadRetained();
    } else {
      showMessage(status, "error", "retention.failed", { reason: () => reasonText(done) || t(`status.${done.status}`) });
    }
  } catch (error) {
    if (error instanceof Superseded) return;
    readOnlyRefusal(error);
    const key = error.status === 429 ? "retention.notStarted" : "retention.failed";
    showMessage(status, "error", key, { reason: () => errorText(error) });
  } finally {
    if (session === state.session) {
      state.retained.busy = false;
      setBusy($("#retention-send"), false);
      focus(status);
    }
  }
}
