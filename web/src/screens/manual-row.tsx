import { useState } from 'preact/hooks';
import { api } from '../api/http-client';
import type { ManualSummary } from '../api/types';
import { failureReason, friendlyError } from '../lib/friendly-error';
import { href } from '../lib/hash-router';

const size = (bytes: number) => (bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);
const STATUS: Record<string, string> = { queued: 'Waiting', processing: 'Reading…', completed: 'Ready', failed: 'Failed' };

export function ManualRow({ manual, onDeleted }: { manual: ManualSummary; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shared = manual.owner === 'shared' || manual.shared === true;

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/manuals/${encodeURIComponent(manual.id)}`, { method: 'DELETE' });
      onDeleted();
    } catch (e) {
      setError(friendlyError(e));
      setBusy(false);
    }
  };

  return (
    <li class="manual card" data-status={manual.status}>
      <div class="manual-head">
        <strong class="manual-name">{manual.name}</strong>
        <span class={`badge badge-${manual.status}`}>{STATUS[manual.status] ?? manual.status}</span>
        {manual.quarantined === true && <span class="badge badge-failed">Quarantined</span>}
      </div>
      <p class="meta">
        {manual.pages > 0 && <span>{manual.pages} pages</span>}
        {typeof manual.chunks === 'number' && <span> · {manual.chunks} passages</span>}
        <span> · {size(manual.size)}</span>
        <span> · {new Date(manual.upload_date).toLocaleDateString()}</span>
        {shared && <span> · shared library</span>}
      </p>
      {manual.status === 'failed' && manual.error && <p class="error">Could not read it: {failureReason(manual.error)}</p>}
      {manual.quarantined === true && (
        <p class="error">
          Quarantined: {String(manual.quarantine_reason ?? 'active content')}. Its text is searchable, but the original file is withheld until an admin releases it.
        </p>
      )}
      <div class="actions">
        {manual.pages > 0 && (
          <a class="button" href={href(['manuals', manual.id, 'pages', 1])}>
            View
          </a>
        )}
        {!shared &&
          (confirming ? (
            <span class="confirm" role="group" aria-label={`Confirm deleting ${manual.name}`}>
              <span>Delete “{manual.name}” and its index?</span>
              <button type="button" class="danger" disabled={busy} onClick={remove}>
                {busy ? 'Deleting…' : 'Yes, delete'}
              </button>
              <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${manual.name}`}>
              Delete
            </button>
          ))}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
