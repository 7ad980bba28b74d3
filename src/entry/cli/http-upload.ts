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
  const total = file.size;
  const contentType = `multipart/form-data; boundary=${boundary}`;
  // A signature covers the digest of the exact bytes sent: hash them in a first pass over the file.
  const signed = sign ? await sign({ contentType, contentDigest: await multipartDigest(headBuf, file.path, tailBuf) }) : {};

  return new Promise((resolve, reject) => {
    let responded = false;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: {
        ...headers,
        ...signed,
        'content-type': contentType,
        'content-length': String(headBuf.length + file.size + tailBuf.length),
      },
    });
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

    req.write(headBuf);
    let sent = 0;
    onProgress(0, total);
    const stream = createReadStream(file.path);
    stream.on('data', (chunk: Buffer | string) => {
      sent += chunk.length;
      if (!req.write(chunk)) stream.pause();
      onProgress(sent, total);
    });
    req.on('drain', () => stream.resume());
    stream.on('end', () => req.end(tailBuf));
    stream.on('error', (e) => {
      req.destroy();
      reject(e);
    });
    req.on('close', () => stream.destroy());
  });
}

/** RFC 9530 sha-256 Content-Digest of head + file + tail, streaming the file. */
async function multipartDigest(head: Buffer, path: string, tail: Buffer): Promise<string> {
  const hash = createHash('sha256').update(head);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha-256=:${hash.update(tail).digest('base64')}:`;
}
