/**
 * Turning a question into search terms, shared by the keyword index and the answer writer so both
 * agree on what a "term" is. Compound tokens ("49152-50175", "--port", "rotctld.conf") are kept whole
 * as phrases; function words and question scaffolding ("how do I", "what is") are dropped.
 */

export const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are aren as at be because been before being below between both but by ' +
    'can cannot could did didn do does doesn doing don down during each either else ever every few for from further get gets getting got ' +
    'had has hasn have haven having he her here hers herself him himself his how however i if in into is isn it its itself just ' +
    'let lets like me might mine more most much must my myself need needs no nor not now of off on once one only onto or other ' +
    'ought our ours ourselves out over own per please same shall she should so some such than that the their theirs them ' +
    'themselves then there these they this those though through thus to too under until up upon us very via was wasn we ' +
    'were weren what whatever when where whether which while who whom whose why will with within without won would you your ' +
    'yours yourself yourselves anything something someone anyone thing things way ways want wants wanted tell know use using used ' +
    'happen happens happening exactly actually really still instead even keep kept go goes going make makes made see seem seems ' +
    'says say said work works working'
  ).split(/\s+/),
);

export interface QueryTerm {
  /** Lower-case words of the term; more than one for a compound token. */
  words: string[];
  /** The token as written (for phrase display and exact matching). */
  raw: string;
}

const TOKEN = /[\p{L}\p{N}]+(?:[-_./:][\p{L}\p{N}]+)*|--?[\p{L}][\p{L}\p{N}-]*/gu;

/** Word-level tokens of any text, lower-cased (NFKC), the way the index splits them. */
export function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Content terms of a question, in order, without duplicates. */
export function queryTerms(question: string): QueryTerm[] {
  const seen = new Set<string>();
  const out: QueryTerm[] = [];
  for (const raw of question.normalize('NFKC').match(TOKEN) ?? []) {
    const w = words(raw);
    if (w.length === 0) continue;
    // Single letters only count when capitalised ("the V icon", "press L"), never the pronoun "I".
    if (w.length === 1 && (STOPWORDS.has(w[0]!) || (w[0]!.length < 2 && !/\d/.test(w[0]!) && !/^[B-HJ-Z]$/.test(raw)))) continue;
    const key = w.join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ words: w, raw });
  }
  return out;
}
