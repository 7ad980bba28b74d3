import type { Chunk, PageText } from '../model/types.js';
import { headingOf, isCodeLine, isListLine, joinBoxLabels, runningLines, sectionNumber, splitSentences, stripRunningLines } from './page-structure.js';

export interface ChunkOptions {
  manualId: string;
  ownerId: string;
  /** The embedding model truncates near 128 tokens, so ~80 words keeps a whole chunk visible to it. */
  maxWords?: number;
}

/** A sentence, list item or heading: the smallest piece a chunk is built from. */
interface Unit {
  text: string;
  words: number;
  heading: boolean;
  /** Starts a paragraph or list item: joined with a newline rather than a space. */
  block: boolean;
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Page text -> units, tracking headings. */
function pageUnits(text: string, maxWords: number): Unit[] {
  const units: Unit[] = [];
  const blocks: { text: string; heading: boolean }[] = [];
  const lines = joinBoxLabels(text.split('\n').map((l) => l.trim()));
  const wide = percentile(lines.filter(Boolean).map((l) => l.length), 0.9);
  let prevBlank = true;
  let prevLine = '';
  for (const line of lines) {
    if (!line) {
      prevBlank = true;
      continue;
    }
    const heading = headingOf(line, prevBlank);
    const last = blocks[blocks.length - 1];
    // A line continues the previous one when that one was wrapped at the margin (nearly full width)
    // or broke mid-sentence; short rows of tables and code stay separate.
    const code = isCodeLine(line) || isCodeLine(prevLine);
    const continues = !prevBlank && !!last && !last.heading && !isListLine(line) && !code && (prevLine.length >= wide * 0.6 || (!/[.:;!?]$/.test(prevLine) && /^[\p{Ll}]/u.test(line)));
    if (heading) blocks.push({ text: heading, heading: true });
    else if (!continues || !last) blocks.push({ text: line, heading: false });
    else last.text += ` ${line}`;
    prevBlank = false;
    prevLine = line;
  }
  for (const b of blocks) {
    if (b.heading) {
      units.push({ text: b.text, words: wordCount(b.text), heading: true, block: true });
      continue;
    }
    splitSentences(b.text).forEach((s, i) => {
      for (const piece of splitLong(s, maxWords)) units.push({ text: piece, words: wordCount(piece), heading: false, block: i === 0 });
    });
  }
  return units;
}

/** A sentence longer than a chunk (tables, code) is cut at word boundaries, preferring line breaks. */
function splitLong(sentence: string, maxWords: number): string[] {
  if (wordCount(sentence) <= maxWords) return [sentence];
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of sentence.split('\n')) {
    for (const w of line.split(/\s+/).filter(Boolean)) {
      if (cur.length >= maxWords) {
        out.push(cur.join(' '));
        cur = [];
      }
      cur.push(w);
    }
  }
  if (cur.length) out.push(cur.join(' '));
  return out;
}

/**
 * Pages -> passages of at most `maxWords` words that never cross a page, break at headings, keep
 * sentences and list items whole, and carry the nearest heading. The last short sentence of a chunk
 * is repeated at the start of the next one so a fact split across the boundary is still found whole.
 */
export function chunkPages(pages: PageText[], opts: ChunkOptions): Chunk[] {
  const maxWords = opts.maxWords ?? 80;
  const running = runningLines(pages);
  const chunks: Chunk[] = [];
  // Numbered headings form the outline: a chunk under "6.5.3 Discussion" also carries its parent
  // "6.5 Gravity by Time of Flight", which names the topic. An unnumbered title refines the path.
  const outline: string[] = [];
  let sub: string | null = null;
  let heading: string | null = null;
  for (const page of pages) {
    const units = pageUnits(stripRunningLines(page, running), maxWords);
    let cur: Unit[] = [];
    let curHeading = heading;
    let index = 0;
    const flush = () => {
      if (cur.length === 0) return;
      const text = cur.map((u, i) => (i > 0 ? (u.block || u.heading ? '\n' : ' ') : '') + u.text).join('');
      chunks.push({
        id: `${opts.manualId}:${page.pageNumber}:${index++}`,
        manualId: opts.manualId,
        ownerId: opts.ownerId,
        pageNumber: page.pageNumber,
        pageLabel: page.label,
        heading: curHeading,
        text,
        ordinal: chunks.length,
      });
    };
    for (const u of units) {
      const words = cur.reduce((n, x) => n + x.words, 0);
      const onlyHeadings = cur.every((x) => x.heading);
      if (u.heading) {
        if (!onlyHeadings || words + u.words > maxWords) {
          flush();
          cur = [];
        }
        const number = sectionNumber(u.text);
        if (number) {
          const level = number.split('.').length;
          outline.length = Math.min(outline.length, level);
          outline[level - 1] = u.text;
          // Keep only real ancestors: "7.1.3" is not under a stale "6.5" left by a skipped chapter page.
          for (let l = 0; l < level - 1; l++) {
            const parent = outline[l] && sectionNumber(outline[l]!);
            if (parent && !number.startsWith(`${parent}.`)) delete outline[l];
          }
          sub = null;
        } else sub = u.text;
        heading = headingPath(outline, sub);
        curHeading = heading;
        cur.push(u);
        continue;
      }
      if (words + u.words > maxWords && !onlyHeadings) {
        flush();
        const tail = cur[cur.length - 1]!;
        cur = !tail.heading && tail.words <= maxWords / 4 && tail.words + u.words <= maxWords ? [tail] : [];
        curHeading = heading;
      } else if (words + u.words > maxWords) {
        // A long sentence right under a heading: the heading stays in `heading`, not in the text.
        cur = [];
      }
      cur.push(u);
    }
    flush();
  }
  return chunks;
}

/** The numbered heading, its nearest numbered parent, and an unnumbered sub-title if any. */
function headingPath(outline: string[], sub: string | null): string | null {
  const numbered = outline.filter(Boolean).slice(-2);
  const path = sub ? [...numbered, sub] : numbered;
  return path.length ? path.join(' › ') : null;
}

/** The text given to the embedding model: the heading gives a short passage its topic. */
export function embeddingText(chunk: Pick<Chunk, 'heading' | 'text'>): string {
  if (!chunk.heading || chunk.text.startsWith(chunk.heading)) return chunk.text;
  return `${chunk.heading}\n${chunk.text}`;
}
