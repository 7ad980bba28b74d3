// The module map names this file for the voice use case; the implementation lives beside it.
export { transcribeAudio } from './transcribe-audio.js';
export type { TranscribeAudioDeps, TranscribeAudioInput, TranscriptionResult } from './transcribe-audio.js';
