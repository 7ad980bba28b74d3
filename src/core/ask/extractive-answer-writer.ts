import type { SearchHit } from '../model/types.js';
import type { AnswerWriter, WrittenAnswer } from '../ports/answer-writer.js';
import { isListLine, splitSentences } from '../ingest/page-structure.js';
import { queryTerms, type QueryTerm } from './query-terms.js';
import { containsTerm, stems } from './term-match.js';

export const NOT_FOUND_ANSWER = "I couldn't find this in your manuals.";

interface Unit {
  passage: number;
  order: number;
  text: string;
  list: boolean;
  stems: string[];
  words: number;
}

export interface ExtractiveOptions {
  /** Passages to draw sentences from (the best ones; later ones are noise more often than not). */
  passages?: number;
  /** Words in one excerpt (a run of consecutive sentences). */
  windowWords?: number;
  /** Words in the whole answer (at most two excerpts). */
  maxWords?: number;
}

/** Passage text -> sentences and list lines, in document order. */
function unitsOf(text: string, passage: number): Unit[] {
  const out: Unit[] = [];
  for (const line of text.split('\n')) {
    const list = isListLine(line.trim());
    const parts = list ? [line.trim()] : splitSentences(line);
    for (const p of parts) if (p.trim()) out.push({ passage, order: out.length, text: p.trim(), list, stems: stems(p), words: p.trim().split(/\s+/).length });
  }
  return out;
}

/** Questions asking for a number, port, duration, name or setting: excerpts with values answer them. */
const WANTS_VALUE = /\b(how (many|much|long|often|far|big|fast|high|low)|which|what (is|are) the|port|value|range|number|size|version|frequency|limit|default|address|timeout|voltage|rate)\b/i;

interface Excerpt {
  units: Unit[];
  score: number;
}

/**
 * The extractive answer: the run of consecutive sentences (an excerpt) from the top passages that
 * best covers the question's terms, rarer terms counting more and terms near the excerpt's start
 * more than later ones, since the answer usually follows the sentence that matches the question.
 * A sentence introducing a list ("forward the following ports:") brings the list, so steps and values
 * stay intact. A second excerpt from another passage is added when it is nearly as good. Each excerpt
 * ends with the number of the passage it came from, like an LLM answer would cite it.
 */
export class ExtractiveAnswerWriter implements AnswerWriter {
  readonly id = 'extractive';
  private readonly opts: Required<ExtractiveOptions>;

  constructor(opts: ExtractiveOptions = {}) {
    this.opts = { passages: opts.passages ?? 3, windowWords: opts.windowWords ?? 80, maxWords: opts.maxWords ?? 130 };
  }

  async write(question: string, passages: SearchHit[]): Promise<WrittenAnswer> {
    const terms = queryTerms(question);
    const perPassage = passages.slice(0, this.opts.passages).map((p, i) => unitsOf(p.chunk.text, i));
    const all = perPassage.flat();
    if (all.length === 0 || terms.length === 0) return { answer: NOT_FOUND_ANSWER, cited: [] };
    const weight = termWeights(terms, all);
    const wantsValue = WANTS_VALUE.test(question);
    const excerpts = perPassage.flatMap((units) => units.map((_, i) => this.excerpt(units, i, terms, weight, wantsValue)));
    excerpts.sort((a, b) => b.score - a.score || a.units[0]!.passage - b.units[0]!.passage);
    const best = excerpts[0];
    if (!best || best.score <= 0) return { answer: NOT_FOUND_ANSWER, cited: [] };
    const chosen = [best];
    const words = (e: Excerpt) => e.units.reduce((n, u) => n + u.words, 0);
    const second = excerpts.find((e) => e.units[0]!.passage !== best.units[0]!.passage && e.score >= best.score * 0.8);
    if (second && words(best) + words(second) <= this.opts.maxWords) chosen.push(second);
    chosen.sort((a, b) => a.units[0]!.passage - b.units[0]!.passage);
    const answer = chosen
      .map((e) => `${e.units.map((u, i) => (i > 0 ? (u.list ? '\n' : ' ') : '') + u.text).join('')} [${e.units[0]!.passage + 1}]`)
      .join('\n');
    return { answer, cited: chosen.map((e) => e.units[0]!.passage) };
  }

  private excerpt(units: Unit[], start: number, terms: QueryTerm[], weight: Map<QueryTerm, number>, wantsValue: boolean): Excerpt {
    const taken: Unit[] = [];
    let words = 0;
    for (let i = start; i < units.length; i++) {
      const u = units[i]!;
      const introducesList = taken.length > 0 && /:$/.test(taken[taken.length - 1]!.text) && u.list;
      if (taken.length > 0 && words + u.words > this.opts.windowWords && !(introducesList && words + u.words <= this.opts.windowWords * 1.6)) break;
      taken.push(u);
      words += u.words;
    }
    let score = 0;
    for (const t of terms) {
      const at = taken.findIndex((u) => containsTerm(u.stems, t));
      if (at >= 0) score += weight.get(t)! * (t.words.length > 1 ? 1.5 : 1) * Math.pow(0.85, at);
    }
    if (score === 0 || !taken.some((u, i) => i < 2 && terms.some((t) => containsTerm(u.stems, t)))) return { units: taken, score: 0 };
    if (wantsValue && taken.some((u) => /\d/.test(u.text))) score *= 1.15;
    // Earlier passages are more likely to hold the answer.
    score *= 1 / (1 + 0.2 * taken[0]!.passage);
    return { units: taken, score };
  }
}

/** Inverse document frequency over the candidate sentences: words every sentence has say little. */
function termWeights(terms: QueryTerm[], units: { stems: string[] }[]): Map<QueryTerm, number> {
  const n = units.length;
  return new Map(terms.map((t) => [t, Math.log(1 + n / (1 + units.filter((u) => containsTerm(u.stems, t)).length))]));
}
