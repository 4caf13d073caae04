// The upload of a file straight to S3 with the presigned POST policy the API hands out.

import { reasonText, t } from "./i18n.js";

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

// A multipart/form-data POST straight to S3: the policy's fields first, the file last.
export function uploadToS3(upload, file, onProgress) {
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
