import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioArchive } from '../../core/ports/audio-archive.js';

/**
 * Spoken questions kept under `<dataDir>/audio/<yyyy-mm-dd>/` (audio + a JSON sidecar with the
 * transcript), one folder per day so a purge removes whole folders by name.
 */
export class FsAudioArchive implements AudioArchive {
  constructor(private readonly rootDir: string) {}

  async keep(item: { audio: Buffer; format: string; ownerId: string; transcript: string; at: Date }): Promise<void> {
    const day = join(this.rootDir, item.at.toISOString().slice(0, 10));
    await mkdir(day, { recursive: true });
    const id = randomUUID();
    await writeFile(join(day, `${id}.${item.format}`), item.audio);
    await writeFile(join(day, `${id}.json`), JSON.stringify({ owner_id: item.ownerId, transcript: item.transcript, at: item.at.toISOString() }));
  }

  async purge(olderThan: Date): Promise<number> {
    const cutoff = olderThan.toISOString().slice(0, 10);
    let removed = 0;
    const days = await readdir(this.rootDir).catch(() => [] as string[]);
    for (const day of days) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || day >= cutoff) continue;
      const dir = join(this.rootDir, day);
      if (!(await stat(dir)).isDirectory()) continue;
      removed += (await readdir(dir)).filter((f) => !f.endsWith('.json')).length;
      await rm(dir, { recursive: true, force: true });
    }
    return removed;
  }
}
