/**
 * Reading the structure of extracted page text: running headers/footers, headings, list items and
 * sentence boundaries. Kept apart from the chunker so the answer writer can split sentences the same way.
 */
import type { PageText } from '../model/types.js';

// Symbol-font bullets (Word/Wingdings) extract as private-use characters such as U+F0B7.
const BULLET = /^([•●▪◦‣∙·*–➢►✓\uF000-\uF0FF-]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)]|\$|#|>)\s/;

/** Lines that open a list item, a shell command or a numbered step: they must stay on their own line. */
export const isListLine = (line: string) => BULLET.test(line);

/** Source code keeps its lines: statements, braces, comments, preprocessor and XML lines. */
export const isCodeLine = (line: string) =>
  /[;{}]\s*$|^\s*[{}]|^\s*(\/\/|\/\*|#include|#define|<\/?[A-Za-z][\w:-]*[\s>/])|^\s*[\w.:<>*&[\]]+\s*[+\-*/]?=\s*[^=].*[;)]\s*$/.test(line);

const shape = (line: string) =>
  line
    .toLowerCase()
    .replace(/\b[ivxlc]+\b/g, '#')
    .replace(/[0-9]+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Running headers and footers ("FreedomBox Manual 13 / 278", a chapter title on every page of the
 * chapter, a bare page number) add noise to every chunk. The first and last line of a page are
 * dropped when their digit-blind shape recurs on several pages, or when they are short and carry the
 * page's own number at either end.
 */
export function runningLines(pages: PageText[]): Set<string> {
  const counts = new Map<string, number>();
  for (const p of pages) {
    const lines = p.text.split('\n').filter((l) => l.trim());
    const seen = new Set([lines[0], lines[lines.length - 1]].filter((l): l is string => !!l).map(shape));
    for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const min = Math.max(3, Math.ceil(pages.length * 0.04));
  return new Set([...counts].filter(([s, n]) => n >= min && s.length > 0).map(([s]) => s));
}

function carriesPageNumber(line: string, page: PageText): boolean {
  const t = line.trim();
  if (t.split(/\s+/).length > 10) return false;
  return [page.label, String(page.pageNumber)].some((n) => !!n && (t === n || t.startsWith(`${n} `) || t.endsWith(` ${n}`) || t.endsWith(`| ${n}`)));
}

export function stripRunningLines(page: PageText, running: Set<string>): string {
  const lines = page.text.split('\n');
  const nonEmpty = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim());
  const edges = new Set([nonEmpty[0]?.[1], nonEmpty[nonEmpty.length - 1]?.[1]]);
  return lines
    .filter((l, i) => !(edges.has(i) && (running.has(shape(l)) || carriesPageNumber(l, page))))
    .join('\n')
    // Contents and index pages: dot leaders say nothing and bury the entries.
    .replace(/(\s?\.){4,}\s?/g, ' … ')
    .trim();
}

const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'into', 'of', 'on', 'or', 'the', 'to', 'with', 'via', 'vs', 'your', 'is']);

function titleCased(words: string[]): boolean {
  const significant = words.filter((w) => /^[\p{L}]/u.test(w) && !SMALL_WORDS.has(w.toLowerCase()));
  if (significant.length === 0) return false;
  const caps = significant.filter((w) => /^[\p{Lu}]/u.test(w)).length;
  return caps / significant.length >= 0.75;
}

/**
 * A heading: numbered ("6.8.3 FreedomBox Ports/Services", "7 Controlling Radios") or a short
 * title-case line standing alone. Sentences, list items and table rows full of numbers are not.
 */
export function headingOf(line: string, standsAlone: boolean): string | null {
  const t = line.trim();
  if (t.length < 3 || t.length > 90 || /[.,;:!]$/.test(t) || t.includes('…') || isListLineNotNumber(t)) return null;
  if (ADMONITION.test(t) || isCaption(t)) return null;
  // The title may open with a quote or a parenthesis ('3.9.1 "Simple" configuration').
  const numbered = NUMBERED_TITLE.exec(t);
  if (numbered) {
    // A chapter number has one or two digits: "310 Meridian Color" is a model in a table.
    if (/^\d{3,}$/.test(numbered[1]!)) return null;
    const words = numbered[2]!.split(/\s+/);
    const multiLevel = /\d\.\d/.test(numbered[1]!);
    // A title ending in a bare number ("2 School Level Experiments 11") is a contents entry.
    if (words.length <= 12 && (multiLevel || titleCased(words)) && !/\d{3,}/.test(numbered[2]!) && !/\s\d+$/.test(numbered[2]!)) return t;
    return null;
  }
  if (!standsAlone || t.endsWith('?')) return null;
  const words = t.split(/\s+/);
  const digits = (t.match(/[0-9]/g) ?? []).length;
  // Diagram labels ("IN1 GND", "R1 R2") are all capitals and digits: a heading has a lower-case word.
  if (words.length > 8 || digits > 2 || !/^[\p{Lu}]/u.test(t) || !/\p{Ll}{2}/u.test(t) || !titleCased(words)) return null;
  return t;
}

/**
 * A box's label ("Note", "Warning") and a figure's or table's caption ("Figure 4.4: Polar View") name
 * no section: taken for sub-titles, they were carried by every chunk down to the next heading.
 */
const ADMONITION = /^(?:notes?|warnings?|tips?|important|caution|danger|hint|attention)$/i;
export const isCaption = (line: string) => /^(?:figure|fig\.|table|listing|example)\s*[A-Z]?\d/i.test(line.trim());

/**
 * A section number ("6.3.1", "7", "1.2."), an appendix's numbered from its letter ("H.6.3"), or one a
 * word processor closes with ")" ("6.1) Critical Update Note"); group 1 is the number alone.
 */
const SECTION_NUMBER = String.raw`(\d+(?:\.\d+)*|[A-Z](?:\.\d+)+)[.)]?`;
const NUMBERED_TITLE = new RegExp(String.raw`^${SECTION_NUMBER}\s+(["“‘'(]?\p{Lu}.*)$`, 'u');
const NUMBER_OPENING = new RegExp(String.raw`^${SECTION_NUMBER}(?:\s|$)`);

/**
 * "Note" / "These examples show…" reads "Note: These examples show…": a box's label standing alone on
 * its line introduces the next line that has text; it is never a sentence (or a title) of its own.
 * A heading right after a label is left alone (the box held no text, a picture perhaps).
 */
export function joinBoxLabels(lines: string[]): string[] {
  const out: string[] = [];
  let label: string | null = null;
  for (const line of lines) {
    const t = line.trim();
    if (label !== null && t === '') continue;
    if (ADMONITION.test(t)) label = t; // of two labels in a row, the one next to the text
    else if (label !== null) {
      out.push(...(headingOf(t, true) ? [label, line] : [`${label}: ${line.trimStart()}`]));
      label = null;
    } else out.push(line);
  }
  if (label !== null) out.push(label);
  return out;
}

/** The section number a heading opens with ("6.3.1", "7", "H.6.3"), or null for an unnumbered title. */
export function sectionNumber(heading: string): string | null {
  return NUMBER_OPENING.exec(heading)?.[1] ?? null;
}

const isListLineNotNumber = (t: string) => BULLET.test(t) && !/^\d/.test(t);

/** Splits prose into sentences; keeps abbreviations like "e.g." and values like "1.5" together. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const re = /(?<=[.!?])["')\]]?\s+(?=[\p{Lu}0-9"'(•$])/gu;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const before = text.slice(Math.max(last, m.index - 7), m.index);
    if (/\b(e\.g|i\.e|etc|vs|cf|Fig|fig|No|approx|min|max)\.$/.test(before)) continue;
    out.push(text.slice(last, m.index + m[0].length).trim());
    last = m.index + m[0].length;
  }
  out.push(text.slice(last).trim());
  return out.filter((s) => s.length > 0);
}
