/** In-memory fakes of the monitoring ports (each passes its port's contract suite) and a recording notifier. */
import { emptyMinute, mergeByMinute, mergeMinute } from '../../src/core/monitoring/minute-stats.js';
import type { AlarmRecord, AlarmState, AlarmStateStore } from '../../src/core/ports/alarm-states.js';
import type { DayCost, MinuteStats, MinuteStatsStore } from '../../src/core/ports/minute-stats.js';
import type { AlertEvent, Notifier } from '../../src/core/ports/notifier.js';

export class MemoryMinuteStats implements MinuteStatsStore {
  private readonly rows = new Map<string, MinuteStats>();

  async add(source: string, rows: MinuteStats[]): Promise<void> {
    for (const r of structuredClone(rows)) {
      const key = `${r.minute}\n${source}`;
      const before = this.rows.get(key);
      const merged = mergeMinute(before ?? emptyMinute(r.minute), r);
      if (before) {
        merged.dlqSize = r.dlqSize ?? before.dlqSize;
        merged.queueDepth = r.queueDepth ?? before.queueDepth;
      }
      this.rows.set(key, merged);
    }
  }

  async read(from: number, to: number): Promise<MinuteStats[]> {
    return mergeByMinute(structuredClone([...this.rows.values()].filter((r) => r.minute >= from && r.minute <= to)));
  }

  async costByDay(from: number, to: number): Promise<DayCost[]> {
    const out = new Map<string, DayCost>();
    for (const r of await this.read(from, to)) {
      const day = new Date(r.minute * 1000).toISOString().slice(0, 10);
      for (const [operation, c] of Object.entries(r.costs)) {
        const d = out.get(`${day}\n${operation}`) ?? { day, operation, eur: 0, count: 0 };
        d.eur += c.eur;
        d.count += c.count;
        out.set(`${day}\n${operation}`, d);
      }
    }
    return [...out.values()].sort((a, b) => a.day.localeCompare(b.day) || a.operation.localeCompare(b.operation));
  }

  async prune(before: number): Promise<number> {
    let n = 0;
    for (const [k, r] of this.rows) if (r.minute < before && this.rows.delete(k)) n++;
    return n;
  }
}

export class MemoryAlarmStates implements AlarmStateStore {
  private readonly states = new Map<string, AlarmRecord>();

  async list(): Promise<AlarmRecord[]> {
    return [...this.states.values()].map((r) => ({ ...r })).sort((a, b) => a.name.localeCompare(b.name));
  }

  async transition(from: AlarmState | null, next: AlarmRecord): Promise<boolean> {
    const now = this.states.get(next.name);
    if ((now?.state ?? null) !== from) return false;
    this.states.set(next.name, { ...next });
    return true;
  }
}

/** Keeps every alert it is given. */
export class RecordingNotifier implements Notifier {
  readonly events: AlertEvent[] = [];
  notify(event: AlertEvent): void {
    this.events.push(event);
  }
  /** The alarm notifications as `name:state` (state `alarm` when raised, `ok` when cleared). */
  alarms(): string[] {
    return this.events.filter((e) => e.kind === 'alarm').map((e) => `${e.fields?.alarm}:${e.fields?.state}`);
  }
}
