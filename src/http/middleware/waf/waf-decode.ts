/**
 * Decoding before matching: attackers hide payloads behind URL encoding (once or twice), HTML
 * entities, unicode escapes, full-width forms and base64. Rules match every variant this yields.
 */

const NAMED_ENTITIES: Record<string, string> = {
  lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', colon: ':', lpar: '(', rpar: ')', sol: '/', bsol: '\\',
  semi: ';', equals: '=', excl: '!', num: '#', dollar: '$', percnt: '%', lbrace: '{', rbrace: '}', grave: '`',
  vert: '|', tab: '\t', Tab: '\t', NewLine: '\n', nbsp: ' ', period: '.', comma: ',', plus: '+', quest: '?',
};

const codePoint = (n: number): string => (Number.isFinite(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '');

export function urlDecodeOnce(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  return s
    .replace(/%u([0-9a-f]{4})/gi, (_, h: string) => codePoint(parseInt(h, 16)))
    .replace(/(?:%[0-9a-f]{2})+/gi, (seq) => {
      try {
        return decodeURIComponent(seq);
      } catch {
        return seq.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      }
    });
}

export function htmlDecode(s: string): string {
  if (!s.includes('&')) return s;
  return s
    .replace(/&#x0*([0-9a-f]{1,6});?/gi, (_, h: string) => codePoint(parseInt(h, 16)))
    .replace(/&#0*([0-9]{1,7});?/g, (_, d: string) => codePoint(parseInt(d, 10)))
    .replace(/&([a-z]{2,8});/gi, (m, name: string) => NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? m);
}

export function unicodeUnescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s
    .replace(/\\u\{([0-9a-f]{1,6})\}/gi, (_, h: string) => codePoint(parseInt(h, 16)))
    .replace(/\\u([0-9a-f]{4})/gi, (_, h: string) => codePoint(parseInt(h, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => codePoint(parseInt(h, 16)));
}

/** Printable text (tabs and newlines allowed): what a base64 token must decode to before it is scanned. */
const isPrintable = (s: string) => s.length > 0 && /^[\x20-\x7e\t\r\n]*$/.test(s);

/** Tokens of 16+ base64 characters that decode to printable text. */
export function base64Texts(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    // '/' is a base64 digit but also a path separator: try the whole token and each segment.
    const candidates = m[0].includes('/') ? [m[0], ...m[0].split('/').filter((seg) => seg.length >= 16)] : [m[0]];
    for (const token of candidates) {
      const decoded = Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
      if (decoded.length >= 8 && isPrintable(decoded)) out.push(decoded);
    }
  }
  return out;
}

/**
 * Every form of `raw` a rule must see: the raw text, then URL (repeatedly: double encoding), unicode
 * escape, HTML entity and NFKC decoding applied until nothing changes (at most 4 rounds), then
 * base64 tokens of those. Deduplicated; the raw text is always first.
 */
export function decodedVariants(raw: string): string[] {
  const seen = new Set<string>([raw]);
  let current = raw;
  for (let round = 0; round < 4; round++) {
    const next = htmlDecode(unicodeUnescape(urlDecodeOnce(current))).normalize('NFKC');
    if (next === current) break;
    seen.add(next);
    current = next;
  }
  for (const v of [...seen]) for (const b of base64Texts(v)) seen.add(b);
  return [...seen];
}
