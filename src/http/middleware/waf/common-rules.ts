import { patternRule, type WafRule } from './waf-rule.js';

/** In the spirit of AWS's Core rule set (AWSManagedRulesCommonRuleSet). Size limits live in the engine. */

const NOT_QUESTION = ['path', 'query', 'header', 'body', 'file_name', 'url'] as const;

export const noUserAgent: WafRule = {
  id: 'common.no_user_agent',
  description: 'A request without a User-Agent header (scripts and scanners; every browser, curl and the CLI send one)',
  inspects: ['header'],
  // The engine inspects the header *set* for this rule: value is the User-Agent, or '' when absent.
  matches: (_variants, v) => v.name === 'user-agent' && v.value.trim() === '',
  attacks: ['', '   '],
  noFire: ['curl/8.5.0', 'Mozilla/5.0 (X11; Linux x86_64)', 'manuel-cli/0.1.0', 'node'],
};

export const pathTraversal = patternRule({
  id: 'common.path_traversal',
  description: 'Directory traversal and local file inclusion: ../ segments, sensitive system files',
  inspects: NOT_QUESTION,
  patterns: [
    /(?:^|[\\/])\.\.(?:[\\/]|$)/,
    /\/etc\/(?:passwd|shadow|group|hosts\.(?:allow|deny)|sudoers)\b/i,
    /\/proc\/(?:self|\d+)\/(?:environ|cmdline|fd|maps|mem)\b/i,
    /\b(?:boot|win|system)\.ini\b/i,
    /[a-z]:\\+windows\\+(?:system32|win\.ini)/i,
    /\/var\/log\/(?:auth|secure|apache2?|nginx|httpd)/i,
  ],
  attacks: ['../../etc/passwd', '..\\..\\windows\\win.ini', 'manual/../../../etc/shadow', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%252e%252e%252fetc%252fpasswd', '/proc/self/environ', 'C:\\Windows\\System32\\drivers\\etc\\hosts', '....//....//etc/passwd'],
  noFire: ['router-manual.pdf', 'Printer guide v2.1', 'setup/network.pdf', 'a..b', 'chapter 1...3', '/etc/fstab options'],
});

export const remoteFileInclusion = patternRule({
  id: 'common.remote_file_inclusion',
  description: 'Remote file inclusion: a URL with a bare IP host, or a file/php/data/expect/phar/gopher/dict/jar/ldap scheme',
  // Not headers: Referer and Origin carry the page's own URL, often http://127.0.0.1:3000/.
  inspects: ['query', 'body', 'file_name', 'path'],
  patterns: [
    /\b(?:https?|ftps?):\/\/\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\//i,
    /\b(?:file|php|data|expect|phar|gopher|dict|jar|zip|ldaps?|rmi|dns|tftp):\/\//i,
    /\bdata:[a-z]+\/[a-z0-9.+-]+;base64,/i,
  ],
  attacks: ['http://203.0.113.7/shell.txt?', 'php://filter/convert.base64-encode/resource=index', 'file:///etc/hosts', 'gopher://127.0.0.1:6379/_FLUSHALL', 'expect://id', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'ftp://198.51.100.2/evil.php'],
  noFire: ['https://www.example.com/manuals/router.pdf', 'Manual from http://vendor.example/support', 'ldap settings', 'file name.pdf', 'data sheet'],
});

/** The URL-import `url` is a URL by design: only schemes other than http(s) are an attack there. */
export const importUrlScheme = patternRule({
  id: 'common.url_scheme',
  description: 'The URL to import is not http(s)',
  inspects: ['url'],
  patterns: [/^\s*(?!https?:\/\/)[a-z][a-z0-9+.-]*:/i],
  attacks: ['file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'dict://127.0.0.1:11211/stats', 'ftp://example.com/manual.pdf', 'jar:http://example.com/a.jar!/x', 'javascript:alert(1)'],
  noFire: ['https://www.example.com/manual.pdf', 'http://downloads.example.org/ups/nut-user-manual.pdf', 'https://example.com/a?b=c&d=e'],
});

export const crossSiteScripting = patternRule({
  id: 'common.xss',
  description: 'Cross-site scripting: script tags, event handlers, javascript: URLs, dangerous elements',
  inspects: NOT_QUESTION,
  patterns: [
    /<\s*script\b/i,
    /<\s*\/\s*script\s*>/i,
    /\bjavascript\s*:/i,
    /\bvbscript\s*:/i,
    /<[a-z][^>]*?[\s/"']on[a-z]{3,}\s*=/i,
    /<\s*(?:iframe|frame|object|embed|applet|meta|base|link|svg|math|form)\b/i,
    /\bdocument\s*\.\s*(?:cookie|domain|write)\b/i,
    /\bexpression\s*\(/i,
    /\bsrcdoc\s*=/i,
  ],
  attacks: ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '<svg/onload=alert(1)>', 'javascript:alert(document.cookie)', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', '&lt;script&gt;alert(1)&lt;/script&gt;', '\\u003cscript\\u003ealert(1)', '＜script＞alert(1)＜/script＞', '<iframe src=//evil.example>', '<body onload=alert(1)>', 'PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  noFire: ['Router <model> manual', 'a < b and c > d', 'Script reference guide', 'The onload option', 'java script basics', 'expression builder'],
});

const METADATA_HOSTS = [
  /\b169\.254\.169\.254\b/,
  /\b0*251\.0*376\.0*251\.0*376\b/, // octal
  /\b2852039166\b/, // decimal
  /\b0x0*a9\.?0x0*fe\.?0x0*a9\.?0x0*fe\b/i,
  /\b0xa9fea9fe\b/i,
  /::ffff:(?:169\.254\.169\.254|a9fe:a9fe)\b/i,
  /\bfd00:ec2::254\b/i,
  /\bmetadata\.google\.internal\b/i,
  /\b169\.254\.170\.2\b/, // ECS task metadata
];

export const cloudMetadata = patternRule({
  id: 'common.ec2_metadata',
  description: 'The EC2 (and cloud) instance metadata address, in any of its spellings, in any field',
  inspects: ['path', 'query', 'header', 'body', 'file_name', 'url', 'question'],
  patterns: METADATA_HOSTS,
  attacks: ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'http://2852039166/latest/', 'http://0xa9fea9fe/', 'http://[::ffff:a9fe:a9fe]/', 'http://0251.0376.0251.0376/', 'http://[fd00:ec2::254]/latest/', '169%2E254%2E169%2E254'],
  noFire: ['http://169.254.1.1/', '192.168.1.1 admin page', 'ip 169.254.0.0/16 link-local range', 'version 2.85.2039'],
});

export const commonRules: readonly WafRule[] = [noUserAgent, pathTraversal, remoteFileInclusion, importUrlScheme, crossSiteScripting, cloudMetadata];
