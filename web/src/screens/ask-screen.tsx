import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiFetch, errorFromResponse } from '../api/http-client';
import type { Session } from '../api/session-store';
import type { QueryAnswer } from '../api/types';
import { friendlyError } from '../lib/friendly-error';
import { recentQuestions, rememberQuestion } from '../lib/recent-questions';
import { MicButton } from '../voice/mic-button';
import type { Recording } from '../voice/voice-recorder';
import { SourceCard } from './source-card';

const VOICE_LIMIT_S = 30;

interface Shown {
  answer: QueryAnswer;
  spoken: string | null;
}
// Kept across screens so coming back from a page shows the same answer.
let lastShown: Shown | null = null;

export function AskScreen({ session }: { session: Session }) {
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState<null | 'text' | 'voice'>(null);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<Shown | null>(lastShown);
  const [recent, setRecent] = useState(() => recentQuestions(session.userId));
  const answerRef = useRef<HTMLElement>(null);

  useEffect(() => {
    lastShown = shown;
    if (shown) answerRef.current?.focus();
  }, [shown]);

  const run = async (kind: 'text' | 'voice', send: () => Promise<QueryAnswer>) => {
    setBusy(kind);
    setError(null);
    try {
      const answer = await send();
      const t = answer.transcription;
      const spoken = kind === 'voice' ? ((typeof t === 'string' ? t : t?.text) ?? answer.question ?? '') : null;
      setRecent(rememberQuestion(session.userId, spoken ?? answer.question));
      setShown({ answer, spoken });
    } catch (e) {
      setError(friendlyError(e, kind === 'voice' ? 'voice' : 'ask'));
    } finally {
      setBusy(null);
    }
  };

  const ask = (q: string) => {
    const text = q.trim();
    if (!text) return setError('Type a question first, or hold the microphone button and speak.');
    void run('text', () => api<QueryAnswer>('/api/query', { json: { question: text, include_sources: true } }));
  };

  const askByVoice = (rec: Recording) =>
    void run('voice', async () => {
      const form = new FormData();
      const ext = rec.blob.type.includes('ogg') ? 'ogg' : rec.blob.type.includes('mp4') ? 'm4a' : 'webm';
      form.append('audio', rec.blob, `question.${ext}`);
      form.append('include_sources', 'true');
      const res = await apiFetch('/api/query', { body: form });
      if (!res.ok) throw await errorFromResponse(res);
      return (await res.json()) as QueryAnswer;
    });

  const a = shown?.answer;
  return (
    <main class="ask">
      <h1 class="visually-hidden">Ask</h1>
      <form
        class="ask-form card"
        onSubmit={(e) => {
          e.preventDefault();
          ask(question);
        }}
      >
        <label for="question">Your question</label>
        <div class="ask-row">
          <input
            id="question"
            name="question"
            type="text"
            placeholder="e.g. How do I reset the device?"
            autoComplete="off"
            maxLength={1000}
            value={question}
            onInput={(e) => setQuestion(e.currentTarget.value)}
          />
          <button type="submit" class="primary" disabled={!!busy}>
            {busy === 'text' ? 'Asking…' : 'Ask'}
          </button>
          <MicButton disabled={!!busy} limitSeconds={VOICE_LIMIT_S} onRecorded={askByVoice} onError={setError} />
        </div>
        <p class="hint">Hold the microphone to speak (or tap it to start and tap again to stop), up to {VOICE_LIMIT_S} s.</p>
        {busy === 'voice' && <p role="status">Listening to your question…</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>

      {a && (
        <section class="answer card" aria-labelledby="answer-title" tabIndex={-1} ref={answerRef}>
          {shown.spoken !== null && (
            <p class="you-said">
              You said: <q>{shown.spoken || '(nothing recognised)'}</q>
            </p>
          )}
          <h2 id="answer-title">Answer</h2>
          <p class="answer-text">{a.answer}</p>
          {!a.context_found && (
            <p class="hint">
              {a.sources.length > 0
                ? 'Nothing in your manuals answers this clearly: check the closest pages below, try other words, or upload the manual.'
                : 'Nothing in your manuals seems to answer this. Try other words, or upload the manual.'}
            </p>
          )}
          {a.answer_source === 'extractive-fallback' && (
            <p class="hint" role="status">
              The answer model did not respond, so this answer quotes the manual's passage directly.
            </p>
          )}
          <p class="meta">
            {typeof a.response_time_ms === 'number' && <span>{a.response_time_ms} ms</span>}
            {a.cache_status && <span> · cache {a.cache_status}</span>}
          </p>
          {a.sources.length > 0 && (
            <>
              <h3>Sources</h3>
              <ol class="sources">
                {a.sources.map((s, i) => (
                  <SourceCard key={`${s.manual_id}-${s.page_number}-${i}`} source={s} index={i} />
                ))}
              </ol>
            </>
          )}
        </section>
      )}

      {recent.length > 0 && (
        <section class="recent card" aria-labelledby="recent-title">
          <h2 id="recent-title">Recent questions</h2>
          <ul>
            {recent.map((q) => (
              <li key={q}>
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    setQuestion(q);
                    ask(q);
                  }}
                >
                  {q}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
