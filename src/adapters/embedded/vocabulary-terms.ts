import { STOPWORDS } from '../../core/ask/query-terms.js';

/**
 * The words that characterise a set of passages, for biasing a speech recogniser: names and technical
 * terms ("FreedomBox", "rotctld", "Doppler") rather than everyday words. A word scores by how many
 * passages use it, boosted when it is usually written capitalised or mixes letters with digits, since
 * those are the words a generic recogniser gets wrong.
 */
export function distinctiveTerms(passages: string[], limit: number): string[] {
  const stats = new Map<string, { df: number; forms: Map<string, number> }>();
  for (const p of passages) {
    const seen = new Set<string>();
    for (const form of p.normalize('NFKC').match(/[\p{L}][\p{L}\p{N}'-]*[\p{L}\p{N}]/gu) ?? []) {
      const key = form.toLowerCase();
      if (key.length < 3 || STOPWORDS.has(key)) continue;
      let s = stats.get(key);
      if (!s) stats.set(key, (s = { df: 0, forms: new Map() }));
      s.forms.set(form, (s.forms.get(form) ?? 0) + 1);
      if (!seen.has(key)) {
        seen.add(key);
        s.df++;
      }
    }
  }
  const scored = [...stats].flatMap(([key, s]) => {
    const form = [...s.forms].sort((a, b) => b[1] - a[1])[0]![0];
    const special = /[\p{Lu}]/u.test(form.slice(1)) || /\d/.test(form) || /^[\p{Lu}]/u.test(form);
    return [{ form, score: Math.log(1 + s.df) * (special ? 2 : 1) * Math.min(1, key.length / 5), key }];
  });
  return scored
    .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
    .slice(0, Math.max(0, limit))
    .map((t) => t.form);
}
