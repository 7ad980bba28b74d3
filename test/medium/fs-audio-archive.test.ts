import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FsAudioArchive } from '../../src/adapters/embedded/fs-audio-archive.js';

const root = join(mkdtempSync(join(tmpdir(), 'manuel-archive-')), 'audio');
after(() => rmSync(join(root, '..'), { recursive: true, force: true }));

test('keeps recordings per day with their transcript, and purges whole days older than the cut-off', async () => {
  const archive = new FsAudioArchive(root);
  const at = (d: string) => new Date(`${d}T10:00:00Z`);
  await archive.keep({ audio: Buffer.from('old'), format: 'webm', ownerId: 'u1', transcript: 'old question', at: at('2024-05-01') });
  await archive.keep({ audio: Buffer.from('new'), format: 'mp3', ownerId: 'u1', transcript: 'new question', at: at('2024-05-09') });
  assert.deepEqual(readdirSync(root).sort(), ['2024-05-01', '2024-05-09']);
  const files = readdirSync(join(root, '2024-05-09'));
  const audio = files.find((f) => f.endsWith('.mp3'))!;
  assert.equal(readFileSync(join(root, '2024-05-09', audio), 'utf8'), 'new');
  const meta = JSON.parse(readFileSync(join(root, '2024-05-09', audio.replace('.mp3', '.json')), 'utf8'));
  assert.deepEqual(meta, { owner_id: 'u1', transcript: 'new question', at: '2024-05-09T10:00:00.000Z' });

  assert.equal(await archive.purge(at('2024-05-07')), 1);
  assert.ok(!existsSync(join(root, '2024-05-01')));
  assert.ok(existsSync(join(root, '2024-05-09')));
  assert.equal(await new FsAudioArchive(join(root, 'missing')).purge(new Date()), 0);
});
