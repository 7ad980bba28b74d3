import type { CheckHttp } from './check-http.js';
import type { CheckUser } from './check-types.js';

type Step = { what: string; run: () => Promise<void> };

/**
 * Everything the check creates registers how to undo it here; `run()` undoes it all, newest first,
 * once (a second call waits for the first). The Ctrl+C handler of the command calls it too.
 */
export class CleanupRegistry {
  private readonly steps: Step[] = [];
  private running: Promise<string[]> | null = null;

  /** The cleanup's own client: not aborted by Ctrl+C, unlike the phases'. */
  constructor(readonly http: CheckHttp) {}

  add(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  /** Undoes everything; answers what could not be undone (one line each). */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const failed: string[] = [];
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (e) {
          failed.push(`${step.what}: ${(e as Error).message}`);
        }
      }
      return failed;
    })();
    return this.running;
  }
}

/**
 * Deletes every manual a throwaway user owns, listed from the server (not only those the check knows:
 * an upload cut short by Ctrl+C may still have landed), and checks the list is empty after.
 */
export async function deleteAllManualsOf(http: CheckHttp, token: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const list = await http.send('GET', '/api/manuals', { token });
    if (list.status !== 200) throw new Error(`listing manuals answered ${list.status}`);
    const manuals = (list.json?.manuals ?? []) as { id: string }[];
    if (manuals.length === 0) return;
    for (const m of manuals) {
      const del = await http.send('DELETE', `/api/manuals/${encodeURIComponent(m.id)}`, { token });
      if (del.status !== 200 && del.status !== 404) throw new Error(`deleting manual ${m.id} answered ${del.status}`);
    }
  }
  throw new Error('manuals keep appearing after deletion');
}

/**
 * Deletes a throwaway account with its own password (DELETE /api/user/account: its manuals, keys and
 * sessions go with it), then proves it is gone: its token and its password are refused. A server
 * older than that route (404) gets the manuals deleted one by one and the user signed out instead.
 * Answers whether the account is gone.
 */
export async function deleteThrowawayUser(http: CheckHttp, user: CheckUser, password: string): Promise<boolean> {
  const del = await http.send('DELETE', '/api/user/account', { token: user.token, json: { password } });
  if (del.status === 404 && del.json?.error_type === 'not_found') {
    await deleteAllManualsOf(http, user.token);
    await http.send('POST', '/api/auth/logout', { json: { refresh_token: user.refreshToken } });
    return false;
  }
  if (del.status !== 200) throw new Error(`deleting the account answered ${del.status} ${del.json?.error_type ?? ''}`.trim());
  const list = await http.send('GET', '/api/manuals', { token: user.token });
  if (list.status !== 401) throw new Error(`the deleted account's token still answers ${list.status}`);
  const login = await http.send('POST', '/api/auth/login', { json: { email: user.email, password } });
  if (login.status !== 401) throw new Error(`the deleted account's password still answers ${login.status}`);
  return true;
}
