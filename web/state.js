// The page's state, one object that every section reads and changes: who is signed in, the chosen
// administration/fiscal year, and what each section shows or is busy with.

export const state = {
  config: { apiBase: "/api", local: false },
  token: null,
  customer: null,
  session: 0, // bumped on every sign-in: pollers of an earlier session stop
  pairs: [],
  administration: null,
  year: null,
  facts: null,
  backupBusy: false,
  restoreBusy: false,
  restoreJob: null,
  pendingUpload: null, // an upload in parts that stopped (a reload): {jobId, name, size, lastModified, job}
  restoreCodeError: null, // () => text of the last wrong or missing code, until the next try
  backupJob: null,
  jobs: [],
  pollMs: 1000,
  systemRestore: { pricing: null, requests: [], last: null, busy: false },
  readOnly: false, // the sign-in may only look and download (read-only.js)
  retained: { archives: [], loaded: false, busy: false },
  auditLog: { records: [], loaded: false, onlyScope: false },
};

// The API's path of the chosen administration and fiscal year.
export const scopePath = () =>
  `/administrations/${encodeURIComponent(state.administration)}/years/${encodeURIComponent(state.year)}`;
