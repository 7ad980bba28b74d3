import { accessToken, api, ApiError, errorFromBody, refreshSession } from './http-client';

/** POST a form with upload progress (fetch cannot report it; XMLHttpRequest can). */
export function postFormWithProgress<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  const once = (token: string | null) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
      xhr.onerror = () => reject(new ApiError(0, 'network', 'Cannot reach the Manuel server'));
      xhr.send(form);
    });
  return (async () => {
    let r = await once(await accessToken());
    if (r.status === 401) {
      const s = await refreshSession();
      if (s) r = await once(s.accessToken);
    }
    if (r.status < 200 || r.status >= 300) throw errorFromBody(r.status, r.text);
    onProgress(1);
    return JSON.parse(r.text) as T;
  })();
}

interface UploadTicket {
  upload_id: string;
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expires_at: string;
}

/** A refused PUT: the server's JSON error, or object storage's XML one (<Code>). */
function storageError(status: number, text: string): ApiError {
  const json = errorFromBody(status, text);
  if (!json.type.startsWith('http_') && json.type !== 'internal_error') return json;
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  return new ApiError(status, code ?? 'storage_refused', `The storage refused the upload${code ? ` (${code})` : ''}`);
}

/** PUT a file to a direct-upload url with progress; no credentials go with it (the url is the credential). */
function putWithProgress(ticket: UploadTicket, file: File, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', ticket.url);
    for (const [k, v] of Object.entries(ticket.headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(storageError(xhr.status, xhr.responseText)));
    xhr.onerror = () => reject(new ApiError(0, 'network', 'Cannot reach the storage the file is sent to'));
    xhr.send(file);
  });
}

/**
 * Upload a manual of any size the server accepts: a direct upload (the bytes go straight to storage,
 * past API Gateway's 10 MB on AWS), or the multipart route on a server without it (404 on the start).
 */
export async function uploadManual<T>(file: File, onProgress: (fraction: number) => void): Promise<T> {
  let ticket: UploadTicket;
  try {
    ticket = await api<UploadTicket>('/api/manuals/uploads', { json: { filename: file.name, size: file.size, name: file.name } });
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('name', file.name);
    return postFormWithProgress<T>('/api/manuals/upload', form, onProgress);
  }
  await putWithProgress(ticket, file, onProgress);
  const done = await api<T>(`/api/manuals/uploads/${encodeURIComponent(ticket.upload_id)}/complete`, { method: 'POST' });
  onProgress(1);
  return done;
}
