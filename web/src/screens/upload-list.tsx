import type { Tracked } from './ingestion-tracker';

/** Per-file upload progress and ingestion status, updated while the server reads each manual. */
export function UploadList({ items, onDismiss }: { items: Tracked[]; onDismiss: (key: string) => void }) {
  if (items.length === 0) return null;
  return (
    <section class="uploads card" aria-labelledby="uploads-title">
      <h2 id="uploads-title">Uploads</h2>
      <ul>
        {items.map((t) => (
          <li key={t.key} class={`upload upload-${t.phase}`} data-phase={t.phase}>
            <div class="upload-head">
              <span class="upload-name">{t.name}</span>
              {(t.phase === 'completed' || t.phase === 'failed') && (
                <button type="button" class="link" onClick={() => onDismiss(t.key)} aria-label={`Dismiss ${t.name}`}>
                  Dismiss
                </button>
              )}
            </div>
            {t.phase === 'uploading' && (
              <progress max={100} value={Math.round(t.progress * 100)} aria-label={`Upload of ${t.name}`}>
                {Math.round(t.progress * 100)}%
              </progress>
            )}
            <p class={t.phase === 'failed' ? 'error' : 'status'} role={t.phase === 'failed' ? 'alert' : 'status'}>
              {t.phase === 'uploading' ? `Uploading… ${Math.round(t.progress * 100)}%` : t.detail}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
