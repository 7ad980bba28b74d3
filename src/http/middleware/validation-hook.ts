import { errors } from '../../core/errors.js';

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
}

/** zod failures become 400 validation_error naming the first offending field. */
export function validationHook(result: { success: boolean; error?: { issues: ZodIssueLike[] }; target?: string }): void {
  if (result.success) return;
  const issues = (result.error?.issues ?? []).map((i) => ({ field: i.path.map(String).join('.') || (result.target ?? 'body'), message: i.message }));
  const first = issues[0] ?? { field: result.target ?? 'body', message: 'Invalid input' };
  throw errors.validation(`${first.field}: ${first.message}`, { field: first.field, issues });
}
