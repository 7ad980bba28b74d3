import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION } from '../../../core/migration/archive-format.js';
import { CliError } from '../cli-error.js';

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  exported_at: string;
  source: { url: string; version: string };
  counts: Record<string, number>;
  /** Relative path -> hex SHA-256 of its bytes: every file of the archive but this one. */
  files: Record<string, string>;
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
export const toJsonl = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');

/** Writes files and remembers their checksums; the manifest goes last, so a half-written archive has none. */
export class ArchiveWriter {
  readonly files: Record<string, string> = {};
  constructor(readonly dir: string) {}

  async write(rel: string, data: Buffer | string): Promise<void> {
    const path = join(this.dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
    this.files[rel] = sha256(data);
  }

  async finish(m: Omit<Manifest, 'files' | 'format' | 'version'>): Promise<Manifest> {
    const manifest: Manifest = { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, ...m, files: this.files };
    await writeFile(join(this.dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    return manifest;
  }
}

/** Reads the manifest, refuses another format or a newer major version, and checks every file's SHA-256. */
export async function openArchive(dir: string): Promise<{ manifest: Manifest; read: (rel: string) => Promise<Buffer>; jsonl: <T>(rel: string) => Promise<T[]> }> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (e) {
    throw new CliError(`${dir} is not an export archive: cannot read manifest.json (${(e as Error).message})`, 2);
  }
  if (manifest.format !== ARCHIVE_FORMAT) throw new CliError(`${dir}/manifest.json: format is ${JSON.stringify(manifest.format)}, not ${ARCHIVE_FORMAT}`, 2);
  const major = Math.trunc(Number(manifest.version));
  if (!Number.isInteger(major) || major < 1) throw new CliError(`${dir}/manifest.json: unreadable version ${JSON.stringify(manifest.version)}`, 2);
  if (major > ARCHIVE_VERSION) {
    throw new CliError(`The archive is format version ${manifest.version}, newer than this manuel reads (${ARCHIVE_VERSION}): upgrade manuel to import it. Nothing was imported.`, 2);
  }
  const cache = new Map<string, Buffer>();
  const bad: string[] = [];
  for (const [rel, expected] of Object.entries(manifest.files ?? {})) {
    if (rel.includes('..') || rel.startsWith('/')) throw new CliError(`${dir}/manifest.json names a file outside the archive: ${rel}`, 2);
    const data = await readFile(join(dir, rel)).catch(() => null);
    if (!data) bad.push(`${rel} (missing)`);
    else if (sha256(data) !== expected) bad.push(`${rel} (checksum mismatch)`);
    else cache.set(rel, data);
  }
  if (bad.length) throw new CliError(`The archive in ${dir} is damaged or was altered: ${bad.join(', ')}. Nothing was imported.`, 1);
  const read = async (rel: string) => {
    const data = cache.get(rel);
    if (!data) throw new CliError(`The archive's manifest does not list ${rel}. Nothing more was imported.`, 1);
    return data;
  };
  const jsonl = async <T>(rel: string): Promise<T[]> =>
    (await read(rel))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as T);
  return { manifest, read, jsonl };
}
