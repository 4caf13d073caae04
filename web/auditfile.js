// An auditfile in XAF 4.0, made on request from an archive: a ready backup's or a retained year's.
// From 1 January 2027 the Belastingdienst accepts only XAF 4.0, and older archives hold XAF 3.2 only.
// The request is a job, followed to its end and then downloaded with a fresh link, as a backup is
// (GET /jobs/{id}/download). A read-only sign-in may ask for one too: it changes no books.

import { api, enc, errorText, pollJob, Superseded } from "./api.js";
import { clearMessage, focus, setBusy, showMessage, startDownload } from "./dom.js";
import { reasonText, t } from "./i18n.js";
import { loadJobs, updateJob } from "./jobs.js";

// The request paths of the auditfiles being made: one at a time of each archive.
const making = new Set();

export const ofBackup = (jobId) => `/jobs/${enc(jobId)}/auditfile`;
export const ofRetained = (archiveId) => `/retained-archives/${enc(archiveId)}/auditfile`;
export const isMaking = (path) => making.has(path);

// Requests the auditfile (`path`: ofBackup or ofRetained), shows its progress in `status`, and starts
// the download when it is ready. `button` (the one clicked) is busy meanwhile; `render` draws the
// section's buttons anew when it is done (isMaking tells which are busy).
export async function makeAuditfile(path, { button, status, administration, year, render }) {
  if (making.has(path)) return;
  making.add(path);
  setBusy(button, true);
  clearMessage(status);
  try {
    const started = await api("POST", path);
    showMessage(status, "busy", "auditfile.building", { administration, year });
    loadJobs();
    const job = await pollJob(started.jobId, { done: () => false, update: updateJob });
    if (job.status === "ready") await downloadAuditfile(job.jobId, status);
    else showMessage(status, "error", "auditfile.failed", { reason: () => failure(job) });
  } catch (error) {
    if (error instanceof Superseded) return;
    showMessage(status, "error", "auditfile.failed", { reason: () => errorText(error) });
  } finally {
    making.delete(path);
    setBusy(button, false);
    render?.();
  }
  focus(status);
  loadJobs();
}

const failure = (job) => reasonText(job) || t(`status.${job.status}`);

// A made auditfile (just now, or one from the recent jobs): a fresh link, then the download.
export async function downloadAuditfile(jobId, status) {
  try {
    const link = await api("GET", `/jobs/${enc(jobId)}/download`);
    startDownload(link);
    showMessage(status, "success", "auditfile.ready", { filename: link.filename || "" });
  } catch (error) {
    showMessage(status, "error", "auditfile.downloadFailed", { reason: () => errorText(error) });
    focus(status);
  }
}
