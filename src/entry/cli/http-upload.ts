import { createReadStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createHash, randomBytes } from 'node:crypto';

/**
 * Streams one file as multipart/form-data with node:http, because fetch gives no upload progress.
 * The body has an exact Content-Length so the server can refuse an oversized upload up front.
 */

export interface MultipartFile {
  field: string;
  path: string;
  fileName: string;
  contentType: string;
  size: number;
}

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

/** Extra headers computed from the body about to be sent (a request signature over its digest). */
export type BodySigner = (body: { contentType: string; contentDigest: string }) => Promise<Record<string, string>>;

const quote = (s: string) => s.replace(/[\r\n"]/g, (c) => (c === '"' ? '%22' : ' '));

export async function postMultipartFile(
  url: URL,
  headers: Record<string, string>,
  fields: Record<string, string>,
  file: MultipartFile,
  onProgress: (sent: number, total: number) => void,
  sign?: BodySigner,
): Promise<RawResponse> {
  const boundary = `----manuel${randomBytes(12).toString('hex')}`;
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.fileName)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`;
  const headBuf = Buffer.from(head, 'utf8');
  const tailBuf = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  const contentType = `multipart/form-data; boundary=${boundary}`;
  // A signature covers the digest of the exact bytes sent: hash them in a first pass over the file.
  const signed = sign ? await sign({ contentType, contentDigest: await multipartDigest(headBuf, file.path, tailBuf) }) : {};

  return streamRequest(url, 'POST', { ...headers, ...signed, 'content-type': contentType }, { head: headBuf, path: file.path, size: file.size, tail: tailBuf }, onProgress);
}

/** PUTs a file's bytes as they are (a direct upload's url): exact Content-Length, progress as it goes. */
export function putFile(url: URL, headers: Record<string, string>, path: string, size: number, onProgress: (sent: number, total: number) => void): Promise<RawResponse> {
  return streamRequest(url, 'PUT', headers, { head: Buffer.alloc(0), path, size, tail: Buffer.alloc(0) }, onProgress);
}

/** head + the file + tail as one body with node:http(s), reporting the file bytes sent. */
function streamRequest(
  url: URL,
  method: 'POST' | 'PUT',
  headers: Record<string, string>,
  body: { head: Buffer; path: string; size: number; tail: Buffer },
  onProgress: (sent: number, total: number) => void,
): Promise<RawResponse> {
  const total = body.size;
  return new Promise((resolve, reject) => {
    let responded = false;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method, headers: { ...headers, 'content-length': String(body.head.length + body.size + body.tail.length) } });
    req.on('response', (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // A server may answer (413, 415) and close before reading the whole body: its answer wins.
    req.on('error', (e) => {
      if (!responded) reject(e);
    });

    if (body.head.length) req.write(body.head);
    let sent = 0;
    onProgress(0, total);
    const stream = createReadStream(body.path);
    stream.on('data', (chunk: Buffer | string) => {
      sent += chunk.length;
      if (!req.write(chunk)) stream.pause();
      onProgress(sent, total);
    });
    req.on('drain', () => stream.resume());
    stream.on('end', () => req.end(body.tail));
    stream.on('error', (e) => {
      req.destroy();
      reject(e);
    });
    req.on('close', () => stream.destroy());
  });
}

/** Hex sha256 of a file, streaming it. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** RFC 9530 sha-256 Content-Digest of head + file + tail, streaming the file. */
async function multipartDigest(head: Buffer, path: string, tail: Buffer): Promise<string> {
  const hash = createHash('sha256').update(head);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha-256=:${hash.update(tail).digest('base64')}:`;
}
