/**
 * Finds where a cited passage lies among the text items of a PDF page, so the renderer (server PNG)
 * and the browser viewer can draw boxes over it. Pure and dependency-free: the web app imports this
 * same file, so both highlight the same characters.
 *
 * Text items split words arbitrarily and the indexed passage joined lines with different spacing,
 * so both sides are compared as "compact" text (letters and digits only, lowercased, NFKC). The
 * passage is matched whole when it occurs as is, else by overlapping runs of words (shingles), which
 * survives a heading prefix, reordered columns or a hyphenation the extractor resolved differently.
 */

export interface HighlightSpan {
  /** Index of the text item. */
  item: number;
  /** Character offsets in that item's original string, end exclusive. */
  start: number;
  end: number;
}

const SHINGLE_WORDS = 5;
const MIN_SHINGLE_CHARS = 8;
const MAX_PASSAGE_CHARS = 4000;
const isWordChar = (ch: string) => /[\p{L}\p{N}]/u.test(ch);

interface Compact {
  text: string;
  /** For each compact char: item index and char offset in the item's string. */
  item: number[];
  offset: number[];
}

function compactItems(items: readonly string[]): Compact {
  let text = '';
  const item: number[] = [];
  const offset: number[] = [];
  items.forEach((str, i) => {
    let pos = 0;
    for (const cp of str) {
      for (const ch of cp.normalize('NFKC').toLowerCase()) {
        if (!isWordChar(ch)) continue;
        text += ch;
        item.push(i);
        offset.push(pos);
      }
      pos += cp.length;
    }
  });
  return { text, item, offset };
}

const compactWord = (w: string) => [...w.normalize('NFKC').toLowerCase()].filter(isWordChar).join('');

function markAll(haystack: string, needle: string, marked: Uint8Array): boolean {
  let found = false;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    marked.fill(1, at, at + needle.length);
    found = true;
  }
  return found;
}

/** Item spans covering the passage, in page order. Empty when nothing matches. */
export function findPassageSpans(items: readonly string[], passage: string): HighlightSpan[] {
  const words = passage.slice(0, MAX_PASSAGE_CHARS).split(/\s+/).map(compactWord).filter(Boolean);
  if (words.length === 0) return [];
  const page = compactItems(items);
  const marked = new Uint8Array(page.text.length);
  const whole = words.join('');
  if (!markAll(page.text, whole, marked)) {
    const n = Math.min(SHINGLE_WORDS, words.length);
    for (let i = 0; i + n <= words.length; i++) {
      const shingle = words.slice(i, i + n).join('');
      if (shingle.length >= MIN_SHINGLE_CHARS || n === words.length) markAll(page.text, shingle, marked);
    }
  }
  const spans: HighlightSpan[] = [];
  for (let k = 0; k < marked.length; k++) {
    if (!marked[k]) continue;
    const item = page.item[k]!;
    const start = page.offset[k]!;
    const last = spans[spans.length - 1];
    const end = start + 1 + (items[item]!.codePointAt(start)! > 0xffff ? 1 : 0);
    if (last && last.item === item) last.end = Math.max(last.end, end);
    else spans.push({ item, start, end });
  }
  return spans;
}

/** pdf.js text item, the fields read here (pdf.js types it as a union with marked-content items). */
export interface TextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  fontName?: string;
}

/** Width of `text` set in the item's font, in any unit (only ratios are used). */
export type MeasureText = (text: string, item: TextItem) => number;

/** Without a measurer, characters are taken as evenly wide. */
const evenWidth: MeasureText = (text) => text.length;

/** Rectangles in PDF user space ([x1, y1, x2, y2]) over the matched characters of each item. */
export function highlightRects(items: readonly TextItem[], passage: string, measure: MeasureText = evenWidth): number[][] {
  const spans = findPassageSpans(
    items.map((i) => i.str),
    passage,
  );
  return spans.map(({ item, start, end }) => {
    const it = items[item]!;
    const [, , c, d, e, f] = it.transform as [number, number, number, number, number, number];
    const fontHeight = Math.hypot(c, d) || it.height || 10;
    // Where the span starts and ends within the item, as a share of the item's width.
    const whole = measure(it.str, it) || it.str.length || 1;
    const x1 = e + (it.width * measure(it.str.slice(0, start), it)) / whole;
    const x2 = e + (it.width * measure(it.str.slice(0, end), it)) / whole;
    return [x1, f - fontHeight * 0.25, x2, f + fontHeight * 0.9];
  });
}
