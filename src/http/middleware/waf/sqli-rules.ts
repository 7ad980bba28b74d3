import { patternRule, type WafRule } from './waf-rule.js';

/**
 * In the spirit of AWS's AWSManagedRulesSQLiRuleSet. Never applied to questions: "select the paper
 * size" or "drop the old key and update the set" are what people ask. In names, parameters and
 * headers, SQL needs its syntax to match: a quote that closes a string, a comment, a tautology.
 */

// Whitespace as SQL sees it, including inline comments (UNION/**/SELECT).
const S = String.raw`(?:\s|/\*.*?\*/|\+)+`;
const S0 = String.raw`(?:\s|/\*.*?\*/|\+)*`;
const rx = (source: string) => new RegExp(source, 'i');

export const sqlInjection = patternRule({
  id: 'sqli.generic',
  description: 'SQL injection: string break-outs with tautologies or stacked queries, UNION SELECT, time-based and metadata probes',
  inspects: ['query', 'body', 'file_name', 'header', 'path', 'url'],
  patterns: [
    rx(String.raw`['"\`]\)?${S}(?:or|and|xor|\|\||&&)${S0}(?:['"\`]?\w*['"\`]?${S0}(?:=|<>|!=|like|>|<)|\d+${S0}(?:=|<>|>|<)|true|false|not\b|\(|exists)`),
    rx(String.raw`\b(?:or|and)${S}(\d+)${S0}=${S0}\1\b`),
    rx(String.raw`\bunion(?:${S}(?:all|distinct))?${S}select\b`),
    rx(String.raw`(?:['"\`]|;)${S0};?${S0}(?:drop${S}(?:table|database|schema)|delete${S}from|insert${S}into|update${S}\w+${S}set|truncate${S}table|alter${S}table|create${S}(?:table|user)|exec(?:ute)?${S}(?:master|xp_|sp_|\()|declare${S}@|shutdown\b|select${S}[\w*,\s@()]+?${S}from)\b`),
    rx(String.raw`['"\`]${S0}(?:--|/\*)`),
    rx(String.raw`['"\`]\s*#\s*$`),
    rx(String.raw`\b(?:sleep|pg_sleep|benchmark)${S0}\(${S0}\d`),
    rx(String.raw`\bwaitfor${S}delay${S0}'`),
    rx(String.raw`\b(?:xp_cmdshell|sp_executesql|sp_oacreate|information_schema\.|pg_catalog\.|sqlite_master|mysql\.user|sys\.objects)\b`),
    rx(String.raw`\b(?:load_file|into${S}(?:out|dump)file|utl_http|dbms_pipe|extractvalue|updatexml)\b`),
    rx(String.raw`@@(?:version|datadir|hostname)\b`),
    rx(String.raw`\b(?:char|chr)${S0}\(${S0}\d+${S0}\)${S0}(?:\+|\|\||,)${S0}(?:char|chr)${S0}\(`),
  ],
  attacks: [
    "' OR '1'='1",
    "' or 1=1--",
    "admin'--",
    '1 OR 1=1',
    "1' AND SLEEP(5)#",
    "x' UNION SELECT username, password FROM users--",
    '1 UNION/**/SELECT null,version()',
    "'; DROP TABLE manuals; --",
    "1; WAITFOR DELAY '0:0:5'--",
    "' AND extractvalue(1,concat(0x7e,version()))--",
    '1 AND (SELECT * FROM information_schema.tables)',
    "%27%20OR%20%271%27%3D%271",
    "'||(select pg_sleep(5))||'",
    "CHAR(83)+CHAR(69)+CHAR(76)",
    '" or ""="',
  ],
  noFire: [
    "Bob's router manual",
    "O'Reilly networking guide",
    'select the paper size',
    'drop the old key and update the set',
    'Union Pacific locomotive manual',
    'Sleep mode settings',
    "Rock 'n' roll amplifier",
    'version 1.2 -- final',
    'or 5 minutes',
    'Router (old) update notes',
    'Manual; update 2',
    'The "#1" guide',
  ],
});

export const sqliRules: readonly WafRule[] = [sqlInjection];
