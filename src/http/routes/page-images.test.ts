import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { evalManualsDir } from '../../../test/helpers/eval-manuals.js';
import { PdfjsPageRenderer } from '../../adapters/embedded/pdfjs-page-renderer.js';
import type { Manual } from '../../core/model/types.js';
import type { BlobStore } from '../../core/ports/blob-store.js';
import type { ManualRepo } from '../../core/ports/manual-repo.js';
import type { PageRenderer } from '../../core/ports/page-renderer.js';
import type { AppEnv } from '../app-env.js';
import { errorHandler } from '../middleware/error-handler.js';
import { pageImageRoutes, removePageCache } from './page-images.js';

const dataDir = mkdtempSync(join(tmpdir(), 'manuel-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const pdf = readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf'));

const manual: Manual = {
  id: 'm1', ownerId: 'alice', name: 'OpenNI', fileName: 'openni.pdf', contentHash: 'h', blobKey: 'manuals/h.pdf', size: pdf.length,
  pages: 44, chunks: 1, embeddedChunks: 0, status: 'completed', uploadDate: '2025-01-01T00:00:00Z', error: null, source: 'upload',
  quarantineReason: null, quarantineReleasedAt: null,
};
const manuals = {
  get: async (id: string, owners: readonly string[]) => (id === manual.id && owners.includes(manual.ownerId) ? manual : null),
} as unknown as ManualRepo;
const blobs = { get: async (key: string) => (key === manual.blobKey ? pdf : null) } as unknown as BlobStore;
const real = new PdfjsPageRenderer();
let renders = 0;
const pageRenderer: PageRenderer = { render: (...a) => (renders++, real.render(...a)) };
const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent };

function appFor(userId: string) {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('requestId', 'r1');
    c.set('user', { id: userId, email: `${userId}@x`, isAdmin: false });
    await next();
  });
  app.onError(errorHandler(silent));
  app.route('/api', pageImageRoutes({ manuals, blobs, dataDir, pageRenderer }));
  return app;
}

test('renders the page as PNG, then serves it from the disk cache', async () => {
  const app = appFor('alice');
  const url = '/api/manuals/m1/pages/10.png?scale=1&highlight=' + encodeURIComponent('a user generator type of production node');
  const res = await app.request(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const first = Buffer.from(await res.arrayBuffer());
  assert.equal(first.subarray(1, 4).toString(), 'PNG');
  assert.equal(renders, 1);
  assert.deepEqual(readdirSync(join(dataDir, 'page-cache', 'm1')).length, 1);
  const again = Buffer.from(await (await app.request(url)).arrayBuffer());
  assert.equal(renders, 1, 'second request must not render again');
  assert.ok(again.equals(first));
  await app.request('/api/manuals/m1/pages/10.png?scale=1&highlight=other');
  assert.equal(renders, 2, 'another highlight is another cache entry');
  await removePageCache(dataDir, 'm1');
  assert.ok(!existsSync(join(dataDir, 'page-cache', 'm1')));
});

test("another user's manual is a 404 with the API error body", async () => {
  const res = await appFor('bob').request('/api/manuals/m1/pages/1.png');
  assert.equal(res.status, 404);
  const body = (await res.json()) as { error_type: string };
  assert.equal(body.error_type, 'not_found');
});

test('a bad page number is a 400', async () => {
  for (const page of ['0.png', 'abc.png', '45.png', '3']) {
    const res = await appFor('alice').request(`/api/manuals/m1/pages/${page}`);
    assert.equal(res.status, 400, page);
    assert.equal(((await res.json()) as { error_type: string }).error_type, 'validation_error');
  }
  assert.equal((await appFor('alice').request('/api/manuals/m1/pages/2.png?scale=99')).status, 400);
});

test('a strong ETag per page and highlight; If-None-Match gets 304 without rendering or reading the page', async () => {
  const app = appFor('alice');
  const url = '/api/manuals/m1/pages/3.png?scale=0.5';
  const first = await app.request(url);
  const etag = first.headers.get('etag')!;
  assert.match(etag, /^"[\w-]+"$/);
  await first.arrayBuffer();
  const before = renders;
  await removePageCache(dataDir, 'm1'); // a 304 must not need the rendered file
  const again = await app.request(url, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), etag);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  assert.equal(renders, before);
  const other = await app.request('/api/manuals/m1/pages/3.png?scale=0.5&highlight=openni', { headers: { 'if-none-match': etag } });
  assert.equal(other.status, 200, 'another highlight is another image');
  assert.notEqual(other.headers.get('etag'), etag);
});

test("If-None-Match with the right ETag does not get past authorisation: another user still gets 404", async () => {
  const etag = (await appFor('alice').request('/api/manuals/m1/pages/4.png?scale=0.5')).headers.get('etag')!;
  const res = await appFor('bob').request('/api/manuals/m1/pages/4.png?scale=0.5', { headers: { 'if-none-match': etag } });
  assert.equal(res.status, 404);
});
