// The upload of a file straight to S3 with the presigned POST policy the API hands out.

import { t } from "./i18n.js";

// S3 refuses with an XML document whose <Message> says why.
function s3ErrorMessage(text) {
  const match = /<Message>([^<]*)<\/Message>/.exec(text || "");
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
      else reject(new Error(s3ErrorMessage(xhr.responseText) || t("error.generic", { status: xhr.status })));
    };
    xhr.onerror = () => reject(new Error(t("error.network")));
    xhr.onabort = () => reject(new Error(t("error.network")));
    xhr.send(form);
  });
}
