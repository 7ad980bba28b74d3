import assert from 'node:assert/strict';
import { it } from 'node:test';
import { errorFingerprint, normaliseMessage, severityOf } from './error-fingerprint.js';

it('normalises what varies between occurrences of one fault', () => {
  const cases: [string, string][] = [
    ['manual 1b4e28ba-2fa1-11d2-883f-0016d3cca427 not found', 'manual <uuid> not found'],
    ['timeout after 3000 ms (attempt 2 of 3)', 'timeout after <n> ms (attempt <n> of <n>)'],
    ['connect ECONNREFUSED 127.0.0.1:11434', 'connect ECONNREFUSED <n>'],
    ["ENOENT: no such file or directory, open '/srv/data/blobs/manuals/ab.pdf'", 'ENOENT: no such file or directory, open <str>'],
    ['EIO: i/o error, write /srv/data/blobs/manuals/ab.pdf.9f8e.tmp', 'EIO: i/o error, write <path>'],
    ['bad key C:\\data\\blobs\\x.pdf', 'bad key <path>'],
    ['hash e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 differs', 'hash <hex> differs'],
    ['pointer 0x7ffd5e8a is bad', 'pointer <hex> is bad'],
    ['job job_V1StGXR8Z5jdHi6BmyT failed', 'job <id> failed'],
    ['fetch https://models.example/v1/chat?x=1 failed for bob@example.com', 'fetch <url> failed for <email>'],
    ['Cannot read properties of undefined (reading "pages")', 'Cannot read properties of undefined (reading <str>)'],
    ['  many\n\tspaces  ', 'many spaces'],
  ];
  for (const [raw, want] of cases) assert.equal(normaliseMessage(raw), want, raw);
  assert.equal(normaliseMessage('x'.repeat(2000)).length, 500);
});

it('fingerprints by error type, normalised message and place', () => {
  const a = errorFingerprint('internal_error', normaliseMessage('boom at row 12'), 'GET /api/manuals');
  assert.equal(a, errorFingerprint('internal_error', normaliseMessage('boom at row 9000'), 'GET /api/manuals'));
  assert.notEqual(a, errorFingerprint('upstream_error', normaliseMessage('boom at row 12'), 'GET /api/manuals'));
  assert.notEqual(a, errorFingerprint('internal_error', normaliseMessage('boom at row 12'), 'job:ingest'));
});

it('grades severity as the issue says', () => {
  assert.equal(severityOf('internal_error', 500), 'critical');
  assert.equal(severityOf('unavailable', 503), 'critical');
  assert.equal(severityOf('storage_error', 500), 'critical');
  assert.equal(severityOf('upstream_error', 502), 'high');
  assert.equal(severityOf('whatever', 504), 'high');
  assert.equal(severityOf('quota_exceeded', 429), 'high');
  assert.equal(severityOf('invalid_pdf'), 'medium');
  assert.equal(severityOf('not_found', 404), 'medium');
});
