import { useEffect, useRef, useState } from 'preact/hooks';
import { VoiceRecorder, type Recording } from './voice-recorder';

interface Props {
  disabled?: boolean;
  limitSeconds: number;
  onRecorded(rec: Recording): void;
  onError(message: string): void;
}

/** A press shorter than this is a tap: recording continues until the next tap. */
const TAP_MS = 350;
const MIN_RECORDING_MS = 400;

/** Hold to talk (pointer or Space/Enter), or tap to start and tap again to stop. */
export function MicButton({ disabled, limitSeconds, onRecorded, onError }: Props) {
  const [state, setStateView] = useState<'idle' | 'starting' | 'recording'>('idle');
  // Pointer events can arrive before a re-render: handlers read the ref, the view reads the state.
  const stateRef = useRef<'idle' | 'starting' | 'recording'>('idle');
  const setState = (s: 'idle' | 'starting' | 'recording') => {
    stateRef.current = s;
    setStateView(s);
  };
  const [level, setLevel] = useState(0);
  const [elapsed, setElapsed] = useState(0);
  const rec = useRef<VoiceRecorder | null>(null);
  const pressAt = useRef(0);
  const latched = useRef(false);
  const releasedEarly = useRef(false);

  useEffect(() => () => rec.current?.cancel(), []);
  useEffect(() => {
    if (state !== 'recording') return;
    const t = setInterval(() => setElapsed(rec.current?.elapsedMs() ?? 0), 200);
    return () => clearInterval(t);
  }, [state]);

  const finish = async () => {
    const r = rec.current;
    rec.current = null;
    latched.current = false;
    if (!r) return;
    setState('idle');
    const recording = await r.stop();
    if (recording.durationMs < MIN_RECORDING_MS || recording.blob.size === 0) {
      onError('That was too short. Hold the microphone button while you speak.');
      return;
    }
    onRecorded(recording);
  };

  const begin = async () => {
    if (disabled || stateRef.current !== 'idle') return;
    if (!VoiceRecorder.supported()) {
      onError('This browser cannot record audio. Type your question instead.');
      return;
    }
    pressAt.current = Date.now();
    releasedEarly.current = false;
    setState('starting');
    const r = new VoiceRecorder(limitSeconds * 1000, { onLevel: setLevel, onLimit: () => void finish() });
    try {
      await r.start();
    } catch (e) {
      setState('idle');
      const denied = (e as Error).name === 'NotAllowedError';
      onError(denied ? 'Microphone access was denied. Allow it in the browser, or type your question.' : 'No microphone could be opened. Type your question instead.');
      return;
    }
    rec.current = r;
    setElapsed(0);
    setState('recording');
    // Released before the microphone opened: a quick tap, which latches recording on.
    if (releasedEarly.current) latched.current = true;
  };

  const release = () => {
    if (stateRef.current === 'starting') {
      releasedEarly.current = true;
      return;
    }
    if (!rec.current) return;
    if (latched.current) return void finish(); // second tap
    if (Date.now() - pressAt.current < TAP_MS) latched.current = true; // tap: keep recording
    else void finish(); // hold released
  };

  const press = () => {
    if (rec.current && latched.current) return; // the tap that stops is handled on release
    void begin();
  };

  const recording = state === 'recording';
  const label = recording ? 'Recording… release or tap to send' : 'Hold to ask by voice';
  return (
    <div class="mic">
      <button
        type="button"
        class={`mic-button${recording ? ' is-recording' : ''}`}
        aria-label={label}
        aria-pressed={recording}
        disabled={disabled}
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
          press();
        }}
        onPointerUp={release}
        onPointerCancel={release}
        onKeyDown={(e) => {
          if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
            e.preventDefault();
            press();
          }
        }}
        onKeyUp={(e) => {
          if (e.key === ' ' || e.key === 'Enter') {
            e.preventDefault();
            release();
          }
        }}
        onContextMenu={(e) => e.preventDefault()}
      >
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path fill="currentColor" d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2Z" />
        </svg>
      </button>
      {recording && (
        <div class="mic-status" role="status">
          <div class="meter" role="meter" aria-label="Microphone level" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level * 100)}>
            <div class="meter-fill" style={{ width: `${Math.round(level * 100)}%` }} />
          </div>
          <span class="mic-time">
            {Math.floor(elapsed / 1000)} s / {limitSeconds} s
          </span>
        </div>
      )}
    </div>
  );
}
