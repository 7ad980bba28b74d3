/** Recording stand-ins of the notifier and the error tracker (another part of issue 9 implements them): they keep what they are given. */
import type { ErrorOccurrence, ErrorRecord, ErrorTracker } from '../../src/core/ports/error-tracker.js';
import type { AlertEvent, Notifier } from '../../src/core/ports/notifier.js';

export class RecordingNotifier implements Notifier {
  readonly events: AlertEvent[] = [];
  notify(event: AlertEvent): void {
    this.events.push(structuredClone(event));
  }
  of(kind: AlertEvent['kind']): AlertEvent[] {
    return this.events.filter((e) => e.kind === kind);
  }
}

export class RecordingErrorTracker implements ErrorTracker {
  readonly occurrences: ErrorOccurrence[] = [];
  async record(o: ErrorOccurrence): Promise<ErrorRecord | null> {
    this.occurrences.push(o);
    return null;
  }
  async list(): Promise<ErrorRecord[]> {
    return [];
  }
  async prune(): Promise<number> {
    return 0;
  }
}
