import type { Source } from '../api/types';
import { href } from '../lib/hash-router';

/** Keeps shared links short; the viewer matches on the start of the passage just as well. */
const HL_CHARS = 400;

export const pageLabel = (s: Pick<Source, 'page_number' | 'page_label'>) =>
  s.page_label && s.page_label !== String(s.page_number) ? `page ${s.page_number} (printed ${s.page_label})` : `page ${s.page_number}`;

/** At most HL_CHARS, cut at a word boundary so the last word is never a fragment. */
export function highlightParam(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= HL_CHARS) return t;
  const cut = t.slice(0, HL_CHARS + 1);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), HL_CHARS / 2)).trim();
}

export function sourceHref(s: Source): string {
  return href(['manuals', s.manual_id, 'pages', s.page_number], { hl: highlightParam(s.chunk_text) });
}

export function SourceCard({ source, index }: { source: Source; index: number }) {
  return (
    <li class="source card">
      <div class="source-head">
        <span class="source-num" aria-hidden="true">
          {index + 1}
        </span>
        <strong class="source-manual">{source.manual_name}</strong>
        <span class="source-page">{pageLabel(source)}</span>
        <span class="source-score" title="Relevance score">
          score {source.score.toFixed(2)}
        </span>
      </div>
      <blockquote class="passage">{source.chunk_text}</blockquote>
      <a class="button" href={sourceHref(source)} aria-label={`Open ${source.manual_name}, ${pageLabel(source)}`}>
        Open {pageLabel(source)}
      </a>
    </li>
  );
}
