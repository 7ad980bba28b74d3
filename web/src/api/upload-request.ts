import { accessToken, ApiError, errorFromBody, refreshSession } from './http-client';

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
