import type { SearchHit } from '../model/types.js';
import type { AnswerWriter, WrittenAnswer } from '../ports/answer-writer.js';
import { headingOf, isCaption, isCodeLine, isListLine, joinBoxLabels, splitSentences } from '../ingest/page-structure.js';
import { answerType, definesSubject, hasNumber, hasReason, hasTime, hasValue, holdsSetting, isActionable, isInstruction, type AnswerType } from './answer-signals.js';
import { queryTerms, type QueryTerm } from './query-terms.js';
import { containsTerm, stems } from './term-match.js';

export const NOT_FOUND_ANSWER = "I couldn't find this in your manuals.";

export interface Unit {
  passage: number;
  order: number;
  text: string;
  list: boolean;
  stems: string[];
  words: number;
  score: number;
  /** A section title: context for its neighbours, never part of the answer itself. */
  heading: boolean;
  /** Opens a line of the passage (a table row, an entry's name), not a sentence inside one. */
  lineStart: boolean;
  /** A table row's header: its column names are what the row's cells are (set by `tableHeaders`). */
  header?: Unit;
}

export interface ExtractiveOptions {
  /** Passages to draw sentences from (the best ones; later ones are noise more often than not). */
  passages?: number;
  /** Words in the main excerpt (the best sentence and what follows it). */
  windowWords?: number;
  /** Words in the whole answer. */
  maxWords?: number;
}

/** Passage text -> sentences and list lines, in document order. */
function unitsOf(text: string, passage: number): Unit[] {
  const out: Unit[] = [];
  let previous = '';
  for (const line of joinBoxLabels(text.split('\n'))) {
    // Code lines behave like list items: each keeps its own line and a block stays together.
    const list = isListLine(line.trim()) || isCodeLine(line);
    // A title-case line holding a path, option or directive is a config line or a table row
    // ("POWERDOWNFLAG /etc/killpower", "Linux /dev/parport0 /dev/ttyS0"), not a title.
    const heading = !!headingOf(line, true) && !continuesLine(previous) && !holdsSetting(line.trim());
    if (line.trim()) previous = line.trim();
    (heading || isCodeLine(line) ? [line.trim()] : splitSentences(line)).forEach((raw, i) => {
      const p = raw.trim();
      // Only a list item's first sentence opens a new line; its other sentences continue it.
      if (p) out.push({ passage, order: out.length, text: p, list: list && i === 0, stems: stems(p), words: p.split(/\s+/).length, score: 0, heading, lineStart: i === 0 });
    });
  }
  return out;
}

/** The lines just before `u` that run on into it (ending in ":" or in "from", "to", …), first to last. */
function leadIn(units: Unit[], u: Unit): Unit[] {
  const out: Unit[] = [];
  for (let i = u.order - 1; i >= 0 && out.length < LEAD_IN_LINES; i--) {
    const p = units[i]!;
    if (p.heading || !continuesLine(p.text)) break;
    out.unshift(p);
  }
  return out;
}

/** Words in these units. */
const wordsOf = (units: Unit[]) => units.reduce((n, u) => n + u.words, 0);

/** Text that ends as a sentence or clause does (not a title, a name, a table row). */
const endsSentence = (text: string) => /[.!?,;:]["')\]”]*$/.test(text);

/** How many lines may run on into a quoted line ("Change the following line from:" / "LogLevel Info to"). */
const LEAD_IN_LINES = 3;

/**
 * A line that a sentence runs on into, not a title: "Change the following line from:" is followed by
 * the line itself, "LogLevel Info to" by what it becomes.
 */
const continuesLine = (previous: string) => /:$|\b(to|from|with|of|and|or|the|a|an|as|by|into)$/i.test(previous);

/** The term line opening the anchor's entry and the sentences between them, if the anchor is in one. */
function entryName(units: Unit[], anchor: Unit): { between: Unit[] } | null {
  if (isTermLine(anchor)) return null;
  for (let i = anchor.order - 1; i >= 0 && i >= anchor.order - ENTRY_SENTENCES; i--) {
    const u = units[i]!;
    if (u.heading) return null;
    if (isTermLine(u)) return { between: units.slice(i, anchor.order) };
  }
  return null;
}

/** How far from the best sentence a line holding the expected value or command is looked for. */
const NEAR_VALUE = 3;

/**
 * A term line: the short line naming what the lines after it explain — an option, setting, directive
 * or command ("persist switch", "Minimum elevation", "-c config name", "LISTEN 127.0.0.1 3493") —
 * not a heading, a sentence or a bare number.
 */
export const isTermLine = (u: Pick<Unit, 'text' | 'words' | 'heading'>) =>
  !u.heading && u.words <= 6 && !endsSentence(u.text) && !/^[("'“[]/.test(u.text) && /\p{L}/u.test(u.text) && !isCaption(u.text);

/** A section title longer than this is a sentence-like heading, not the name of an option. */
const TITLE_WORDS = 6;

/** An entry of a list of options is a term line and a few sentences: how far back its name is looked for. */
const ENTRY_SENTENCES = 3;

/** A sentence saying how to do what the one before it described ("To do so, use the -t argument"). */
const TELLS_HOW = /^(to do (so|this|that)|to (achieve|accomplish) (this|that))\b/i;

/** Sentences that lean on the one before ("This turns off…", "However, …") read badly alone. */
const LEANS_BACK = /^(this|these|that|those|it|they|then|however|otherwise|therefore|thus|so|also|but|instead|in this case)\b/i;

/**
 * The extractive answer. Every sentence of the top passages is scored by the question terms it
 * contains (rarer terms count more) and by whether it has the shape of the expected answer (a value
 * next to the thing asked about, an instruction for a how-to). The best sentence anchors an excerpt
 * that runs on through the sentences after it, since manuals state a problem and then its fix; a
 * sentence introducing a list brings the list, so steps and values stay intact. A second anchor adds
 * a short excerpt when it is nearly as good. Excerpts keep document order and end with the number of
 * the passage they came from, the way an LLM answer cites.
 */
export class ExtractiveAnswerWriter implements AnswerWriter {
  readonly id = 'extractive';
  private readonly opts: Required<ExtractiveOptions>;

  constructor(opts: ExtractiveOptions = {}) {
    this.opts = { passages: opts.passages ?? 3, windowWords: opts.windowWords ?? 60, maxWords: opts.maxWords ?? 120 };
  }

  async write(question: string, passages: SearchHit[]): Promise<WrittenAnswer> {
    const perPassage = scoreSentences(question, passages.slice(0, this.opts.passages), passages);
    const all = perPassage.flat();
    if (all.length === 0) return { answer: NOT_FOUND_ANSWER, cited: [] };
    const ranked = all.filter((u) => !u.heading).sort((a, b) => b.score - a.score || a.passage - b.passage || a.order - b.order);
    const best = ranked[0]!;
    if (best.score <= 0) return { answer: NOT_FOUND_ANSWER, cited: [] };

    const chosen = new Set<Unit>();
    /** Section titles shown above an excerpt that opens their section. */
    const titles = new Set<Unit>();
    let total = 0;
    const take = (u: Unit, budget: number) => {
      if (chosen.has(u) || u.heading) return true;
      if (total + u.words > budget && chosen.size > 0) return false;
      chosen.add(u);
      total += u.words;
      return true;
    };
    const type = answerType(question);
    // The answer to "how do I…" contains something to do, to "how long…" a value: an excerpt that
    // has none yet may run on (up to the whole answer's budget) until it reaches one.
    const answers = (u: Unit) => (type.wantsAction ? isActionable(u.text) : type.wantsQuantity ? hasNumber(u.text) : type.wantsValue ? hasValue(u.text) : true);
    let answered = false;
    // The lines a sentence runs on through into a quoted line come with it, when they fit with what
    // follows them: "Change the following line from:" / "LogLevel Info to" / "LogLevel Debug" is an
    // instruction; its last line alone is not.
    const takeLeadIn = (units: Unit[], rest: Unit[], budget: number) => {
      const lead = leadIn(units, rest[0]!);
      if (total + wordsOf([...lead, ...rest].filter((u) => !chosen.has(u))) <= budget) for (const u of lead) take(u, budget);
    };
    const excerpt = (anchor: Unit, budget: number, following: number, withBefore: boolean) => {
      const units = perPassage[anchor.passage]!;
      const before = units[anchor.order - 1];
      // What may run past the excerpt's budget: a list or table, the action a how-to asks for.
      const stretch = Math.max(budget * 1.4, this.opts.maxWords);
      // The option, setting or command a description explains is named on the line that opens its
      // entry ("persist switch", then what it does): the excerpt starts there.
      const name = entryName(units, anchor);
      const names = !!name && total + wordsOf(name.between) + anchor.words <= budget;
      // A table row is quoted with its header and the other rows, in order: a row alone, or a table
      // with rows missing, misquotes the manual. One too long for the answer is quoted from its
      // header and the matching row on.
      const rows = anchor.header ? units.filter((u) => u.header === anchor.header) : [];
      let end = anchor;
      if (rows.length > 0) {
        const whole = total + anchor.header!.words + wordsOf(rows) <= stretch;
        if (anchor.header!.heading) titles.add(anchor.header!);
        else take(anchor.header!, stretch);
        for (const u of whole ? rows : rows.slice(rows.indexOf(anchor))) {
          if (!take(u, stretch)) break;
          end = u;
          answered ||= answers(u);
        }
      } else if (names) {
        // A name line that a sentence runs on into is the end of an instruction: quote it whole.
        takeLeadIn(units, [...name.between, anchor], budget);
        for (const u of name.between) take(u, budget);
        // The named option or command is what a how-to or which-question asks for.
        answered = true;
      } else if (before && (LEANS_BACK.test(anchor.text) || (withBefore && before.score > 0)) && total + before.words + anchor.words <= budget) take(before, budget);
      take(anchor, budget);
      answered ||= answers(anchor);
      // An excerpt that opens its section is introduced by the section's title: in a reference of
      // options or settings the title is the option's name ("Printing Direction", "Fine Adjustment").
      // Numbered titles are chapters and sections ("5.3.3 Port Forwarding"): the question named those.
      const first = [...chosen].filter((u) => u.passage === anchor.passage).reduce<Unit | null>((a, b) => (a && a.order < b.order ? a : b), null);
      const title = first ? units[first.order - 1] : undefined;
      if (title?.heading && title.words <= TITLE_WORDS && !/^\d/.test(title.text)) titles.add(title);
      let added = 0;
      // What a sentence ending in ":" introduces (a list, a command, code, a table) belongs with it,
      // also when the excerpt starts on its first line (a table's header row).
      let introduced = /:$/.test(end.text) || (!!before && /:$/.test(before.text));
      // Manuals state a problem, then its fix: a how-to excerpt without an action yet runs on.
      // "To do so, …" says how to do what the sentence before it described: an excerpt never ends
      // between the two.
      const completes = (i: number) => i < units.length && TELLS_HOW.test(units[i]!.text);
      for (let i = end.order + 1; i < units.length && (added < following || introduced || (type.wantsAction && !answered) || completes(i)); i++) {
        const u = units[i]!;
        if (u.heading) break; // an excerpt stays within its section
        if (names && isTermLine(u) && !introduced) break; // and within its entry of a list of options
        const afterColon = /:$/.test(units[i - 1]!.text);
        // A list runs on through its items, a table through its rows (short lines, no sentence).
        if (introduced && !afterColon && !u.list && !isTermLine(u)) introduced = false;
        if (!introduced && added >= following && !(type.wantsAction && !answered) && !completes(i)) break;
        if (!take(u, introduced || (type.wantsAction && !answered) || completes(i) ? stretch : budget)) break;
        answered ||= answers(u);
        if (!u.list && !afterColon) added++;
        if (/:$/.test(u.text)) introduced = true;
      }
    };
    excerpt(best, this.opts.windowWords, 4, false);
    // Still no value or command: the line holding it sits next to the sentence that matched
    // (a config line under its explanation, a table row under its header).
    if (!answered) {
      const units = perPassage[best.passage]!;
      const near = units
        .filter((u) => !u.heading && !chosen.has(u) && Math.abs(u.order - best.order) <= NEAR_VALUE && answers(u))
        .sort((a, b) => Math.abs(a.order - best.order) - Math.abs(b.order - best.order) || b.score - a.score)[0];
      if (near) takeLeadIn(units, [near], this.opts.maxWords);
      if (near && take(near, this.opts.maxWords)) answered = true;
    }
    // Without the expected kind of answer yet, the second excerpt goes to the best sentence that has it.
    // A row of a table already quoted is not a second answer: the table is quoted as far as it fits.
    const fresh = (u: Unit) => !chosen.has(u) && !(u.header && (chosen.has(u.header) || titles.has(u.header)));
    const second = answered
      ? ranked.find((u) => fresh(u) && u.score >= best.score * 0.6)
      : (ranked.find((u) => fresh(u) && answers(u) && u.score >= best.score * 0.4) ?? ranked.find((u) => fresh(u) && u.score >= best.score * 0.6));
    if (second) excerpt(second, this.opts.maxWords, 1, true);

    const groups = new Map<number, Unit[]>();
    for (const u of [...chosen, ...titles].sort((a, b) => a.passage - b.passage || a.order - b.order)) groups.set(u.passage, [...(groups.get(u.passage) ?? []), u]);
    const answer = [...groups]
      .map(([p, us]) => `${us.map((u, i) => (i > 0 ? (newLine(us[i - 1]!, u) ? '\n' : ' ') : '') + u.text).join('')} [${p + 1}]`)
      .join('\n');
    return { answer, cited: [...groups.keys()] };
  }
}

/**
 * Where the answer breaks the line between two quoted units: before a list item, after a title,
 * between excerpts, and around a short line of its own (a table row, an entry's name), so a table
 * keeps its rows. Sentences of one paragraph run on.
 */
function newLine(previous: Unit, u: Unit): boolean {
  if (u.list || previous.heading || previous.order !== u.order - 1 || (u.header && u.lineStart)) return true;
  return u.lineStart && (isTermLine(u) || (previous.lineStart && isTermLine(previous)));
}

/**
 * The sentences of each passage, scored against the question (0 = unrelated). How telling a question
 * word is comes from the sentences of every retrieved passage (`background`), not only of those
 * answered from: three passages are too few to tell a word of the topic from a rare one.
 */
export function scoreSentences(question: string, passages: SearchHit[], background: SearchHit[] = passages): Unit[][] {
  const terms = queryTerms(question);
  const perPassage = passages.map((p, i) => tableHeaders(unitsOf(p.chunk.text, i)));
  if (terms.length === 0) return perPassage;
  const others = background.filter((p) => !passages.includes(p)).flatMap((p) => unitsOf(p.chunk.text, -1));
  const weight = termWeights(terms, [...perPassage.flat(), ...others]);
  const type = answerType(question);
  for (const units of perPassage) for (const u of units) u.score = scoreUnit(u, units, terms, weight, type);
  return perPassage;
}

/** A table's row: a line of its own, a few cells, no sentence punctuation. */
const isRowLike = (u: Unit) => u.lineStart && !u.heading && !u.list && u.words >= 2 && u.words <= ROW_WORDS && !endsSentence(u.text);

/** Cells in a table row at most (a longer line is prose). */
const ROW_WORDS = 10;

/**
 * Tables: two or more row-like lines in a row, under a header (the unpunctuated line just above them:
 * "System Default Parallel Port Default Serial Port" over "Linux /dev/parport0 /dev/ttyS0"). A row
 * means its header's words as much as its own: the Linux row is the answer to "which serial port on
 * Linux", though it never says "serial".
 */
function tableHeaders(units: Unit[]): Unit[] {
  for (let i = 1; i + 1 < units.length; i++) {
    const header = units[i - 1]!;
    if (units[i]!.header || !isRowLike(units[i]!) || !isRowLike(units[i + 1]!)) continue;
    // A title-case header ("Device Kind Default Port") reads as a title: it still names the columns.
    if (header.list || endsSentence(header.text) || header.words < 2) continue;
    for (let j = i; j < units.length && isRowLike(units[j]!); j++) units[j]!.header = header;
  }
  return units;
}

/** The shape the answer should have: a command or setting for a how-to, a number for an amount, a value. */
function holdsExpected(text: string, type: AnswerType): boolean {
  if (type.wantsAction) return isActionable(text) || isCodeLine(text);
  if (type.wantsQuantity) return hasNumber(text);
  if (type.wantsValue) return hasValue(text);
  return false;
}

/** Inverse document frequency over the retrieved sentences: words every sentence has say little. */
function termWeights(terms: QueryTerm[], units: { stems: string[] }[]): Map<QueryTerm, number> {
  const n = units.length;
  return new Map(terms.map((t) => [t, Math.log(1 + n / (1 + units.filter((u) => containsTerm(u.stems, t)).length))]));
}

/** Troubleshooting words manuals use interchangeably ("the workaround" / "the solution is"). */
const SYNONYMS = new Map(
  [['workaround', 'solution', 'fix', 'resolv', 'solv']].flatMap((group) => group.map((w) => [w, group.filter((x) => x !== w)] as const)),
);

/** Units within this distance share context: a sentence under "Wi-Fi configuration" is about Wi-Fi. */
const CONTEXT = 2;

function scoreUnit(u: Unit, units: Unit[], terms: QueryTerm[], weight: Map<QueryTerm, number>, type: AnswerType): number {
  let matched = 0;
  let s = 0;
  const near = units.slice(Math.max(0, u.order - CONTEXT), u.order + CONTEXT + 1);
  const own = (t: QueryTerm) => containsTerm(u.stems, t) || (!!u.header && containsTerm(u.header.stems, t));
  for (const t of terms) {
    const w = weight.get(t)! * (t.words.length > 1 ? 1.5 : 1);
    if (own(t)) {
      matched += w;
      s += w;
    } else if (near.some((n) => containsTerm(n.stems, t))) s += w * 0.4;
  }
  // A line with none of the question's words can still hold the answer when the words are around
  // it and it has the expected shape: the config line under its explanation, the row of a table.
  if (matched === 0 && !(s > 0 && holdsExpected(u.text, type))) return 0;
  if (matched === 0) s *= 0.5;
  // "What password…": the answer names the password. A sentence without the thing asked about
  // rarely answers, however many other question words it repeats.
  const hasStem = (x: string) => u.stems.includes(x) || !!u.header?.stems.includes(x);
  const focused = type.focus.some((f) => hasStem(f) || SYNONYMS.get(f)?.some(hasStem));
  if (type.wantsTime && hasTime(u.text)) s *= 2;
  else if (focused && (type.wantsQuantity ? hasNumber(u.text) : hasValue(u.text))) s *= 2;
  else if (type.focus.length > 0 && !focused) s *= 0.6;
  else if (type.wantsValue && hasValue(u.text)) s *= 1.15;
  if (type.wantsAction && isInstruction(u.text)) s *= 1.25;
  if (type.wantsReason && hasReason(u.text)) s *= 1.3;
  if (type.defines && definesSubject(u.text, type.defines)) s *= 1.6;
  // Earlier passages are more likely to hold the answer; fragments rarely answer alone.
  s *= 1 / (1 + 0.25 * u.passage);
  // Long sentences match more words by sheer length; very short ones rarely answer alone (a table
  // row is read with its header).
  s /= Math.sqrt(Math.max(1, u.words / 30));
  if (u.words + (u.header?.words ?? 0) < 4) s *= 0.6;
  // Figure and table captions label a picture; they rarely answer anything themselves (a page
  // number left in front of one by extraction does not hide it).
  if (/^(\d+\s+)?(figure|fig\.|table)\s*\d+(\.\d+)*\s*[:.]/i.test(u.text)) s *= 0.4;
  return s;
}
