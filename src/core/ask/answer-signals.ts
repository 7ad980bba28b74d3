import { STOPWORDS, words } from './query-terms.js';
import { stem } from './term-match.js';

/**
 * What kind of answer a question expects, read from its wording. "Which port…", "how long…",
 * "what password…" want a value next to the thing asked about; "how do I…", "what is the workaround"
 * want an instruction. Sentences that have the expected shape are better answers than sentences that
 * merely repeat the question's words.
 */
export interface AnswerType {
  /** Stems of the thing asked about ("which port" -> port). */
  focus: string[];
  /** The answer is a duration or frequency ("how long", "how often"). */
  wantsTime: boolean;
  /** The answer is an amount: a number with a unit. */
  wantsQuantity: boolean;
  /** The answer is a value: number, name, identifier, setting. */
  wantsValue: boolean;
  /** The answer is an action: steps, a command, a setting to change. */
  wantsAction: boolean;
  /** The answer is a reason ("why …"). */
  wantsReason: boolean;
  /** "What is X?" / "What does X mean?": the subject to find a definition of, lower-case. */
  defines: string | null;
}

const TIME_UNITS = 'ms|milliseconds?|seconds?|secs?|minutes?|mins?|hours?|days?|weeks?';
const TIME = new RegExp(`\\b(\\d+|one|two|three|four|five|ten|a few|several)\\s*(${TIME_UNITS}|s)\\b`, 'i');
const TIME_UNIT = new RegExp(`\\b(${TIME_UNITS})\\b`, 'i');
// "one" and "half" are too common in prose to mark a value.
const NUMBER_WORD = /\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty|hundred|thousand|million|dozen)\b/i;
/** Identifiers, paths, options, assignments and numbers: the shapes values take in manuals. */
const VALUE = /\d|\b[A-Za-z]+_[A-Za-z0-9_]+\b|\b[a-z]+[A-Z]\w*|\w=\S|(^|\s)\/[\w.-]+\/|(^|\s)--?[a-z][\w-]*|"[^"]+"|'[^']+'/;
const ACTION_VERBS = new Set(
  'add adjust apply change check choose click configure connect copy create delete disable download edit enable enter install issue log make open press remove replace reset restart reboot run select set start stop switch type uncheck update upgrade use write go'.split(
    ' ',
  ),
);

const AUXILIARY = new Set(['do', 'does', 'did', 'should', 'can', 'could', 'would', 'will', 'must', 'shall', 'may', 'might', 'have', 'has', 'had']);
const LINKING = new Set(['is', 'are', 'was', 'were', 'the', 'a', 'an', 'this', 'that', 'these', 'those', 'kind', 'sort', 'type', 'of']);

/** "which port…", "what is the default password…", "how much memory…" -> the stems of the thing asked about. */
function focusOf(q: string): string[] {
  const m = /\b(?:which|what|how (?:many|much))\s+((?:[\w-]+\s+){0,5}[\w-]+)/.exec(q);
  if (!m) return [];
  const ws = words(m[1]!);
  // "What should I change…" asks for an action, not for a named thing.
  if (ws.length === 0 || AUXILIARY.has(ws[0]!)) return [];
  const focus: string[] = [];
  for (const w of ws) {
    if (LINKING.has(w) && focus.length === 0) continue;
    if (STOPWORDS.has(w) || AUXILIARY.has(w)) break;
    focus.push(stem(w));
    if (focus.length >= 3) break;
  }
  return focus;
}

export function answerType(question: string): AnswerType {
  const q = question.toLowerCase();
  const wantsTime = /\bhow (long|often)\b|\b(timeout|time-out|delay|duration|interval)\b/.test(q);
  const focus = focusOf(q);
  const wantsQuantity = wantsTime || /\bhow (many|much|big|large|far|fast|high|low)\b|\bwhat (is|are) the (size|number|amount|limit|range|maximum|minimum)\b/.test(q);
  const wantsValue = wantsQuantity || /\b(which|what (is|are) the (default|value|name|address|port|password))\b/.test(q) || focus.length > 0;
  const wantsAction =
    /\bhow (do|can|should|would) (i|we|you)\b|\bhow to\b|\b(workaround|fix|solve|get rid|prevent|avoid|enable|disable|configure|set up|install|turn)\b|\bwhat (should|do|must|can) (i|we)\b/.test(q);
  const wantsReason = /\bwhy\b|\bwhat (is|was) the (reason|cause)\b|\bwhat(?:'s| is| are| could be)? caus(es|ing)\b/.test(q);
  const def = /^\s*(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?([\w .+-]{2,40}?)\s*\??\s*$/.exec(q) ?? /^\s*what does (?:an?\s+|the\s+)?(?:[\w+-]+\s+)?(?:mean|stand for) by\s+(?:an?\s+|the\s+)?([\w .+-]{2,40}?)\s*\??\s*$/.exec(q) ?? /\bwhat does\s+(?:an?\s+|the\s+)?([\w .+-]{2,40}?)\s+(?:mean|stand for)\b/.exec(q);
  // "What is the default port?" asks for a value, not a definition.
  const defines = def && !/\b(default|port|password|address|name|number|size|limit|range|version|value|maximum|minimum|frequency|voltage|timeout)s?\b/.test(def[1]!) ? def[1]!.trim() : null;
  return { focus: defines ? [] : focus, wantsTime, wantsQuantity, wantsValue: defines ? false : wantsValue, wantsAction, wantsReason, defines };
}

const REASON = /\b(because|since|due to|so that|as a result|results? in|leads? to|in order to|avoids?|prevents?|otherwise|causes?|caused by|reason|safer|instead|on the other hand)\b/i;
export const hasReason = (text: string) => REASON.test(text);

/** A sentence defining the subject: "OpenNI is a…", "A production chain is…", "X (…) is…", "X: a…". */
export function definesSubject(text: string, subject: string): boolean {
  const t = text.toLowerCase();
  const i = t.indexOf(subject);
  if (i < 0) return false;
  const after = t.slice(i + subject.length, i + subject.length + 40);
  return /^s?\s*(\([^)]*\)\s*)?(is|are|means|refers to|stands for|,\s*(a|an|the)\b|:\s)/.test(after);
}

/** "ppi(4)", "upsd.users(5)": the section of a manual page named, not a value. */
const MAN_PAGE = /\b([\w.-]+)\(\d[a-z]?\)/gi;

/**
 * The text without the numbers that label rather than state: a list's "8." or "3.5)" numbers the
 * item, and a man page's "(4)" names its section.
 */
const withoutLabels = (text: string) => text.replace(/^\s*\(?\d{1,2}(\.\d{1,2})*[.)]\s+/, '').replace(MAN_PAGE, '$1');

export const hasNumber = (text: string) => /\d/.test(withoutLabels(text)) || NUMBER_WORD.test(text);

/**
 * A line of a config file: a directive and its arguments ("LISTEN 127.0.0.1 3493", "MONITOR ups@host 1
 * user pass primary"), an assignment ("port = auto"), or a statement ("persist;", "export all;").
 */
export const isConfigLine = (text: string) =>
  /^[A-Z][A-Z0-9_]{2,}(\s+\S+)+$/.test(text) || /^[\w.-]+\s*=\s*\S/.test(text) || /^[a-z][\w-]*(\s+[\w".\/:*-]+){0,3};(\s*#.*)?$/.test(text);

/** A setting to use: a config line, a path, an option, an assignment or a config section ("[ups]"). */
export const holdsSetting = (text: string) => isConfigLine(text) || /(^|\s)(\/[\w.-]+){2,}|\w=\S|(^|\s)--?[a-z][\w-]*|^\[[\w.-]+\]/.test(text);

/** Something to do: an instruction, or a command, path, option, assignment or config line to use. */
export const isActionable = (text: string) => isInstruction(text) || holdsSetting(text);

export const hasValue = (text: string) => VALUE.test(withoutLabels(text)) || NUMBER_WORD.test(text);
/** A duration: "5 seconds", or a unit and its number apart ("wait FINALDELAY seconds, typically 5"). */
export const hasTime = (text: string) => TIME.test(text) || (TIME_UNIT.test(text) && /\d/.test(withoutLabels(text)));

/** An instruction: a command line, or a sentence or list item opening with an imperative verb. */
export function isInstruction(text: string): boolean {
  const t = text.replace(/^([•●▪◦‣∙·*–➢►✓\uF000-\uF0FF-]|\(?\d{1,2}[.)])\s*/, '');
  if (/^[$#>]\s/.test(t)) return true;
  const first = words(t)[0];
  return !!first && ACTION_VERBS.has(first);
}
