// The HTTP API, called with the user's JWT (Authorization: Bearer), and the polling of its jobs.

import { t } from "./i18n.js";
import { state } from "./state.js";

export class ApiError extends Error {
  constructor(status, message, data = null) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

export async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(state.config.apiBase + path, init);
  } catch {
    throw new ApiError(0, t("error.network"));
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    let message = data && typeof data.message === "string" ? data.message : detailMessage(data?.detail);
    if (response.status === 401) message = t("error.unauthorized");
    throw new ApiError(response.status, message || t("error.generic", { status: response.status }), data);
  }
  return data;
}

// A validation answer (422) says what is wrong in `detail`: a text, or a list of {loc, msg}.
function detailMessage(detail) {
  if (typeof detail === "string") return detail;
  if (!Array.isArray(detail)) return null;
  const parts = detail
    .map((item) => {
      if (!item || typeof item.msg !== "string") return null;
      const where = Array.isArray(item.loc) ? item.loc.filter((part) => part !== "body").join(".") : "";
      return where ? `${where}: ${item.msg}` : item.msg;
    })
    .filter(Boolean);
  return parts.length ? parts.join("; ") : null;
}

export const enc = encodeURIComponent;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Superseded extends Error {}

// Poll GET /jobs/{id} until `done(job)`; `update(job)` sees every view. Stops when the user signs in anew.
export async function pollJob(jobId, { done, update }) {
  const session = state.session;
  let failures = 0;
  for (;;) {
    if (session !== state.session) throw new Superseded();
    let job;
    try {
      job = await api("GET", `/jobs/${enc(jobId)}`);
      failures = 0;
    } catch (error) {
      // A blip of the network is retried a few times; an answer of the API is not.
      if (error.status !== 0 || ++failures > 5) throw error;
      await sleep(state.pollMs);
      continue;
    }
    if (session !== state.session) throw new Superseded();
    update?.(job);
    if (job.final || done(job)) return job;
    await sleep(state.pollMs);
  }
}
