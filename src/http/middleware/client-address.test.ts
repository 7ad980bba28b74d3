import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Hono, type Context } from 'hono';
import { parseIpList } from '../../config/ip-list.js';
import type { AppEnv } from '../app-env.js';
import { clientAddress, forwardedClient, UNKNOWN_CLIENT } from './client-address.js';

function probe(trusted: string, peer: string | undefined) {
  const app = new Hono<AppEnv>();
  app.use('*', clientAddress({ trustedProxies: parseIpList(trusted), peerAddress: (_c: Context) => peer }));
  app.get('*', (c) => c.json({ ip: c.get('clientIp'), proto: c.get('clientProto') }));
  return async (headers: Record<string, string> = {}) => (await (await app.request('/x', { headers })).json()) as { ip: string; proto: string };
}

it('is the socket address, v4-mapped v6 normalised; a client\'s own X-Forwarded-For is ignored', async () => {
  const get = probe('', '::ffff:203.0.113.7');
  assert.deepEqual(await get(), { ip: '203.0.113.7', proto: 'http' });
  assert.equal((await get({ 'x-forwarded-for': '10.0.0.1' })).ip, '203.0.113.7');
  assert.equal((await get({ 'x-forwarded-proto': 'https' })).proto, 'http');
});

it('behind a trusted proxy: the right-most X-Forwarded-For entry that is not a proxy', async () => {
  const get = probe('10.0.0.0/8, fd00::/8', '10.0.0.5');
  assert.equal((await get({ 'x-forwarded-for': '198.51.100.9' })).ip, '198.51.100.9');
  // The client prepended a fake address; the proxy appended the real one.
  assert.equal((await get({ 'x-forwarded-for': '127.0.0.1, 198.51.100.9' })).ip, '198.51.100.9');
  // Two of our proxies in a row.
  assert.equal((await get({ 'x-forwarded-for': '1.1.1.1, 198.51.100.9, fd00::2, 10.1.1.1' })).ip, '198.51.100.9');
  assert.equal((await get({ 'x-forwarded-for': '2001:DB8::7' })).ip, '2001:db8::7');
  assert.equal((await get()).ip, '10.0.0.5', 'no header: the proxy itself');
  assert.equal((await get({ 'x-forwarded-proto': 'https' })).proto, 'https');
});

it('an untrusted peer claiming to forward is not believed', async () => {
  const get = probe('10.0.0.0/8', '198.51.100.66');
  assert.equal((await get({ 'x-forwarded-for': '10.0.0.1' })).ip, '198.51.100.66');
});

it('garbage in the forwarded chain stops the walk at our nearest proxy', () => {
  const trusted = parseIpList('10.0.0.0/8');
  assert.equal(forwardedClient('evil, 10.0.0.2', trusted, '10.0.0.3'), '10.0.0.2');
  assert.equal(forwardedClient('10.0.0.1, 10.0.0.2', trusted, '10.0.0.3'), '10.0.0.1');
});

it('in-process requests (no socket) are "unknown", which no allowlist contains', async () => {
  const app = new Hono<AppEnv>();
  app.use('*', clientAddress({ trustedProxies: null }));
  app.get('*', (c) => c.text(c.get('clientIp')));
  assert.equal(await (await app.request('/x')).text(), UNKNOWN_CLIENT);
  assert.equal(parseIpList('0.0.0.0/0, ::/0').contains(UNKNOWN_CLIENT), false);
});
