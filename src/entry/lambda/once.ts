/**
 * A value built on the first call and shared by every later one: the services and the app of a Lambda
 * container are made at its cold start and reused by each invocation it serves. A build that fails is
 * not kept, so the next invocation tries again instead of the container failing until it is recycled.
 */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () =>
    (pending ??= build().catch((e: unknown) => {
      pending = null;
      throw e;
    }));
}
