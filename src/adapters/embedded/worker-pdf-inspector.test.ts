import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evalManualsDir } from '../../../test/helpers/eval-manuals.js';
import { decompressionBombPdf, javascriptPdf } from '../../../test/helpers/threat-pdfs.js';
import { ManuelError } from '../../core/errors.js';
import { WorkerPdfInspector } from './worker-pdf-inspector.js';

const rejectedAs = (reason: string) => (e: unknown) => e instanceof ManuelError && e.code === 'pdf_bomb' && e.details?.reason === reason;

describe('WorkerPdfInspector', () => {
  const inspector = new WorkerPdfInspector();

  it('inspects a real manual in a worker and finds nothing active', async () => {
    const pdf = readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf'));
    const r = await inspector.inspect(new Uint8Array(pdf));
    assert.equal(r.pages, 44);
    assert.equal(r.keywords.JavaScript, undefined);
    assert.ok(r.objects > 1000 && r.ms >= 0);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'the caller keeps its bytes');
  });

  it('reports JavaScript found by the worker', async () => {
    assert.equal((await inspector.inspect(new Uint8Array(javascriptPdf()))).keywords.JavaScript, 1);
  });

  it('rejects a decompression bomb with a coded reason', async () => {
    const small = new WorkerPdfInspector({ limits: { maxStreamInflatedBytes: 1024 * 1024 } });
    await assert.rejects(small.inspect(new Uint8Array(await decompressionBombPdf(4 * 1024 * 1024))), rejectedAs('decompression'));
  });

  it('terminates an inspection over its time budget, and the next one runs normally', async () => {
    await assert.rejects(new WorkerPdfInspector({ timeoutMs: 1 }).inspect(new Uint8Array(javascriptPdf())), rejectedAs('inspection_timeout'));
    assert.equal((await inspector.inspect(new Uint8Array(javascriptPdf()))).keywords.JS, 1);
  });

  it('rejects a PDF when the worker runs out of its heap budget, and the process lives on', async () => {
    // 1 MB of heap cannot even hold the scanner: the worker dies of OOM, only the worker.
    await assert.rejects(new WorkerPdfInspector({ memoryMb: 1 }).inspect(new Uint8Array(javascriptPdf())), rejectedAs('inspection_memory'));
    assert.equal((await inspector.inspect(new Uint8Array(javascriptPdf()))).keywords.OpenAction, 1);
  });
});
