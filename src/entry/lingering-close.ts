import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How long and how much of a request body the server still reads, and throws away, after it has
 * answered before the body was all in (a 413, a 401 on an upload, ...).
 *
 * Why read at all: closing a socket that still has unread bytes makes the kernel send a reset,
 * which can destroy the answer before the client reads it; clients that keep sending while the
 * server answers (Node's fetch/undici, browsers) then report EPIPE or "connection reset" instead
 * of the 413. Reading the rest first ("lingering close", as nginx does) lets the answer arrive.
 *
 * Why a bound: otherwise a client could make the server read for ever.
 * - `maxBytes`: the largest body the server accepts on any route. Discarding costs no memory or
 *   disk, only the bandwidth and parsing a legitimate request of that size already costs, so a
 *   client gains nothing over sending a legitimate upload.
 * - `maxMs` (30 s, nginx's lingering_time) and `idleMs` (5 s, nginx's lingering_timeout): a slow
 *   or stalled sender cannot hold the connection longer than that after its answer.
 * Past a bound the server stops reading, half-closes (FIN after the answer) and closes the socket
 * `idleMs` later at most; by then the answer has long been delivered.
 */
export interface LingerBounds {
  maxBytes: number;
  maxMs: number;
  idleMs: number;
}

export const LINGER_MAX_MS = 30_000;
export const LINGER_IDLE_MS = 5_000;

export interface LingerEvent {
  outcome: 'drained' | 'bytes' | 'time' | 'idle' | 'client_closed';
  discarded_bytes: number;
  ms: number;
}

/**
 * Arms lingering close on every request of `server` whose answer is complete before its body.
 * `onDone` hears how each one ended (logs, tests).
 */
export function lingerOnEarlyAnswers(server: Server, bounds: LingerBounds, onDone?: (e: LingerEvent) => void): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Most requests carry no body (GET /health...): nothing to arm.
    if (req.headers['transfer-encoding'] === undefined && !(Number(req.headers['content-length']) > 0)) return;
    // Prepended, so it runs before Node's own end-of-response handling, which would dump the rest
    // without a bound, or (Connection: close) close the socket at once.
    res.prependListener('finish', () => {
      if (!req.complete && !req.destroyed && !req.socket.destroyed) discardRest(req, req.socket, bounds, onDone);
    });
  });
}

function discardRest(req: IncomingMessage, socket: Socket, bounds: LingerBounds, onDone?: (e: LingerEvent) => void): void {
  const started = Date.now();
  let bytes = 0;
  let closeWanted = false;
  let over = false;
  const destroySoon = socket.destroySoon;
  // Node (Connection: close) and @hono/node-server (its own short drain) close through destroySoon:
  // send the FIN now, but keep the socket open for reading until the body is in or a bound is hit.
  socket.destroySoon = () => {
    closeWanted = true;
    if (socket.writable) socket.end();
  };
  const report = (outcome: LingerEvent['outcome']) => onDone?.({ outcome, discarded_bytes: bytes, ms: Date.now() - started });
  const cleanup = () => {
    clearTimeout(total);
    clearTimeout(idle);
    req.off('data', onData);
    req.off('end', onEnd);
    socket.off('close', onClose);
  };
  const giveUp = (outcome: 'bytes' | 'time' | 'idle') => {
    if (over) return;
    over = true;
    cleanup();
    req.pause(); // the parser stops reading the socket once the small buffer is full
    if (socket.writable) socket.end();
    const last = setTimeout(() => socket.destroy(), bounds.idleMs);
    last.unref();
    socket.once('close', () => clearTimeout(last));
    report(outcome);
  };
  const onData = (chunk: Buffer) => {
    bytes += chunk.length;
    idle.refresh();
    if (bytes > bounds.maxBytes) giveUp('bytes');
  };
  const onEnd = () => {
    // Everything read: nothing unread remains, so closing sends a plain FIN (or the connection is reused).
    cleanup();
    socket.destroySoon = destroySoon;
    if (closeWanted && !socket.destroyed) socket.destroySoon();
    report('drained');
  };
  const onClose = () => {
    cleanup();
    report('client_closed');
  };
  const total = setTimeout(() => giveUp('time'), bounds.maxMs);
  const idle = setTimeout(() => giveUp('idle'), bounds.idleMs);
  total.unref();
  idle.unref();
  // The body stream handed to the app (a web stream over `req`) must not buffer what is thrown away.
  req.removeAllListeners('data');
  req.on('data', onData);
  req.once('end', onEnd);
  socket.once('close', onClose);
  req.resume();
}
