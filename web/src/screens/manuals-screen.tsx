import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/http-client';
import type { Accepted, ManualList, ManualSummary } from '../api/types';
import { checkManualSize, maxManualBytes, noteRefusal, sizeText } from '../api/upload-limits';
import { uploadManual } from '../api/upload-request';
import { friendlyError } from '../lib/friendly-error';
import { useIngestionTracker } from './ingestion-tracker';
import { ManualRow } from './manual-row';
import { UploadList } from './upload-list';

const LIST_POLL_MS = 2000;

/** Fills in passage counts the list does not carry, from each manual's detail. */
async function withChunkCounts(list: ManualSummary[], known: Map<string, number>): Promise<ManualSummary[]> {
  return Promise.all(
    list.map(async (m) => {
      if (typeof m.chunks === 'number' || m.status !== 'completed') return m;
      if (known.has(m.id)) return { ...m, chunks: known.get(m.id) };
      const d = await api<ManualSummary>(`/api/manuals/${encodeURIComponent(m.id)}`).catch(() => null);
      if (d && typeof d.chunks === 'number') known.set(m.id, d.chunks);
      return d ? { ...m, chunks: d.chunks } : m;
    }),
  );
}

export function ManualsScreen() {
  const [manuals, setManuals] = useState<ManualSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [url, setUrl] = useState('');
  const [dragging, setDragging] = useState(false);
  const [maxBytes, setMaxBytes] = useState<number | null>(null);
  const chunkCounts = useRef(new Map<string, number>());
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const res = await api<ManualList>('/api/manuals');
      setManuals(await withChunkCounts(res.manuals, chunkCounts.current));
      setError(null);
    } catch (e) {
      setError(friendlyError(e));
    }
  }, []);
  const tracker = useIngestionTracker(() => void load());

  useEffect(() => void load(), [load]);
  useEffect(() => void maxManualBytes().then(setMaxBytes), []);
  // Manuals still being read (e.g. from another tab or before a reload) update by themselves.
  const pending = manuals?.some((m) => m.status === 'queued' || m.status === 'processing');
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => void load(), LIST_POLL_MS);
    return () => clearInterval(t);
  }, [pending, load]);

  const upload = (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      void tracker.track(file.name, async (onProgress) => {
        await checkManualSize(file);
        return uploadManual<Accepted>(file, onProgress).catch((e: unknown) => {
          noteRefusal(e);
          throw e;
        });
      });
    }
  };

  const importUrl = (e: Event) => {
    e.preventDefault();
    const u = url.trim();
    if (!u) return;
    setUrl('');
    void tracker.track(u.split('/').pop() || u, () => api<Accepted>('/api/manuals/download', { json: { url: u } }));
  };

  const needle = filter.trim().toLowerCase();
  const shown = (manuals ?? []).filter((m) => !needle || m.name.toLowerCase().includes(needle));

  return (
    <main class="manuals">
      <h1>Manuals</h1>
      <section
        class={`dropzone card${dragging ? ' is-dragging' : ''}`}
        aria-labelledby="upload-title"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (e.dataTransfer?.files.length) upload(e.dataTransfer.files);
        }}
      >
        <h2 id="upload-title">Add manuals</h2>
        <p>Drop PDF files here{maxBytes ? ` (up to ${sizeText(maxBytes)} each)` : ''}, or</p>
        <label class="button primary file-pick">
          Choose PDF files
          <input
            ref={fileInput}
            type="file"
            accept=".pdf,application/pdf"
            multiple
            class="visually-hidden"
            onChange={(e) => {
              const files = e.currentTarget.files;
              if (files?.length) upload(Array.from(files));
              e.currentTarget.value = '';
            }}
          />
        </label>
        <form class="url-form" onSubmit={importUrl}>
          <label for="import-url">Or import from a URL</label>
          <div class="row">
            <input id="import-url" type="url" placeholder="https://example.com/manual.pdf" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
            <button type="submit">Import</button>
          </div>
        </form>
      </section>

      <UploadList items={tracker.items} onDismiss={tracker.dismiss} />

      <section aria-labelledby="list-title">
        <div class="list-head">
          <h2 id="list-title">Your manuals{manuals ? ` (${manuals.length})` : ''}</h2>
          <label class="search">
            <span class="visually-hidden">Search manuals by name</span>
            <input type="search" placeholder="Search by name" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          </label>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {manuals === null && !error && <p role="status">Loading…</p>}
        {manuals?.length === 0 && <p>No manuals yet. Add a PDF above to start asking questions about it.</p>}
        {manuals && manuals.length > 0 && shown.length === 0 && <p>No manual matches “{filter}”.</p>}
        <ul class="manual-list">
          {shown.map((m) => (
            <ManualRow key={m.id} manual={m} onDeleted={() => void load()} />
          ))}
        </ul>
      </section>
    </main>
  );
}
