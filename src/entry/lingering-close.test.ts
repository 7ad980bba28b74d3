import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { lingerOnEarlyAnswers, type LingerBounds, type LingerEvent } from './lingering-close.js';

const KB = 1024;

/** A server that answers 413 (Connection: close) at once, like the body cap, without reading the body. */
async function earlyAnswerServer(bounds: LingerBounds, keepAlive = false): Promise<{ server: Server; port: number; events: LingerEvent[]; open: Set<Socket> }> {
  const events: LingerEvent[] = [];
  const open = new Set<Socket>();
  const server = createServer((req, res) => {
    if (req.method === 'GET') return void res.end('ok');
    res.writeHead(413, { 'content-type': 'text/plain', ...(keepAlive ? {} : { connection: 'close' }) }).end('too large');
  });
  lingerOnEarlyAnswers(server, bounds, (e) => events.push(e));
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, events, open };
}

interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server's answer (status line) has arrived. */
  answered: Promise<void>;
  /** Resolves when the connection is gone, with the bytes the client managed to write. */
  closed: Promise<{ at: number; written: number }>;
}

/** `stubborn`: the client does not close when the server does (an attacker keeps sending). */
function rawUpload(port: number, declaredBytes: number, stubborn = false): RawClient {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: stubborn });
  let text = '';
  let written = 0;
  let onAnswer!: () => void;
  const answered = new Promise<void>((r) => (onAnswer = r));
  socket.on('data', (d) => {
    text += d.toString('latin1');
    if (/^HTTP\/1\.1 \d{3}/.test(text)) onAnswer();
  });
  socket.on('error', () => {});
  const closed = new Promise<{ at: number; written: number }>((r) => socket.once('close', () => r({ at: Date.now(), written })));
  socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: ${declaredBytes}\r\n\r\n`);
  const origWrite = socket.write.bind(socket);
  socket.write = ((chunk: Buffer, ...rest: never[]) => {
    written += chunk.length;
    return origWrite(chunk, ...rest);
  }) as typeof socket.write;
  return { socket, received: () => text, answered, closed };
}

/** Writes as fast as the connection takes it, until it closes. */
function flood(c: RawClient): void {
  const chunk = Buffer.alloc(64 * KB, 0x41);
  const pump = () => {
    while (!c.socket.destroyed && c.socket.write(chunk));
    if (!c.socket.destroyed) c.socket.once('drain', pump);
  };
  pump();
}

/** Waits for `cond`; a condition never met fails the test instead of hanging the run. */
async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('lingering close after an early answer', { timeout: 60_000 }, () => {
  const bounds: LingerBounds = { maxBytes: 1024 * KB, maxMs: 1_500, idleMs: 400 };
  let s: Awaited<ReturnType<typeof earlyAnswerServer>>;
  before(async () => (s = await earlyAnswerServer(bounds)));
  after(() => new Promise<void>((r) => s.server.close(() => r())));

  it('reads the rest of a body within the bound, then closes cleanly: the client reads the answer and no reset', async () => {
    const c = rawUpload(s.port, 600 * KB);
    let errored: Error | null = null;
    c.socket.on('error', (e) => (errored = e));
    const body = Buffer.alloc(600 * KB, 0x42);
    c.socket.write(body);
    c.socket.on('end', () => c.socket.end());
    const { written } = await c.closed;
    assert.equal(written, 600 * KB);
    assert.match(c.received(), /^HTTP\/1\.1 413 [^]*too large/);
    assert.equal(errored, null, 'closed with a FIN, not a reset');
    // The client can see the server's FIN before the server has reported the drain.
    await until(() => s.events.length === 1);
    assert.deepEqual(
      s.events.map((e) => e.outcome),
      ['drained'],
    );
  });

  it('attack: a client that never stops sending is cut after maxBytes; it still got the answer first', async () => {
    s.events.length = 0;
    const c = rawUpload(s.port, 1024 * 1024 * KB, true); // declares 1 GB
    flood(c);
    await c.answered;
    const { written } = await c.closed;
    await until(() => s.events.length === 1);
    assert.match(c.received(), /^HTTP\/1\.1 413/);
    const e = s.events[0]!;
    assert.equal(e.outcome, 'bytes');
    assert.ok(e.discarded_bytes <= bounds.maxBytes + 64 * KB, `read ${e.discarded_bytes} bytes`);
    // What the client could push is the bound plus what the kernel buffers hold, far from 1 GB.
    assert.ok(written < 64 * 1024 * KB, `the client wrote ${written} bytes`);
  });

  it('attack: a slow sender is cut after maxMs, a silent one after idleMs', async () => {
    s.events.length = 0;
    const slow = rawUpload(s.port, 100 * 1024 * KB, true);
    const trickle = setInterval(() => !slow.socket.destroyed && slow.socket.write(Buffer.alloc(100, 0x41)), 100);
    const silent = rawUpload(s.port, 100 * 1024 * KB, true);
    silent.socket.write(Buffer.alloc(KB));
    await Promise.all([slow.answered, silent.answered]);
    // The server's side of both connections goes (a silent client learns it at its next write).
    await until(() => s.open.size === 0);
    clearInterval(trickle);
    silent.socket.destroy();
    slow.socket.destroy();
    await until(() => s.events.length === 2);
    assert.match(slow.received(), /^HTTP\/1\.1 413/);
    assert.match(silent.received(), /^HTTP\/1\.1 413/);
    assert.deepEqual(s.events.map((e) => e.outcome).sort(), ['idle', 'time']);
    // The trickle kept the idle timer from firing: only the total time bound stopped it.
    assert.ok(s.events.find((e) => e.outcome === 'time')!.discarded_bytes > 0);
  });

  it('a client that closes once it has the answer ends the lingering at once', async () => {
    s.events.length = 0;
    const c = rawUpload(s.port, 100 * 1024 * KB);
    c.socket.write(Buffer.alloc(64 * KB));
    await c.answered;
    c.socket.destroy();
    await c.closed;
    await until(() => s.events.length === 1);
    assert.equal(s.events[0]!.outcome, 'client_closed');
  });
});

describe('lingering close, keep-alive answer', { timeout: 30_000 }, () => {
  it('a body read to its end leaves the connection usable for the next request', async () => {
    const s = await earlyAnswerServer({ maxBytes: 1024 * KB, maxMs: 5_000, idleMs: 2_000 }, true);
    try {
      const c = rawUpload(s.port, 300 * KB);
      c.socket.write(Buffer.alloc(300 * KB, 0x43));
      await c.answered;
      await until(() => s.events.length === 1);
      assert.equal(s.events[0]!.outcome, 'drained');
      c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await until(() => c.received().endsWith('ok'));
      assert.match(c.received(), /413[^]*HTTP\/1\.1 200/);
      c.socket.destroy();
    } finally {
      s.server.closeAllConnections();
      await new Promise<void>((r) => s.server.close(() => r()));
    }
  });
});
