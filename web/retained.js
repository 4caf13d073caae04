// Section 6: retained years ("Bewaarde jaren"). Closed fiscal years are kept under Object Lock for 7
// (or, on request, 10) years after the year's end; the customer sees them, downloads each with a fresh
// link (also with a read-only sign-in, after the licence ended), and may ask for an archive of the
// chosen administration/year. A request is a job: followed to its end, then the list is loaded anew.
// Each also gives an auditfile in XAF 4.0 on request (auditfile.js), for archives that hold only 3.2.

import { api, enc, errorText, pollJob, Superseded } from "./api.js";
import { isMaking, makeAuditfile, ofRetained } from "./auditfile.js";
import { $, cell, clearMessage, focus, setBusy, showMessage, startDownload } from "./dom.js";
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
      row.append(
        cell(archive.administration),
        cell(archive.year),
        until,
        hold,
        why,
        cell(archive.size != null ? formatBytes(archive.size) : "—"),
        actionCell(archive),
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

// Each archive downloads as it is kept, or as an auditfile in XAF 4.0 made from its records (also with a
// read-only sign-in: neither changes the books).
function actionCell(archive) {
  const action = document.createElement("td");
  action.className = "job-actions";
  const which = { administration: archive.administration, year: archive.year };
  const download = button("download-retained", "retained.download", t("retained.downloadLabel", which));
  download.addEventListener("click", () => downloadRetained(archive.archiveId));
  const path = ofRetained(archive.archiveId);
  const auditfile = button("auditfile-retained", "auditfile.button", t("auditfile.retainedLabel", which));
  setBusy(auditfile, isMaking(path));
  auditfile.addEventListener("click", () => {
    const status = $("#retained-status");
    makeAuditfile(path, { button: auditfile, status, ...which, render: renderRetained });
  });
  action.append(download, auditfile);
  return action;
}

function button(action, key, label) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "button button-small";
  element.dataset.action = action;
  element.textContent = t(key);
  element.setAttribute("aria-label", label);
  return element;
}

// A fresh link each time (it is valid for minutes only), then the browser's download.
export async function downloadRetained(archiveId) {
  const status = $("#retained-status");
  clearMessage(status);
  try {
    const link = await api("GET", `/retained-archives/${enc(archiveId)}/download`);
    startDownload(link);
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
