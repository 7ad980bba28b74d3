export type AlarmState = 'ok' | 'alarm' | 'insufficient_data';

/** The last state an alarm moved to, and when. */
export interface AlarmRecord {
  name: string;
  state: AlarmState;
  /** ISO 8601: when it entered this state. */
  since: string;
  /** The figure that moved it (null without data). */
  value: number | null;
}

/**
 * Alarm states, kept so that a restart does not raise an alarm again and several processes on one
 * data dir raise it once: a transition is a compare-and-set, and only its winner notifies.
 */
export interface AlarmStateStore {
  list(): Promise<AlarmRecord[]>;
  /**
   * Sets `next` if the alarm's state is still `from` (null: no record yet); false when another process
   * (or an earlier run) moved it first.
   */
  transition(from: AlarmState | null, next: AlarmRecord): Promise<boolean>;
}
