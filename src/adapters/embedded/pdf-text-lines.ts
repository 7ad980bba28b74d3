/**
 * Rebuilds readable lines from pdf.js text items. pdf.js hands out glyph runs with positions; words
 * can arrive split across items (or glued, when the PDF omits space glyphs), so spacing is decided
 * from the geometry rather than trusted from the strings.
 */

export interface PositionedItem {
  str: string;
  /** pdf.js transform [a, b, c, d, x, y]. */
  transform: number[];
  width: number;
  height?: number;
  hasEOL?: boolean;
}

interface Line {
  text: string;
  y: number;
  fontSize: number;
  xEnd: number;
  /** The line ended in a wrap marker (`←-`): the next line continues it, with this separator. */
  joinNext: string | null;
}

const WRAP_ARROW = /^\s*←\s*-?\s*$/;

function fontSizeOf(item: PositionedItem): number {
  const t = item.transform;
  const size = Math.hypot(t[2] ?? 0, t[3] ?? 0);
  return size > 0 ? size : item.height && item.height > 0 ? item.height : 10;
}

/** Groups items into lines in content-stream order (which keeps columns apart better than sorting by y). */
export function itemsToLines(items: PositionedItem[]): Line[] {
  const lines: Line[] = [];
  let cur: Line | null = null;
  let pendingSpace = 0; // width of whitespace items seen since the last glyph run
  let skipDash = false;
  const close = () => {
    if (cur && (cur.text.trim() !== '' || cur.joinNext !== null)) lines.push(cur);
    cur = null;
    pendingSpace = 0;
    skipDash = false;
  };
  for (const item of items) {
    const s = item.str;
    const fs = fontSizeOf(item);
    const x = item.transform[4] ?? 0;
    const y = item.transform[5] ?? 0;
    if (cur) {
      const c: Line = cur;
      const sameLine = Math.abs(y - c.y) <= Math.max(c.fontSize, fs) * 0.45 && x >= c.xEnd - fs * 1.5;
      if (!sameLine) close();
    }
    if (s.length > 0) {
      if (!cur) cur = { text: '', y, fontSize: fs, xEnd: x, joinNext: null };
      const line: Line = cur;
      if (s.trim() === '') {
        pendingSpace += item.width > 0 ? item.width : fs * 0.3;
      } else if (WRAP_ARROW.test(s)) {
        // The typesetter adds one space before the marker; a wider gap means a real space was there.
        line.joinNext = pendingSpace > fs * 0.9 ? ' ' : '';
        pendingSpace = 0;
        skipDash = !s.includes('-');
      } else if (skipDash && s.trim() === '-') {
        skipDash = false;
      } else {
        const gap = x - line.xEnd;
        const needsSpace = line.text !== '' && !/\s$/.test(line.text) && !/^\s/.test(s) && (pendingSpace > 0 || gap > fs * 0.12);
        line.text += (needsSpace ? ' ' : '') + s;
        pendingSpace = 0;
        skipDash = false;
      }
      line.xEnd = Math.max(line.xEnd, x + Math.max(item.width, 0));
      if (line.y !== y && s.trim() !== '') line.y = y;
    }
    if (item.hasEOL && cur && (cur as Line).text.trim() !== '') close();
  }
  close();
  return lines;
}

/** Lines -> page text: wrap markers and hyphenated words are joined, paragraph gaps become blank lines. */
export function linesToText(lines: Line[]): string {
  const out: string[] = [];
  let prev: Line | null = null;
  let carry: string | null = null; // separator when the previous line asked to be continued
  for (const line of lines) {
    const text = line.text.replace(/\s+/g, ' ').trim();
    if (carry !== null && out.length > 0) {
      out[out.length - 1] = out[out.length - 1]!.replace(/\s+$/, '') + carry + text;
    } else if (out.length > 0 && /[a-z]{2}-$/.test(out[out.length - 1]!) && /^[a-z]{2}/.test(text)) {
      // Soft hyphenation at the margin ("mag-" / "nets"): rejoin the word.
      out[out.length - 1] = out[out.length - 1]!.slice(0, -1) + text;
    } else if (out.length > 0 && /\b\p{L}+-$/u.test(out[out.length - 1]!) && /^\p{Lu}/u.test(text)) {
      // A compound broken at its hyphen ("Wi-" / "Fi"): keep the hyphen, drop the break.
      out[out.length - 1] += text;
    } else {
      if (prev && prev.y - line.y > Math.max(prev.fontSize, line.fontSize) * 1.9 && out[out.length - 1] !== '') out.push('');
      out.push(text);
    }
    carry = line.joinNext;
    prev = line;
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
