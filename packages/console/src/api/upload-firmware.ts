// Firmware upload with progress: fetch() has no upload progress, so this one call uses
// XMLHttpRequest. The server wants the form fields first, then 1 to 5 parts named `file`.
import { type ApiError, toApiError } from './api-error.ts';
import type { FirmwarePackage } from './types.ts';

export interface FirmwareUpload {
  productId: number;
  module: string;
  /** Unique per product and module; the server names it after the version when absent. */
  name?: string;
  version: string;
  type: 'full' | 'delta';
  sourceVersion?: string;
  releaseNotes?: string;
  remark?: string;
  files: readonly File[];
}

export function uploadFirmware(
  upload: FirmwareUpload,
  csrfToken: string | null,
  onProgress: (percent: number) => void,
): Promise<FirmwarePackage> {
  const form = new FormData();
  form.append('module', upload.module);
  if (upload.name?.trim()) form.append('name', upload.name.trim());
  form.append('version', upload.version);
  form.append('type', upload.type);
  if (upload.type === 'delta' && upload.sourceVersion) form.append('sourceVersion', upload.sourceVersion);
  if (upload.releaseNotes) form.append('releaseNotes', upload.releaseNotes);
  if (upload.remark) form.append('remark', upload.remark);
  for (const file of upload.files) form.append('file', file, file.name);

  return new Promise((resolve, reject: (error: ApiError) => void) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/products/${upload.productId}/firmware`);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    xhr.onload = () => {
      if (xhr.status === 201) resolve(xhr.response as FirmwarePackage);
      else reject(toApiError(xhr.status, xhr.response));
    };
    xhr.onerror = () => reject(toApiError(0, { code: 'NETWORK', message: 'the upload was interrupted' }));
    xhr.send(form);
  });
}
