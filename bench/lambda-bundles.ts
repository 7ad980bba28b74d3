/**
 * Lambda bundles: size of each function's bundle (and of what ships beside it) and its cold import time,
 * the median over N fresh `node` processes importing `dist-lambda/<name>/index.mjs` (what a cold start
 * pays before the handler first runs; the services are built at the first invocation, not at import).
 * Builds them first (scripts/build-lambda.mjs). Run alone: `node dist/bench/lambda-bundles.js [N]`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../test/helpers/eval-manuals.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.floor(s.length / 2)]! * 10) / 10 : null;
};

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? dirBytes(p) : st.size;
  }
  return total;
}

const IMPORT_ONCE = `const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));`;

export async function measureLambdaBundles(n = 5): Promise<Record<string, unknown>> {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build-lambda.mjs')], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const out: Record<string, unknown> = {};
  const dist = join(repoRoot, 'dist-lambda');
  for (const name of readdirSync(dist).sort()) {
    const bundle = join(dist, name, 'index.mjs');
    if (!existsSync(bundle)) continue;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const ms = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_ONCE, pathToFileURL(bundle).href], {
        cwd: join(dist, name),
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        encoding: 'utf8',
      });
      times.push(Number(ms));
    }
    out[name] = {
      bundle_kib: Math.round(statSync(bundle).size / 1024),
      package_mib: Math.round((dirBytes(join(dist, name)) / 1024 / 1024) * 10) / 10,
      cold_import_ms_median: median(times),
      runs: n,
    };
  }
  return out;
}

if (process.argv[1]?.endsWith('lambda-bundles.js')) {
  measureLambdaBundles(Number(process.argv[2]) || 5).then(
    (r) => console.log(JSON.stringify({ lambda_bundles: r }, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
