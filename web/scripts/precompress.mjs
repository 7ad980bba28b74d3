// Writes `.br` (max quality) and `.gz` (level 9) beside every compressible file of the built app,
// so the server sends them as they are instead of compressing on every request. A variant that
// would not be smaller is not written (the server then sends the file itself).
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|wasm|xml|ico|webmanifest)$/;

export function precompress(dir) {
  let files = 0;
  let saved = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      const sub = precompress(path);
      files += sub.files;
      saved += sub.saved;
      continue;
    }
    if (!COMPRESSIBLE.test(name)) continue;
    const raw = readFileSync(path);
    const variants = {
      br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
      gz: gzipSync(raw, { level: 9 }),
    };
    for (const [ext, bytes] of Object.entries(variants)) {
      if (bytes.length < raw.length) {
        writeFileSync(`${path}.${ext}`, bytes);
        if (ext === 'br') saved += raw.length - bytes.length;
      } else rmSync(`${path}.${ext}`, { force: true });
    }
    files++;
  }
  return { files, saved };
}
