/** Page-retrieval and answer metrics of eval/README.md, shared by the eval scripts. */

export interface EvalItemResult {
  id: string;
  manual: string;
  kind: string;
  /** Rank (1-based) of the first retrieved (manual, page) that is in the item's pages; 0 = none. */
  firstHitRank: number;
  termRecall: number;
}

export interface Metrics {
  n: number;
  hit1: number;
  hit5: number;
  mrr: number;
  termRecall: number;
}

const collapse = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

export function termRecall(answer: string, terms: string[]): number {
  if (terms.length === 0) return 1;
  const a = collapse(answer);
  return terms.filter((t) => a.includes(collapse(t))).length / terms.length;
}

/** Rank of the first hit among retrieved sources (deduplicated by manual+page, in order). */
export function firstHitRank(sources: { manual_name: string; page_number: number }[], manual: string, pages: number[]): number {
  const seen = new Set<string>();
  let rank = 0;
  for (const s of sources) {
    const key = `${s.manual_name}#${s.page_number}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rank++;
    if (s.manual_name === manual && pages.includes(s.page_number)) return rank;
  }
  return 0;
}

export function summarise(results: EvalItemResult[]): Metrics {
  const n = results.length || 1;
  return {
    n: results.length,
    hit1: results.filter((r) => r.firstHitRank === 1).length / n,
    hit5: results.filter((r) => r.firstHitRank >= 1 && r.firstHitRank <= 5).length / n,
    mrr: results.reduce((s, r) => s + (r.firstHitRank ? 1 / r.firstHitRank : 0), 0) / n,
    termRecall: results.reduce((s, r) => s + r.termRecall, 0) / n,
  };
}

export function groupBy(results: EvalItemResult[], key: (r: EvalItemResult) => string): Record<string, Metrics> {
  const groups = new Map<string, EvalItemResult[]>();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries([...groups].sort().map(([k, v]) => [k, summarise(v)]));
}

export const fmt = (m: Metrics) =>
  `n=${m.n} hit@1=${m.hit1.toFixed(3)} hit@5=${m.hit5.toFixed(3)} MRR=${m.mrr.toFixed(3)} term-recall=${m.termRecall.toFixed(3)}`;
