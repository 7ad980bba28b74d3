import { createInterface, type Interface } from 'node:readline';
import { CliError } from './cli-error.js';

/**
 * Questions on stderr, answers from stdin. On a terminal the password is not echoed; from a pipe
 * (`printf 'me@x\nsecret\n' | manuel login`) answers are read line by line from one shared reader,
 * because a fresh readline per question would swallow the lines buffered for the next one.
 */

let piped: { rl: Interface; lines: string[]; waiting: ((line: string | null) => void)[]; closed: boolean } | undefined;

function nextPipedLine(): Promise<string | null> {
  if (!piped) {
    const state = { rl: createInterface({ input: process.stdin }), lines: [] as string[], waiting: [] as ((l: string | null) => void)[], closed: false };
    state.rl.on('line', (line) => {
      const w = state.waiting.shift();
      if (w) w(line);
      else state.lines.push(line);
    });
    state.rl.on('close', () => {
      state.closed = true;
      for (const w of state.waiting.splice(0)) w(null);
    });
    piped = state;
  }
  const p = piped;
  if (p.lines.length) return Promise.resolve(p.lines.shift()!);
  if (p.closed) return Promise.resolve(null);
  return new Promise((resolve) => p.waiting.push(resolve));
}

/** Lets the process exit once prompting is over (an open stdin reader keeps it alive). */
export function closePrompts(): void {
  piped?.rl.close();
  piped = undefined;
}

export async function promptLine(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    process.stderr.write(question);
    const line = await nextPipedLine();
    process.stderr.write('\n');
    if (line === null) throw new CliError(`No answer on stdin for "${question.trim()}"`);
    return line.trim();
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.once('SIGINT', () => reject(new CliError('Cancelled', 130)));
      rl.question(question, (answer) => resolve(answer.trim()));
    });
  } finally {
    rl.close();
  }
}

export async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    process.stderr.write(question);
    const line = await nextPipedLine();
    process.stderr.write('\n');
    if (line === null) throw new CliError(`No answer on stdin for "${question.trim()}"`);
    return line;
  }
  process.stderr.write(question);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (input: string) => {
      for (const ch of input) {
        if (ch === '\r' || ch === '\n') return finish(), resolve(value);
        if (ch === '\u0003') return finish(), reject(new CliError('Cancelled', 130));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** yes/no; end of input counts as no. */
export async function confirm(question: string): Promise<boolean> {
  let answer: string;
  try {
    answer = await promptLine(`${question} [y/N] `);
  } catch (e) {
    if (e instanceof CliError && e.exitCode === 1) return false;
    throw e;
  }
  return /^y(es)?$/i.test(answer);
}
