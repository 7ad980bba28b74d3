import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createOutboundHttp } from './outbound-http.js';

describe('outbound HTTP pool (EnablePerformanceOptimization)', () => {
  let server: http.Server;
  let url: string;
  let connections = 0;
  let open = 0;
  let maxOpen = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      open++;
      maxOpen = Math.max(maxOpen, open);
      setTimeout(() => {
        open--;
        res.end('{"ok":true}');
      }, 20);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const params = { MaxConnections: 2, MaxIdleConnections: 2, ConnectionTimeout: 1000, ReadTimeout: 300 };

  it('keeps connections alive between requests and never opens more than MaxConnections', async () => {
    const out = createOutboundHttp(params);
    try {
      connections = 0;
      maxOpen = 0;
      for (let i = 0; i < 6; i++) assert.equal(await (await out.fetch(url)).text(), '{"ok":true}');
      assert.ok(connections <= 2, `6 sequential requests over ${connections} sockets: kept alive and reused`);
      await Promise.all(Array.from({ length: 10 }, () => out.fetch(url).then((r) => r.text())));
      assert.ok(connections <= 2, `${connections} sockets for 10 parallel requests`);
      assert.ok(maxOpen <= 2);
    } finally {
      await out.close();
    }
  });

  it('MaxIdleConnections 0: no keep-alive, a socket per request', async () => {
    const out = createOutboundHttp({ ...params, MaxIdleConnections: 0 });
    try {
      connections = 0;
      for (let i = 0; i < 3; i++) await (await out.fetch(url)).text();
      assert.equal(connections, 3);
    } finally {
      await out.close();
    }
  });

  it('gives up on a server that does not answer after ReadTimeout', async () => {
    const out = createOutboundHttp(params);
    try {
      await assert.rejects(out.fetch(url + '/hang'), (e: Error) => /timeout/i.test(`${e.message} ${(e.cause as Error)?.message ?? ''} ${(e.cause as { code?: string })?.code ?? ''}`));
    } finally {
      await out.close();
    }
  });
});
