/** The UTC day and month `at` falls in, as the keys counters are stored under. */
export function usagePeriods(at: Date): { day: string; month: string; dayEndsAt: Date; monthEndsAt: Date } {
  const iso = at.toISOString();
  return {
    day: iso.slice(0, 10),
    month: iso.slice(0, 7),
    dayEndsAt: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1)),
    monthEndsAt: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)),
  };
}

/** Whether one more operation keeps `used` within `limit` (0: no limit). */
export const withinLimit = (used: number, limit: number) => limit === 0 || used < limit;
