/** Microphone capture with MediaRecorder, a live level (Web Audio AnalyserNode) and a time limit. */
export interface Recording {
  blob: Blob;
  durationMs: number;
}

export interface RecorderCallbacks {
  onLevel(level: number): void; // 0..1, about 30 times a second
  onLimit(): void; // the time limit stopped the recording
}

const PREFERRED_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];

export class VoiceRecorder {
  private stream: MediaStream | null = null;
  private recorder: MediaRecorder | null = null;
  private audio: AudioContext | null = null;
  private chunks: Blob[] = [];
  private startedAt = 0;
  private raf = 0;
  private limitTimer: ReturnType<typeof setTimeout> | undefined;
  private done: Promise<Recording> | null = null;

  constructor(
    private readonly limitMs: number,
    private readonly cb: RecorderCallbacks,
  ) {}

  static supported(): boolean {
    return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
  }

  async start(): Promise<void> {
    // Speech recognisers do better on the raw signal: the browser's call-oriented processing
    // (echo cancellation, noise suppression, gain control) smears synthetic and quiet speech.
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const mimeType = PREFERRED_TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    this.recorder = new MediaRecorder(this.stream, { ...(mimeType ? { mimeType } : {}), audioBitsPerSecond: 96_000 });
    this.chunks = [];
    this.recorder.ondataavailable = (e) => e.data.size > 0 && this.chunks.push(e.data);
    const rec = this.recorder;
    this.done = new Promise((resolve) => {
      rec.onstop = () => resolve({ blob: new Blob(this.chunks, { type: rec.mimeType || 'audio/webm' }), durationMs: Date.now() - this.startedAt });
    });
    this.recorder.start(250);
    this.startedAt = Date.now();
    this.meter(this.stream);
    this.limitTimer = setTimeout(() => {
      this.cb.onLimit();
    }, this.limitMs);
  }

  private meter(stream: MediaStream): void {
    try {
      this.audio = new AudioContext();
      const analyser = this.audio.createAnalyser();
      analyser.fftSize = 1024;
      this.audio.createMediaStreamSource(stream).connect(analyser);
      const buf = new Uint8Array(analyser.fftSize);
      const tick = () => {
        analyser.getByteTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += ((v - 128) / 128) ** 2;
        // RMS of speech sits around 0.05-0.3; scale so normal speech fills most of the bar.
        this.cb.onLevel(Math.min(1, Math.sqrt(sum / buf.length) * 4));
        this.raf = requestAnimationFrame(tick);
      };
      tick();
    } catch {
      /* no Web Audio: recording still works, just without the meter */
    }
  }

  elapsedMs(): number {
    return this.startedAt ? Date.now() - this.startedAt : 0;
  }

  /** Stops and returns what was recorded. */
  async stop(): Promise<Recording> {
    clearTimeout(this.limitTimer);
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
    const result = await this.done!;
    this.release();
    return result;
  }

  /** Stops without keeping anything (unmount, error). */
  cancel(): void {
    clearTimeout(this.limitTimer);
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
    this.release();
  }

  private release(): void {
    cancelAnimationFrame(this.raf);
    this.cb.onLevel(0);
    this.stream?.getTracks().forEach((t) => t.stop());
    void this.audio?.close().catch(() => {});
    this.stream = null;
    this.audio = null;
  }
}
