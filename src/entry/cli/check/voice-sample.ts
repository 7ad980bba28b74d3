import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
// src/entry/cli/check or dist/src/entry/cli/check -> the checkout's eval/speak.sh (flite or espeak-ng, then sox to 16 kHz)
const speakScript = [resolve(here, '..', '..', '..', '..', 'eval', 'speak.sh'), resolve(here, '..', '..', '..', '..', '..', 'eval', 'speak.sh')].find(existsSync);

/** A spoken question as a WAV: eval/speak.sh when this is a checkout, else espeak-ng directly; or why not. */
export async function speak(text: string): Promise<{ ok: true; data: Buffer } | { ok: false; reason: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'manuel-check-'));
  const out = join(dir, 'question.wav');
  try {
    if (speakScript) await run('bash', [speakScript, text, out], { timeout: 30_000 });
    else await run('espeak-ng', ['-w', out, text], { timeout: 30_000 });
    return { ok: true, data: readFileSync(out) };
  } catch (e) {
    const missing = (e as { code?: string }).code === 'ENOENT';
    return { ok: false, reason: missing ? 'no speech synthesiser here (install espeak-ng or flite)' : `speech synthesis failed: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
