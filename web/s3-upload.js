// The upload of a file straight to S3: a small one with the presigned POST policy the API hands out, a
// large one (above the API's threshold; S3 refuses a POST over 5 GB) in parts, each PUT to its own
// presigned UploadPart URL, four at a time, a failed part sent again. The parts S3 holds are asked of
// the API first, so an upload that stopped (a dropped connection, a reload) goes on where it was.

import { api, ApiError, enc } from "./api.js";
import { reasonText, t } from "./i18n.js";

const PARALLEL = 4; // parts in flight at once
const ATTEMPTS = 5; // tries of one part before the upload gives up (the page can resume it)
const URL_BATCH = 8; // part URLs asked for at once: fewer calls, none left to expire unused for long

// A refused or broken upload; render() says why in the chosen language (S3's own message is English).
export class UploadError extends Error {
  constructor(code, status) {
    super(code ? `S3 ${code} (HTTP ${status})` : `HTTP ${status}`);
    this.code = code;
    this.status = status;
  }

  render() {
    if (this.status === 0) return t("error.network");
    if (this.code === "EntityTooLarge") return reasonText({ reasonCode: "restore.file_too_large" });
    return t("restore.uploadRefused", { status: this.status });
  }
}

// S3 refuses with an XML document whose <Code> says why.
function s3ErrorCode(text) {
  const match = /<Code>([^<]*)<\/Code>/.exec(text || "");
  return match ? match[1] : null;
}

// S3 asks a sender to slow down (503 SlowDown) or fails inside (500 InternalError) now and then, and a
// connection can drop: such a try is sent again, after a growing pause. A refusal (4xx) is final.
function worthRetrying(error) {
  return error instanceof UploadError && [0, 500, 503].includes(error.status);
}

// A multipart/form-data POST straight to S3 (the policy's fields first, the file last), sent again
// while S3 answers with a transient fault, up to ATTEMPTS tries.
export async function uploadToS3(upload, file, onProgress) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await postToS3(upload, file, onProgress);
    } catch (error) {
      if (!worthRetrying(error) || attempt >= ATTEMPTS) throw error;
      onProgress(0, file.size);
      await sleep(Math.min(8000, 500 * 2 ** attempt));
    }
  }
}

function postToS3(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields || {})) form.append(name, value);
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new UploadError(s3ErrorCode(xhr.responseText), xhr.status));
    };
    xhr.onerror = () => reject(new UploadError(null, 0));
    xhr.onabort = () => reject(new UploadError(null, 0));
    xhr.send(form);
  });
}

// The user stopped the upload (or the page moved on): not an error to show.
export class UploadAborted extends Error {}

// Stops an upload in parts: every request in flight is aborted, no part is started after.
export class UploadControl {
  constructor() {
    this.aborted = false;
    this.requests = new Set();
  }

  abort() {
    this.aborted = true;
    for (const xhr of this.requests) xhr.abort();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One part: a PUT of the slice to its presigned URL (its size is signed in); resolves with S3's ETag,
// which the bucket's CORS rule exposes to the page.
function putPart(url, blob, onProgress, control) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    control.requests.add(xhr);
    const done = () => control.requests.delete(xhr);
    xhr.open("PUT", url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      done();
      const etag = xhr.getResponseHeader("ETag");
      if (xhr.status >= 200 && xhr.status < 300 && etag) resolve(etag);
      else reject(new UploadError(s3ErrorCode(xhr.responseText), xhr.status));
    };
    xhr.onerror = () => {
      done();
      reject(new UploadError(null, 0));
    };
    xhr.onabort = () => {
      done();
      reject(new UploadAborted());
    };
    xhr.send(blob);
  });
}

// Sends `file` in the parts of `plan` ({size, partSize, partCount}) for restore `jobId`, skipping the
// parts S3 already holds, and completes the upload. onProgress(sent, total) counts bytes, the parts
// sent before included. Resolves with the job's view; rejects with UploadAborted after control.abort().
export async function uploadInParts(jobId, plan, file, onProgress, control = new UploadControl()) {
  const path = `/restores/${enc(jobId)}`;
  const listed = await api("GET", `${path}/upload-parts`);
  const etags = new Map(listed.parts.map((part) => [part.partNumber, part.etag]));
  let sent = listed.parts.reduce((sum, part) => sum + part.size, 0);
  const inFlight = new Map();
  const report = () => {
    let moving = 0;
    for (const loaded of inFlight.values()) moving += loaded;
    onProgress(Math.min(plan.size, sent + moving), plan.size);
  };
  report();
  const queue = [];
  for (let number = 1; number <= plan.partCount; number += 1) if (!etags.has(number)) queue.push(number);

  const urls = new Map();
  let lifetimeMs = 0;
  async function urlOf(number) {
    const known = urls.get(number);
    if (known && Date.now() - known.at < lifetimeMs - 60_000) return known.url;
    const wanted = [number, ...queue.filter((other) => !urls.has(other)).slice(0, URL_BATCH - 1)];
    const answer = await api("POST", `${path}/upload-parts`, { parts: wanted });
    lifetimeMs = answer.expiresIn * 1000;
    const at = Date.now();
    for (const part of answer.parts) urls.set(part.partNumber, { url: part.url, at });
    return urls.get(number).url;
  }

  let failed = null;
  async function send(number) {
    const start = (number - 1) * plan.partSize;
    const blob = file.slice(start, Math.min(start + plan.partSize, plan.size));
    for (let attempt = 1; ; attempt += 1) {
      if (control.aborted) throw new UploadAborted();
      try {
        const url = await urlOf(number);
        const etag = await putPart(
          url,
          blob,
          (loaded) => {
            inFlight.set(number, loaded);
            report();
          },
          control,
        );
        inFlight.delete(number);
        sent += blob.size;
        etags.set(number, etag);
        report();
        return;
      } catch (error) {
        inFlight.delete(number);
        report();
        if (control.aborted || error instanceof UploadAborted) throw new UploadAborted();
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) throw error; // no retry helps
        if (error instanceof UploadError && error.status === 403) urls.delete(number); // expired: sign anew
        if (attempt >= ATTEMPTS) throw error;
        await sleep(Math.min(8000, 500 * 2 ** attempt));
      }
    }
  }

  async function worker() {
    while (queue.length && !failed) {
      const number = queue.shift();
      try {
        await send(number);
      } catch (error) {
        failed = failed || error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  if (control.aborted) throw new UploadAborted();
  if (failed) throw failed;
  const parts = [...etags].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag }));
  return api("POST", `${path}/complete-upload`, { parts });
}

// -- an upload to resume after a reload: the job and the file it sends, in this browser ----------------
const RESUME_KEY = "kluis.restoreUpload";

function storageKey(customer) {
  return `${RESUME_KEY}.${customer}`;
}

export function rememberUpload(customer, jobId, file) {
  const entry = { jobId, name: file.name, size: file.size, lastModified: file.lastModified };
  try {
    localStorage.setItem(storageKey(customer), JSON.stringify(entry));
  } catch {
    // private mode or full: the upload works, it just cannot resume after a reload
  }
}

export function rememberedUpload(customer) {
  try {
    const entry = JSON.parse(localStorage.getItem(storageKey(customer)) || "null");
    return entry && typeof entry.jobId === "string" ? entry : null;
  } catch {
    return null;
  }
}

export function forgetUpload(customer) {
  try {
    localStorage.removeItem(storageKey(customer));
  } catch {
    // nothing to forget
  }
}

// The same file as the one remembered (name, size and last change: a browser gives no path).
export function isSameFile(entry, file) {
  return (
    !!entry && !!file && entry.name === file.name && entry.size === file.size && entry.lastModified === file.lastModified
  );
}
