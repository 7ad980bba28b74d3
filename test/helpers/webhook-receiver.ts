import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: Record<string, any>;
  /** Which attempt this was (1-based, over every request the receiver got). */
  attempt: number;
}

/** What to do with the n-th request (1-based): answer a status (now, or when the promise settles), or never answer. */
export type HookScript = (n: number) => number | Promise<number> | 'hang';

export interface WebhookReceiver {
  url: string;
  /** Requests answered 2xx, in order. */
  readonly delivered: ReceivedHook[];
  /** Every request, whatever it was answered (or not). */
  readonly attempts: ReceivedHook[];
  script: HookScript;
  /** Resolves once `count` alerts were delivered. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedHook[]>;
  /** Resolves once `count` requests arrived, however they were answered (or not). */
  waitForAttempt(count?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server playing the alert receiver (Slack or ntfy), scripted by the test. */
export async function startWebhookReceiver(script: HookScript = () => 200): Promise<WebhookReceiver> {
  const delivered: ReceivedHook[] = [];
  const attempts: ReceivedHook[] = [];
  const hung: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', async () => {
      const hook: ReceivedHook = { headers: req.headers, body: JSON.parse(raw || '{}'), attempt: attempts.length + 1 };
      attempts.push(hook);
      const scripted = receiver.script(hook.attempt);
      for (const w of waiters.splice(0)) w();
      if (scripted === 'hang') return void hung.push(res);
      const action = await scripted;
      if (action >= 200 && action < 300) delivered.push(hook);
      res.writeHead(action, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const until = async (done: () => boolean, timeoutMs: number, why: () => string) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(why());
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    delivered,
    attempts,
    script,
    async waitFor(count, timeoutMs = 10_000) {
      await until(() => delivered.length >= count, timeoutMs, () => `webhook receiver got ${delivered.length} of ${count} alerts`);
      return delivered;
    },
    waitForAttempt: (count = 1, timeoutMs = 10_000) =>
      until(() => attempts.length >= count, timeoutMs, () => `webhook receiver got ${attempts.length} of ${count} requests`),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  return receiver;
}
