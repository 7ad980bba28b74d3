/**
 * node dist/bench/signature-bench.js: what a signed request costs (prints JSON, asserts nothing).
 * - in-process: sign + verify (RFC 9421 hmac-sha256 with a JSON body digest) per second;
 * - over HTTP on one connection: GET /api/manuals with a bearer token vs signed with an API key
 *   (signature check, sealed-secret lookup in SQLite, nonce store), sequential requests.
 */
import { signRequest } from '../src/http/signing/request-signer.js';
import { verifyRequestSignature } from '../src/http/signing/signature-verifier.js';
import { startTestServer } from '../test/helpers/server.js';
import { signedRequest } from '../test/helpers/signed-requests.js';

async function inProcess(n: number) {
  const secret = Buffer.from('mks_bench-secret', 'utf8');
  const body = JSON.stringify({ question: 'how do I change the print resolution?' });
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const headers = await signRequest({ method: 'POST', url: 'http://x/api/query', body }, { keyId: 'mk_1', secret });
    await verifyRequestSignature(
      { method: 'POST', url: 'http://x/api/query', headers },
      { lookupKey: async () => secret, nowSeconds: Math.floor(Date.now() / 1000), toleranceSeconds: 300, requiredParams: ['created', 'nonce', 'keyid', 'alg'], requiredFields: ['@method', '@path', '@query', 'content-digest'] },
    );
  }
  return Math.round(n / ((performance.now() - start) / 1000));
}

async function overHttp(n: number, parameters: Record<string, unknown>) {
  const t = await startTestServer({ parameters, validateResponses: false });
  try {
    const token = await t.signup();
    const key = await (await t.request('/api/keys', { token, json: { name: 'bench' } })).json();
    const creds = { keyId: key.key_id as string, secret: key.secret as string };
    const time = async (send: () => Promise<Response>) => {
      for (let i = 0; i < 50; i++) await (await send()).arrayBuffer(); // warm-up
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await send();
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`status ${res.status}`);
      }
      const s = (performance.now() - start) / 1000;
      return { req_per_s: Math.round(n / s), mean_ms: Math.round((s / n) * 1000 * 100) / 100 };
    };
    const bearer = await time(() => t.request('/api/manuals', { token }));
    const signed = await time(async () => {
      const r = await signedRequest(t.url, '/api/manuals', creds);
      return fetch(t.url + '/api/manuals', { headers: r.headers });
    });
    return { bearer, signed };
  } finally {
    await t.close();
  }
}

const n = Number(process.argv[2] ?? 1000);
const result = {
  sign_and_verify_per_s: await inProcess(n),
  http_flags_off: await overHttp(n, {}),
  http_security_on_memory_nonces: await overHttp(n, { EnableAdvancedSecurity: true, HMACSigningKey: 'bench-server-secret-0123456789abcdef' }),
  http_security_on_redis_nonces: await overHttp(n, { EnableAdvancedSecurity: true, HMACSigningKey: 'bench-server-secret-0123456789abcdef', RedisUrl: 'redis://127.0.0.1:6379' }),
};
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
