import { errors } from '../../core/errors.js';
import { visibleOwners } from '../../core/model/visibility.js';
import { costOf, recordUsage, reserveQuota } from '../../core/usage/quota.js';
import type { AppServices, TranscribeAudioResult } from '../services.js';

type Deps = Pick<AppServices, 'transcribeAudio' | 'usage' | 'counters' | 'clock' | 'parameters'>;

/** Spoken question -> transcript: quota first (counted atomically), size cap, then the voice service; records a `transcribe` usage event. */
export async function transcribeForUser(deps: Deps, input: { userId: string; audio: Buffer; contentType: string | null }): Promise<TranscribeAudioResult> {
  if (!deps.transcribeAudio) throw errors.unavailable('Speech recognition is not available on this server');
  const maxBytes = Math.floor(deps.parameters.MaxAudioSizeMB * 1024 * 1024);
  if (input.audio.length > maxBytes) throw errors.tooLarge(maxBytes);
  if (input.audio.length === 0) throw errors.invalidAudio('The audio is empty');
  const reservation = await reserveQuota(deps, { userId: input.userId, parameters: deps.parameters });
  let t: TranscribeAudioResult;
  try {
    t = await deps.transcribeAudio({ audio: input.audio, contentType: input.contentType, owners: [...visibleOwners(input.userId)] });
  } catch (e) {
    await reservation.release().catch(() => undefined);
    throw e;
  }
  await recordUsage(deps, {
    userId: input.userId,
    operation: 'transcribe',
    reserved: true,
    costEur: costOf({ operation: 'transcribe', audioSeconds: t.durationS }, deps.parameters).total_cost,
    detail: { duration_s: t.durationS, engine: t.engine },
  });
  return t;
}
