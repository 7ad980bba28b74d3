import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageText } from '../model/types.js';
import { chunkPages, embeddingText } from './chunker.js';
import { headingOf, joinBoxLabels, sectionNumber, splitSentences } from './page-structure.js';

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

  it('reads a title that opens with a quote, and takes no box label or caption for a title', () => {
    assert.equal(headingOf('3.9.1 "Simple" configuration', true), '3.9.1 "Simple" configuration');
    assert.equal(headingOf('3.9.3 “Big Box” configuration', false), '3.9.3 “Big Box” configuration');
    for (const label of ['Note', 'Warning', 'Important', 'Tip', 'Caution']) assert.equal(headingOf(label, true), null, label);
    assert.equal(headingOf('Figure 4.4: Polar View', true), null);
    assert.equal(headingOf('Table 2 Error Codes', true), null);
    // A title that merely starts with such a word is still one.
    assert.equal(headingOf('Notes to Packagers', true), 'Notes to Packagers');
    assert.equal(headingOf('Important Safety Instructions', true), 'Important Safety Instructions');
  });

  it('numbers an appendix section from its letter, so a stale chapter heading does not cover the appendix', () => {
    assert.equal(sectionNumber('H.6.3 Various'), 'H.6.3');
    assert.equal(sectionNumber('6.1) Critical Update Note'), '6.1');
    assert.equal(sectionNumber('Chapter 4. Data Filters'), null, 'numbering "Chapter N." titles was measured and lost pages (ADR 0017, session 19)');
    assert.equal(headingOf('H.6.3 Various', false), 'H.6.3 Various');
    assert.equal(headingOf('J.3 Network UPS Tools', false), 'J.3 Network UPS Tools');
    assert.equal(headingOf('A Word of Caution', false), null, 'a letter alone is no section number');
    assert.equal(headingOf('310 Meridian Color', true), null, 'a model number in a table is no chapter');
    assert.equal(headingOf('12 Troubleshooting', false), '12 Troubleshooting');
    assert.equal(headingOf('6.1) Critical Update Note for CUPS Users', false), '6.1) Critical Update Note for CUPS Users');
    assert.equal(headingOf('1) Determine whether any printers on your system use the epson backend.', true), null);
    const pages: PageText[] = [
      { pageNumber: 1, label: null, text: '10.6.4 Config Files\n\nThe files live in /etc/nut.' },
      { pageNumber: 2, label: null, text: 'H.6.3 Various\n\nBuild options for the libraries.\n\nH.6.4 Paths\n\nWhere the build looks.' },
      { pageNumber: 3, label: null, text: '6) Release Notes\n\nThese notes apply to 5.2.\n\n6.1) Critical Update Note\n\nRead this first.' },
    ];
    const headings = chunkPages(pages, opts).map((c) => c.heading);
    assert.deepEqual(headings, ['10.6.4 Config Files', 'H.6.3 Various', 'H.6.4 Paths', '6) Release Notes', '6) Release Notes › 6.1) Critical Update Note']);
  });

  it('does not carry a box label down the section as its sub-title', () => {
    const pages: PageText[] = [
      {
        pageNumber: 1,
        label: null,
        text:
          '6.3.1 Shutdown Design\n\nWarning\n\nDo not unplug the serial cable while the UPS is on battery.\n\n' +
          'The primary waits up to HOSTSYNC seconds for the secondaries to disconnect.\n\n6.3.2 "How" you set it up\n\nCreate a user.',
      },
    ];
    const chunks = chunkPages(pages, opts);
    assert.ok(chunks.length >= 2);
    for (const c of chunks) assert.doesNotMatch(c.heading ?? '', /Warning/, c.text);
    // The label introduces its box's text instead of standing as a sentence of its own.
    assert.match(chunks[0]!.text, /^6\.3\.1 Shutdown Design\nWarning: Do not unplug the serial cable/);
    assert.deepEqual(joinBoxLabels(['Note', '', '2.1 Wiring', 'Text.']), ['Note', '2.1 Wiring', 'Text.'], 'a heading stays a heading');
    assert.deepEqual(joinBoxLabels(['Note', 'Note', 'Keep it dry.']), ['Note: Keep it dry.']);
    assert.equal(chunks.find((c) => c.text.includes('HOSTSYNC'))!.heading, '6.3.1 Shutdown Design');
    assert.equal(chunks.find((c) => c.text.includes('Create a user'))!.heading, '6.3.2 "How" you set it up');
  });

  it('splits sentences without breaking abbreviations or numbers', () => {
    assert.deepEqual(splitSentences('Set it to 1.5 V, e.g. with the knob. Then press OK! Done.'), [
      'Set it to 1.5 V, e.g. with the knob.',
      'Then press OK!',
      'Done.',
    ]);
  });
});
