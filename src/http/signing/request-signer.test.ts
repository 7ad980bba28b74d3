import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { httpbis } from 'http-message-signatures';
import { ManuelError } from '../../core/errors.js';
import { checkContentDigest, contentDigest } from './content-digest.js';
import { BASE_COMPONENTS, SIGNATURE_PARAMS, signRequest } from './request-signer.js';
import { parseServerKeys, serverKeyId } from './server-keys.js';
import { verifyRequestSignature, type VerifyPolicy } from './signature-verifier.js';

// RFC 9421 Appendix B.1.5 (shared secret) and B.2.5 (signing a request using hmac-sha256), over the
// test request of B.2: POST /foo?param=Value&Pet=dog on example.com.
const RFC_SECRET = Buffer.from('uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==', 'base64');
const RFC_URL = 'http://example.com/foo?param=Value&Pet=dog';
const RFC_HEADERS = {
  host: 'example.com',
  date: 'Tue, 20 Apr 2021 02:07:55 GMT',
  'content-type': 'application/json',
  'content-digest': 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
  'content-length': '18',
};
const RFC_INPUT = 'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"';
const RFC_SIGNATURE = 'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:';
const RFC_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@authority": example.com',
  '"content-type": application/json',
  '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
].join('\n');
const RFC_CREATED = 1618884473;

const rfcPolicy = (over: Partial<VerifyPolicy> = {}): VerifyPolicy => ({
  lookupKey: async (id) => (id === 'test-shared-secret' ? RFC_SECRET : null),
  nowSeconds: RFC_CREATED + 5,
  toleranceSeconds: 300,
  requiredParams: ['created', 'keyid'],
  requiredFields: [],
  ...over,
});

const refusal = (reason: RegExp) => (e: unknown) => e instanceof ManuelError && e.code === 'invalid_signature' && reason.test(String(e.details?.reason));

describe('RFC 9421 Appendix B.2.5 (hmac-sha256)', () => {
  it('builds the signature base of the RFC, and its HMAC is the RFC signature', () => {
    const base = httpbis.createSignatureBase({ fields: ['date', '@authority', 'content-type'] }, { method: 'POST', url: RFC_URL, headers: RFC_HEADERS });
    const text = `${httpbis.formatSignatureBase(base)}\n"@signature-params": ("date" "@authority" "content-type");created=${RFC_CREATED};keyid="test-shared-secret"`;
    assert.equal(text, RFC_BASE);
    assert.equal(`sig-b25=:${createHmac('sha256', RFC_SECRET).update(RFC_BASE).digest('base64')}:`, RFC_SIGNATURE);
  });

  it('our signer reproduces the RFC signature and Signature-Input exactly', async () => {
    const headers = await signRequest(
      { method: 'POST', url: RFC_URL, headers: RFC_HEADERS },
      { keyId: 'test-shared-secret', secret: RFC_SECRET },
      { label: 'sig-b25', created: new Date(RFC_CREATED * 1000), fields: ['date', '@authority', 'content-type'], params: ['created', 'keyid'] },
    );
    assert.equal(headers['signature-input'], RFC_INPUT);
    assert.equal(headers.signature, RFC_SIGNATURE);
  });

  it('our verifier accepts the RFC request and refuses it with one header changed', async () => {
    const signed = { ...RFC_HEADERS, 'signature-input': RFC_INPUT, signature: RFC_SIGNATURE };
    const ok = await verifyRequestSignature({ method: 'POST', url: RFC_URL, headers: signed }, rfcPolicy());
    assert.deepEqual(ok, { keyId: 'test-shared-secret', nonce: undefined, created: RFC_CREATED });
    await assert.rejects(
      verifyRequestSignature({ method: 'POST', url: RFC_URL, headers: { ...signed, 'content-type': 'text/plain' } }, rfcPolicy()),
      refusal(/does not match/),
    );
  });
});

describe("Manuel's signing profile", () => {
  const secret = 'mks_test-secret-of-a-user-key';
  const creds = { keyId: 'mk_0001', secret };
  const now = 1_800_000_000;
  const policy = (over: Partial<VerifyPolicy> = {}): VerifyPolicy => ({
    lookupKey: async (id) => (id === 'mk_0001' ? Buffer.from(secret, 'utf8') : null),
    nowSeconds: now,
    toleranceSeconds: 300,
    requiredParams: SIGNATURE_PARAMS,
    requiredFields: BASE_COMPONENTS,
    ...over,
  });
  const sign = (opts: Parameters<typeof signRequest>[2] = {}, url = 'http://localhost:3000/api/manuals?x=1', method = 'GET') =>
    signRequest({ method, url }, creds, { created: new Date(now * 1000), nonce: 'nonce-123456', ...opts });

  it('covers @method @path @query with created, nonce, keyid and alg', async () => {
    const h = await sign();
    assert.match(h['signature-input']!, /^sig1=\("@method" "@path" "@query"\);created=1800000000;nonce="nonce-123456";keyid="mk_0001";alg="hmac-sha256"$/);
    const v = await verifyRequestSignature({ method: 'GET', url: 'http://127.0.0.1:9/api/manuals?x=1', headers: h }, policy());
    assert.deepEqual(v, { keyId: 'mk_0001', nonce: 'nonce-123456', created: now });
  });

  it('refuses another path, query or method', async () => {
    const h = await sign();
    await assert.rejects(verifyRequestSignature({ method: 'GET', url: 'http://x/api/manualz?x=1', headers: h }, policy()), refusal(/does not match/));
    await assert.rejects(verifyRequestSignature({ method: 'GET', url: 'http://x/api/manuals?x=2', headers: h }, policy()), refusal(/does not match/));
    await assert.rejects(verifyRequestSignature({ method: 'DELETE', url: 'http://x/api/manuals?x=1', headers: h }, policy()), refusal(/does not match/));
  });

  it('accepts created at ±300 s and refuses ±301 s', async () => {
    for (const skew of [-300, 300]) await verifyRequestSignature({ method: 'GET', url: 'http://x/api/manuals?x=1', headers: await sign({ created: new Date((now + skew) * 1000) }) }, policy());
    for (const skew of [-301, 301]) {
      const h = await sign({ created: new Date((now + skew) * 1000) });
      await assert.rejects(verifyRequestSignature({ method: 'GET', url: 'http://x/api/manuals?x=1', headers: h }, policy()), refusal(/300 s/));
    }
  });

  it('refuses missing parameters, other algorithms, unknown keys, missing components and two signatures', async () => {
    const url = 'http://x/api/manuals?x=1';
    const noNonce = await sign({ params: ['created', 'keyid', 'alg'] });
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: noNonce }, policy()), refusal(/"nonce"/));
    const noQuery = await sign({ fields: ['@method', '@path'] });
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: noQuery }, policy()), refusal(/must cover/));
    const unknown = await signRequest({ method: 'GET', url }, { keyId: 'mk_nope', secret }, { nonce: 'nonce-123456', created: new Date(now * 1000) });
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: unknown }, policy()), refusal(/unknown keyid/));
    const otherAlg = await sign();
    otherAlg['signature-input'] = otherAlg['signature-input']!.replace('hmac-sha256', 'ed25519');
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: otherAlg }, policy()), refusal(/alg/));
    const wrongSecret = await signRequest({ method: 'GET', url }, { keyId: 'mk_0001', secret: 'guess' }, { nonce: 'nonce-123456', created: new Date(now * 1000) });
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: wrongSecret }, policy()), refusal(/does not match/));
    const a = await sign();
    const b = await sign({ label: 'sig2', nonce: 'nonce-abcdefg' });
    const two = { 'signature-input': `${a['signature-input']}, ${b['signature-input']}`, signature: `${a.signature}, ${b.signature}` };
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: two }, policy()), refusal(/exactly one/));
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: {} }, policy()), refusal(/missing signature/));
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: { signature: a.signature! } }, policy()), refusal(/both/));
    await assert.rejects(verifyRequestSignature({ method: 'GET', url, headers: { ...a, signature: 'sig1=:%%%:' } }, policy()), refusal(/malformed/));
  });

  it('signs the content digest of a body', async () => {
    const body = '{"question":"how do I reset it?"}';
    const h = await signRequest({ method: 'POST', url: 'http://x/api/query', body }, creds, { created: new Date(now * 1000) });
    assert.equal(h['content-digest'], contentDigest(body));
    assert.match(h['signature-input']!, /"content-digest"\)/);
    const v = await verifyRequestSignature({ method: 'POST', url: 'http://x/api/query', headers: h }, policy({ requiredFields: [...BASE_COMPONENTS, 'content-digest'] }));
    assert.equal(v.keyId, 'mk_0001');
  });
});

describe('Content-Digest (RFC 9530)', () => {
  it('is sha-256 over the exact bytes and is checked in constant time', () => {
    // RFC 9530 §2 example body
    assert.equal(contentDigest('{"hello": "world"}'), 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
    const body = Buffer.from('{"hello": "world"}');
    assert.equal(checkContentDigest(contentDigest(body), body), 'ok');
    assert.equal(checkContentDigest(`sha-512=:AAAA:, ${contentDigest(body)}`, body), 'ok');
    assert.equal(checkContentDigest(contentDigest(body), Buffer.from('{"hello": "World"}')), 'mismatch');
    assert.equal(checkContentDigest('sha-512=:AAAA:', body), 'no-sha-256');
    assert.equal(checkContentDigest('', body), 'no-sha-256');
  });
});

describe('server keys (HMACSigningKey)', () => {
  it('are comma-separated secrets, newest first, each with the first 16 hex digits of its SHA-256 as keyid', () => {
    const keys = parseServerKeys(' new-secret , old-secret,');
    assert.deepEqual(
      keys.map((k) => [k.keyId, k.key.toString('utf8')]),
      [
        [serverKeyId('new-secret'), 'new-secret'],
        [serverKeyId('old-secret'), 'old-secret'],
      ],
    );
    // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    assert.equal(serverKeyId('abc'), 'ba7816bf8f01cfea');
    assert.deepEqual(parseServerKeys(''), []);
  });
});
