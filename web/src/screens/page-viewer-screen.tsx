import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiFetch, errorFromResponse } from '../api/http-client';
import type { ManualSummary } from '../api/types';
import { friendlyError } from '../lib/friendly-error';
import { href, navigate } from '../lib/hash-router';

type ViewModule = typeof import('../viewer/pdf-page-view');
type Doc = import('../viewer/pdf-page-view').PdfDocument;
type View = import('../viewer/pdf-page-view').RenderedView;

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
// One open document at a time: coming back to the same manual does not download it again.
let cached: { id: string; doc: Promise<Doc> } | null = null;
let viewModule: Promise<ViewModule> | null = null;
const loadView = () => (viewModule ??= import('../viewer/pdf-page-view'));

function openManual(id: string): Promise<Doc> {
  if (cached?.id === id) return cached.doc;
  void cached?.doc.then((d) => d.destroy()).catch(() => {});
  const doc = (async () => {
    const [view, res] = await Promise.all([loadView(), apiFetch(`/api/manuals/${encodeURIComponent(id)}/file`)]);
    if (!res.ok) throw await errorFromResponse(res);
    return view.openPdf(await res.arrayBuffer());
  })();
  cached = { id, doc };
  doc.catch(() => cached?.doc === doc && (cached = null));
  return doc;
}

interface Props {
  manualId: string;
  page: number;
  highlight: string;
  zoom: number;
}

/** One page of a manual, fitted to the screen width, with the cited passage highlighted. */
export function PageViewerScreen({ manualId, page, highlight, zoom }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const [doc, setDoc] = useState<Doc | null>(null);
  const [manual, setManual] = useState<ManualSummary | null>(null);
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const pages = doc?.numPages ?? manual?.pages ?? 0;
  const go = (p: number, z = zoom) => navigate(href(['manuals', manualId, 'pages', p], { hl: highlight, zoom: z === 1 ? undefined : z }), true);

  useEffect(() => {
    setError(null);
    setDoc(null);
    api<ManualSummary>(`/api/manuals/${encodeURIComponent(manualId)}`).then(setManual, () => setManual(null));
    openManual(manualId).then(setDoc, (e) => setError(friendlyError(e)));
  }, [manualId]);

  useEffect(() => {
    if (!doc || !canvasRef.current || !wrapRef.current) return;
    if (page < 1 || page > doc.numPages) return setError(`This manual has ${doc.numPages} pages; there is no page ${page}.`);
    let stale = false;
    const width = Math.max(200, Math.min(wrapRef.current.clientWidth, 1000));
    loadView()
      .then((m) => m.renderPage(doc, page, canvasRef.current!, width, zoom, highlight).catch((e) => (m.isCancelled(e) ? null : Promise.reject(e))))
      .then((v) => {
        if (stale || !v) return;
        setView(v);
        setError(null);
      })
      .catch(() => !stale && setError('This page could not be displayed.'));
    return () => void (stale = true);
  }, [doc, page, zoom, highlight]);

  // Bring the cited passage into view once it is drawn.
  useEffect(() => {
    wrapRef.current?.querySelector('.hl')?.scrollIntoView({ block: 'center', inline: 'nearest' });
  }, [view]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement)?.closest('input, textarea')) return;
      if (e.key === 'ArrowLeft' && page > 1) go(page - 1);
      if (e.key === 'ArrowRight' && pages && page < pages) go(page + 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const zi = ZOOMS.indexOf(zoom) >= 0 ? ZOOMS.indexOf(zoom) : 2;
  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      window.prompt('Copy this link', location.href);
    }
  };

  return (
    <main class="viewer">
      <div class="viewer-bar" role="toolbar" aria-label="Page controls">
        <button type="button" onClick={() => history.back()} aria-label="Back">
          ← Back
        </button>
        <h1 class="viewer-title">{manual?.name ?? 'Manual'}</h1>
        <div class="group">
          <button type="button" onClick={() => go(page - 1)} disabled={page <= 1} aria-label="Previous page">
            ‹ Prev
          </button>
          <span class="page-no" aria-live="polite">
            Page {page}
            {pages ? ` of ${pages}` : ''}
            {view?.label && view.label !== String(page) ? ` (printed ${view.label})` : ''}
          </span>
          <button type="button" onClick={() => go(page + 1)} disabled={!pages || page >= pages} aria-label="Next page">
            Next ›
          </button>
        </div>
        <div class="group">
          <button type="button" onClick={() => go(page, ZOOMS[zi - 1]!)} disabled={zi <= 0} aria-label="Zoom out">
            −
          </button>
          <span class="zoom" aria-label="Zoom level">
            {Math.round(zoom * 100)}%
          </span>
          <button type="button" onClick={() => go(page, ZOOMS[zi + 1]!)} disabled={zi >= ZOOMS.length - 1} aria-label="Zoom in">
            +
          </button>
          <button type="button" onClick={copyLink}>
            {copied ? 'Link copied' : 'Copy link'}
          </button>
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!doc && !error && <p role="status">Loading the manual…</p>}
      <div class="page-scroll" ref={wrapRef}>
        <div
          class="page-frame"
          data-rendered-page={view ? page : undefined}
          data-highlights={view?.boxes.length ?? 0}
          style={view ? { width: `${Math.floor(view.width)}px`, height: `${Math.floor(view.height)}px` } : undefined}
        >
          <canvas ref={canvasRef} role="img" aria-label={`Page ${page} of ${manual?.name ?? 'the manual'}`} />
          {view?.boxes.map((b, i) => (
            <div key={i} class="hl" style={{ left: `${b.left}px`, top: `${b.top}px`, width: `${b.width}px`, height: `${b.height}px` }} />
          ))}
        </div>
      </div>
      {highlight && view && view.boxes.length === 0 && <p class="hint">The cited passage could not be located exactly on this page.</p>}
    </main>
  );
}
