import { commandInjection } from './command-injection-rules.js';
import { crossSiteScripting, pathTraversal } from './common-rules.js';
import { sqlInjection } from './sqli-rules.js';
import type { WafRule } from './waf-rule.js';

/**
 * A question is only ever search text: it is never executed, rendered as HTML or put in SQL. So it
 * is not blocked for looking technical ("ip link set eth0 up", "<device>", "a && b", "select the
 * paper size"); only for what can hurt as search text or hides an attack from the other rules.
 * (Log4Shell lookups, Java serialized objects and the metadata address apply to questions too:
 * see their families.)
 */

export const MAX_QUESTION_CHARS = 20_000;

export const questionLength: WafRule = {
  id: 'question.length',
  description: `A question longer than ${MAX_QUESTION_CHARS} characters (no manual question is; MaxQuestionLength refuses shorter ones with a 400)`,
  inspects: ['question'],
  matches: (_variants, v) => v.value.length > MAX_QUESTION_CHARS,
  attacks: ['A'.repeat(MAX_QUESTION_CHARS + 1)],
  noFire: ['how do I reset the router?', 'x'.repeat(2000)],
};

export const questionControlChars: WafRule = {
  id: 'question.control_characters',
  description: 'NUL and other control characters, and bidirectional overrides that hide text (tabs and newlines are fine)',
  inspects: ['question'],
  matches: (_variants, v) => /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]/.test(v.value),
  attacks: ['reset\x00the router', 'what is \u202eevil', 'a\x1bb'],
  noFire: ['line one\nline two', 'tab\tseparated', 'Ünïcödé façade naïve', '日本語の質問'],
};

const SMUGGLED = [crossSiteScripting, sqlInjection, commandInjection, pathTraversal];

export const questionEncodedPayload: WafRule = {
  id: 'question.encoded_payload',
  description: 'An attack hidden behind URL, double URL, HTML entity, unicode or base64 encoding (the decoded text matches a rule the plain text does not)',
  inspects: ['question'],
  matches: (variants, v) => {
    if (variants.length < 2) return false;
    const [raw, ...decoded] = variants;
    return SMUGGLED.some((rule) => !rule.matches([raw!], v) && rule.matches(decoded, v));
  },
  attacks: [
    'how do I %3Cscript%3Ealert(1)%3C%2Fscript%3E',
    'reset %2527%2520OR%25201%253D1--',
    'what is &#60;script&#62;alert(1)&#60;/script&#62;',
    'manual PHNjcmlwdD5hbGVydChkb2N1bWVudC5jb29raWUpPC9zY3JpcHQ+',
    'help \\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
    'show %2e%2e%2f%2e%2e%2fetc%2fpasswd',
  ],
  noFire: [
    'what does %20 mean in a URL?',
    'how do I type &lt;device&gt; in the config',
    'What is the URL encoding of a space, %20 or +?',
    'how do I run `cat /etc/fstab`',
    'why does ../ not work in the path',
    'my token is dGhpcyBpcyBqdXN0IGEgdGVzdA== is that valid',
  ],
};

export const questionRules: readonly WafRule[] = [questionLength, questionControlChars, questionEncodedPayload];
