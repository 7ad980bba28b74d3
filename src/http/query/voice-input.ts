import { errors } from '../../core/errors.js';
import { visibleOwners } from '../../core/model/visibility.js';
import { costOf, recordUsage } from '../../core/usage/quota.js';
import type { AppServices, TranscribeAudioResult } from '../services.js';
import { quotaOf } from './answer-query.js';

type Deps = Pick<AppServices, 'transcribeAudio' | 'usage' | 'clock' | 'parameters'>;

/** Spoken question -> transcript: quota first, size cap, then the voice service; records a `transcribe` usage event. */
export async function transcribeForUser(deps: Deps, input: { userId: string; audio: Buffer; contentType: string | null }): Promise<TranscribeAudioResult> {
  if (!deps.transcribeAudio) throw errors.unavailable('Speech recognition is not available on this server');
  const maxBytes = Math.floor(deps.parameters.MaxAudioSizeMB * 1024 * 1024);
  if (input.audio.length > maxBytes) throw errors.tooLarge(maxBytes);
  if (input.audio.length === 0) throw errors.invalidAudio('The audio is empty');
  await quotaOf(deps, input.userId);
  const t = await deps.transcribeAudio({ audio: input.audio, contentType: input.contentType, owners: [...visibleOwners(input.userId)] });
  await recordUsage(deps, {
    userId: input.userId,
    operation: 'transcribe',
    costEur: costOf({ operation: 'transcribe', audioSeconds: t.durationS }, deps.parameters).total_cost,
    detail: { duration_s: t.durationS, engine: t.engine },
  });
  return t;
}
