// The HTTP API, called with the user's JWT (Authorization: Bearer), and the polling of its jobs.

import { formatDate, reasonText, t } from "./i18n.js";
import { state } from "./state.js";

// An answer of the API that is not 2xx. `data` is its body: {message, reasonCode, reasonParams}, with
// `errors` (one reason per field) for a request that failed validation. API Gateway's own answers (its
// JWT authorizer's 401, an unknown route's 404) carry only `message`: they are told by their status.
// `message` stays English (logs, the console); the page shows errorText(error), in the chosen language.
export class ApiError extends Error {
  constructor(status, data = null, retryAfter = null) {
    super((data && typeof data.message === "string" && data.message) || `HTTP ${status}`);
    this.status = status;
    this.data = data;
    // A 429's Retry-After (seconds), as the moment to try again.
    this.retryAt = Number.isFinite(retryAfter) ? new Date(Date.now() + retryAfter * 1000).toISOString() : null;
  }
}

// What went wrong, in the chosen language: by reason code, else by HTTP status.
export function errorText(error) {
  if (typeof error?.render === "function") return error.render();
  if (!(error instanceof ApiError)) return String(error?.message || error || "");
  if (error.status === 0) return t("error.network");
  if (error.status === 401) return t("error.unauthorized");
  const data = error.data || {};
  if (typeof data.reasonCode === "string") {
    const fields = Array.isArray(data.errors) ? data.errors : [];
    return fields.length > 1 ? fields.map(reasonText).join(" ") : reasonText(data);
  }
  // API Gateway's own throttling (no reason code): when to try again, from its Retry-After if any.
  if (error.status === 429) {
    return error.retryAt ? t("error.throttledUntil", { date: formatDate(error.retryAt) }) : t("error.throttled");
  }
  if (error.status === 404) return reasonText({ reasonCode: "request.not_found" });
  return t("error.generic", { status: error.status });
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
    throw new ApiError(0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const retryAfter = response.headers.get("Retry-After");
    throw new ApiError(response.status, data, retryAfter === null ? null : Number(retryAfter));
  }
  return data;
}

export const enc = encodeURIComponent;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Superseded extends Error {}

// Poll GET /jobs/{id} until `done(job)`; `update(job)` sees every view. Stops (Superseded) when the user
// signs in anew, or when `alive()` says the section that asked has moved on to another job.
export async function pollJob(jobId, { done, update, alive = () => true }) {
  const session = state.session;
  let failures = 0;
  for (;;) {
    if (session !== state.session || !alive()) throw new Superseded();
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
    if (session !== state.session || !alive()) throw new Superseded();
    update?.(job);
    if (job.final || done(job)) return job;
    await sleep(state.pollMs);
  }
}
