import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageText } from '../model/types.js';
import { chunkPages, embeddingText } from './chunker.js';
import { headingOf, splitSentences } from './page-structure.js';

const opts = { manualId: 'm1', ownerId: 'u1' };
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const sentence = (i: number) => `Sentence number ${i} explains one more detail about the device settings.`;

describe('chunkPages', () => {
  it('never crosses a page, respects maxWords and gives stable ids', () => {
    const pages: PageText[] = [
      { pageNumber: 1, label: 'i', text: Array.from({ length: 30 }, (_, i) => sentence(i)).join(' ') },
      { pageNumber: 2, label: '1', text: 'Short page about the reset button.' },
    ];
    const chunks = chunkPages(pages, { ...opts, maxWords: 40 });
    assert.ok(chunks.length > 5);
    for (const c of chunks) assert.ok(words(c.text) <= 40, c.text);
    assert.deepEqual(
      chunks.filter((c) => c.pageNumber === 2).map((c) => [c.id, c.text, c.pageLabel]),
      [['m1:2:0', 'Short page about the reset button.', '1']],
    );
    assert.deepEqual(
      chunks.map((c) => c.ordinal),
      chunks.map((_, i) => i),
    );
    // Sentences are kept whole: every chunk ends at a sentence end.
    for (const c of chunks.filter((c) => c.pageNumber === 1)) assert.match(c.text, /settings\.$/);
    assert.deepEqual(chunkPages(pages, { ...opts, maxWords: 40 }), chunks);
  });

  it('carries the nearest numbered heading across pages and keeps list items on their own lines', () => {
    const pages: PageText[] = [
      { pageNumber: 1, label: null, text: '5.3.3 Port Forwarding\n\nYou should forward the following ports for the server:\n• UDP 3478\n• TCP 49152-50175' },
      { pageNumber: 2, label: null, text: 'More about ports continues here on the next page.\n\n5.4 Deluge\n\nDeluge is a BitTorrent node.' },
    ];
    const chunks = chunkPages(pages, opts);
    assert.equal(chunks[0]!.heading, '5.3.3 Port Forwarding');
    assert.match(chunks[0]!.text, /\n• UDP 3478\n• TCP 49152-50175$/);
    assert.equal(chunks[1]!.heading, '5.3.3 Port Forwarding');
    assert.equal(chunks[1]!.pageNumber, 2);
    assert.equal(chunks[2]!.heading, '5.4 Deluge');
    assert.equal(embeddingText(chunks[1]!), '5.3.3 Port Forwarding\nMore about ports continues here on the next page.');
  });

  it('drops running headers and footers that repeat on most pages', () => {
    const pages: PageText[] = Array.from({ length: 6 }, (_, i) => ({
      pageNumber: i + 1,
      label: String(i + 1),
      text: `Product Manual ${i + 1} / 6\n${['Install', 'Connect', 'Configure', 'Calibrate', 'Clean', 'Store'][i]} the unit as shown.`,
    }));
    const chunks = chunkPages(pages, opts);
    assert.equal(chunks.length, 6);
    for (const c of chunks) assert.doesNotMatch(c.text, /Product Manual/);
  });

  it('re-flows lines wrapped at the margin but keeps short table rows apart', () => {
    const long = 'This line of prose is long enough to have been wrapped at the right margin of the';
    const text = `${long}\npage, and it continues here.\nSSH 22/tcp\nDNS 53/udp`;
    const [chunk] = chunkPages([{ pageNumber: 1, label: null, text }], opts);
    assert.equal(chunk!.text, `${long} page, and it continues here.\nSSH 22/tcp\nDNS 53/udp`);
  });
});

describe('code in manuals', () => {
  it('keeps source lines apart instead of re-flowing them into prose', () => {
    const long = 'The following code opens up a recording file, and takes the depth generator that was created for this:';
    const text = `${long}\nContext context;\nnRetVal = context.OpenFileRecording("rec.oni");\n// TODO: check error code`;
    const [chunk] = chunkPages([{ pageNumber: 1, label: null, text }], opts);
    assert.equal(chunk!.text, text);
  });
});

describe('page structure', () => {
  it('recognises headings but not sentences, steps or table rows', () => {
    assert.equal(headingOf('6.8.3 FreedomBox Ports/Services', false), '6.8.3 FreedomBox Ports/Services');
    assert.equal(headingOf('5.4.1 What is Deluge?', false), '5.4.1 What is Deluge?');
    assert.equal(headingOf('Controlling Radios and Rotators', true), 'Controlling Radios and Rotators');
    assert.equal(headingOf('Controlling Radios and Rotators', false), null);
    assert.equal(headingOf('1. Connect the cable to the port.', true), null);
    assert.equal(headingOf('The device is ready to use now', true), null);
    assert.equal(headingOf('UDP 49152-50175', true), null);
  });

  it('splits sentences without breaking abbreviations or numbers', () => {
    assert.deepEqual(splitSentences('Set it to 1.5 V, e.g. with the knob. Then press OK! Done.'), [
      'Set it to 1.5 V, e.g. with the knob.',
      'Then press OK!',
      'Done.',
    ]);
  });
});
