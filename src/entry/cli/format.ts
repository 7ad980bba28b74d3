import type { SourceRef } from './api-types.js';

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** `manual p. N (label)`: the label is the number printed on the page, shown when it differs. */
export function formatSource(s: Pick<SourceRef, 'manual_name' | 'page_number' | 'page_label'>): string {
  const label = s.page_label && s.page_label !== String(s.page_number) ? ` (${s.page_label})` : '';
  return `${s.manual_name} p. ${s.page_number}${label}`;
}

/** Numbered like the answer's [n] citations, which count the sources in the order the server sent them. */
export function formatSources(sources: SourceRef[]): string[] {
  return sources.map((s, i) => `  [${i + 1}] ${formatSource(s)}`);
}

/** A plain text table: columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Nested JSON as indented `key: value` lines, for answers whose shape the CLI does not model. */
export function formatTree(value: unknown, indent = ''): string[] {
  if (value === null || typeof value !== 'object') return [`${indent}${String(value)}`];
  const lines: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = k.replace(/_/g, ' ');
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) lines.push(`${indent}${key}:`, ...formatTree(v, indent + '  '));
    else if (Array.isArray(v)) lines.push(`${indent}${key}: ${v.length === 0 ? '(none)' : v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')}`);
    else lines.push(`${indent}${key}: ${v === null ? '-' : String(v)}`);
  }
  return lines;
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace('T', ' ');
}
