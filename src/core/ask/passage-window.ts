import type { Chunk } from '../model/types.js';

/**
 * Joins two consecutive chunks into one passage. The chunker repeats a short sentence at the start
 * of the next chunk; that overlap is dropped so the passage reads like the page.
 */
export function joinChunks(a: string, b: string): string {
  const max = Math.min(a.length, b.length);
  for (let k = max; k >= 12; k--) {
    if (a.endsWith(b.slice(0, k)) && (k === b.length || /\s/.test(b[k]!))) return `${a}${b.slice(k)}`.trim();
  }
  return `${a}\n${b}`;
}

/**
 * The passage for a page: the best chunk, the one after it (an answer often follows the sentence
 * that matches the question: "If X happens ... then do Y"), and neighbours that matched the question
 * too. A passage that runs off the bottom of the page mid-sentence, or ends announcing what follows
 * (":"), takes the next chunk (the start of the next page at the bottom of a page).
 * `chunks` holds the chunks of the page and of the page after it; the passage keeps the best chunk's
 * id and page, so it is still cited where it starts.
 */
export function widen(best: Chunk, chunks: Chunk[], relevant: (chunkId: string) => boolean): Chunk {
  const ordered = chunks.filter((c) => c.manualId === best.manualId).sort((a, b) => a.ordinal - b.ordinal);
  const page = ordered.filter((c) => c.pageNumber === best.pageNumber);
  const i = page.findIndex((c) => c.id === best.id);
  if (i < 0) return best;
  const start = i > 0 && relevant(page[i - 1]!.id) ? i - 1 : i;
  const end = i + 2 < page.length && relevant(page[i + 2]!.id) ? i + 2 : Math.min(i + 1, page.length - 1);
  const window = page.slice(start, end + 1);
  const last = window[window.length - 1]!;
  // What a passage ending in ":" introduces (the lines of a config file, a command, a list) is the
  // answer it announces: the next chunk comes too, on this page or the next.
  const introduces = /:$/.test(last.text.trim());
  if (last === page[page.length - 1] && (introduces || !/[.!?:)\]"”]$/.test(last.text.trim()))) {
    const next = ordered.find((c) => c.pageNumber === best.pageNumber + 1);
    if (next) window.push(next);
  } else if (introduces) window.push(page[page.indexOf(last) + 1]!);
  return { ...best, text: window.map((c) => c.text).reduce(joinChunks) };
}
