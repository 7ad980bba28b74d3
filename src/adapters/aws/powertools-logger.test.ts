import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PowertoolsLogger } from './powertools-logger.js';

/** Runs fn with stdout and stderr captured (Powertools prints warnings and errors on stderr); returns the JSON lines printed. */
function captureJson(fn: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((s) => s.write.bind(s));
  for (const s of streams) {
    s.write = ((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }) as typeof s.write;
  }
  try {
    fn();
  } finally {
    streams.forEach((s, i) => (s.write = writes[i]!));
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('PowertoolsLogger', () => {
  it('prints one JSON object per call with level, message, service and the fields; errors keep name, message and stack', () => {
    delete process.env.POWERTOOLS_DEV;
    const log = new PowertoolsLogger({ serviceName: 'manuel-test', logLevel: 'INFO' });
    const lines = captureJson(() => {
      log.info({ job_id: 'j1', pages: 12 }, 'ingest job completed');
      log.warn('plain message');
      log.error({ err: new TypeError('bad input'), job_id: 'j2' }, 'ingest job failed');
      log.debug({ noisy: true }, 'not at INFO');
    });
    assert.equal(lines.length, 3);
    const [info, warn, error] = lines as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    assert.equal(info.level, 'INFO');
    assert.equal(info.message, 'ingest job completed');
    assert.equal(info.service, 'manuel-test');
    assert.equal(info.job_id, 'j1');
    assert.equal(info.pages, 12);
    assert.ok(typeof info.timestamp === 'string');
    assert.equal(warn.level, 'WARN');
    assert.equal(warn.message, 'plain message');
    assert.equal(error.level, 'ERROR');
    const err = error.err as { name: string; message: string; stack: string };
    assert.equal(err.name, 'TypeError');
    assert.equal(err.message, 'bad input');
    assert.match(err.stack, /TypeError: bad input/);
  });

  it('a child carries its bindings on every line, and the parent does not', () => {
    const log = new PowertoolsLogger({ logLevel: 'DEBUG' });
    const child = log.child({ request_id: 'req-1' }).child({ job_id: 'j9' });
    const lines = captureJson(() => {
      child.debug({ step: 'extract' }, 'step');
      log.info('parent line');
    });
    assert.equal(lines[0]!.request_id, 'req-1');
    assert.equal(lines[0]!.job_id, 'j9');
    assert.equal(lines[0]!.step, 'extract');
    assert.equal(lines[0]!.level, 'DEBUG');
    assert.equal(lines[1]!.request_id, undefined);
    assert.equal(lines[1]!.message, 'parent line');
  });
});
