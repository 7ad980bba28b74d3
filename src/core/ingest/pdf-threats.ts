import type { Manual } from '../model/types.js';
import type { PdfInspection } from '../ports/pdf-inspector.js';

/**
 * Names that make a PDF active: they run code, start programs, carry files, or send data out.
 * Their presence quarantines the manual. /OpenAction and /AA are only triggers: alone they are in
 * most manuals ("open at page 1"; 3 of the 4 eval manuals have /OpenAction), so they quarantine
 * nothing by themselves and only say, in the reason, that the active content fires on its own.
 */
const ACTIVE: [names: string[], label: string][] = [
  [['JavaScript', 'JS'], 'JavaScript'],
  [['Launch'], 'a Launch action (starts a program)'],
  [['EmbeddedFile', 'EmbeddedFiles'], 'embedded files'],
  [['XFA'], 'an XFA form'],
  [['RichMedia'], 'rich media (Flash, video)'],
  [['SubmitForm'], 'a form that sends data out'],
  [['ImportData'], 'an ImportData action'],
];

/** Why the manual must be quarantined, or null when nothing active was found. */
export function quarantineReason(inspection: PdfInspection): string | null {
  const kw = inspection.keywords;
  const found = ACTIVE.filter(([names]) => names.some((n) => (kw[n] ?? 0) > 0)).map(([, label]) => label);
  if (inspection.opaqueObjectStreams > 0) found.push(`${inspection.opaqueObjectStreams} object stream(s) that could not be inspected (encrypted or damaged)`);
  if (found.length === 0) return null;
  const triggers = ['OpenAction', 'AA'].filter((n) => (kw[n] ?? 0) > 0).map((n) => `/${n}`);
  return `The PDF contains ${found.join(', ')}${triggers.length ? `, with automatic actions (${triggers.join(', ')})` : ''}`;
}

/** Quarantined until an admin releases it: only the original bytes are withheld (see ADR 0008). */
export const isQuarantined = (m: Pick<Manual, 'quarantineReason' | 'quarantineReleasedAt'>): boolean =>
  m.quarantineReason !== null && m.quarantineReleasedAt === null;
