import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pcmToWav } from '../../core/voice/wav-format.js';
import { parseSphinxOutput, wavDurationS } from './pocketsphinx-transcriber.js';

test('parses words and the mean posterior from `-time yes` output, dropping fillers and variants', () => {
  const out = [
    'which ports do i',
    '<s> 0.000 0.210 0.999000',
    'which 0.220 0.470 0.5',
    '[NOISE] 0.480 0.500 0.9',
    'ports 0.510 0.910 0.8',
    '<sil> 0.920 1.000 1.000000',
    'do(2) 1.010 1.100 0.9',
    'i 1.110 1.220 1e-01',
    '</s> 5.040 5.100 1.000000',
  ].join('\n');
  assert.deepEqual(parseSphinxOutput(out), { text: 'which ports do i', confidence: 0.575 });
  assert.deepEqual(parseSphinxOutput(''), { text: '', confidence: 0 });
});

test('reads the duration of a PCM WAV from its header', () => {
  assert.equal(wavDurationS(pcmToWav(Buffer.alloc(48_000), 16_000)), 1.5);
  assert.equal(wavDurationS(Buffer.from('nope')), 0);
});
