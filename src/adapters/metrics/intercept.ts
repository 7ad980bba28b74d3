/**
 * `target` with some methods wrapped, every other member forwarded as it is. A decorator written this
 * way keeps working when its port gains a method (and keeps the adapter's own extras, like the SQLite
 * queue's onEnqueue), where a hand-written forwarding class would silently lack it.
 */
export function intercept<T extends object>(target: T, wrapped: { [K in keyof T]?: T[K] }): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(wrapped, prop)) return wrapped[prop as keyof T];
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}
