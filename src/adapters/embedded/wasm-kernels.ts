/**
 * Two kernels of tfjs's WASM backend replaced for the bundled sentence encoder (ADR 0038). Both
 * only change how the stock code is driven, not the arithmetic's kernels.
 *
 * **SplitV**, copying only what each part needs. The bundled encoder's two attention layers split
 * their query/key/value projection ([batch, tokens, 3 × width]) along the last axis. The stock WASM
 * kernel slices each part with `backend.readSync(x)`, which copies the whole input out of the WASM
 * heap into a fresh JS array once per part, and then copies the part back in: 12.6 % of the CPU of
 * embedding a question batch (`node --cpu-prof`, ADR 0038). Here the parts are allocated first and then filled row by row
 * straight from a view of the heap, so the input is read once and nothing else is copied. The
 * result is the same bytes.
 *
 * **BatchMatMul over a batch, one item at a time.** The stock kernel hands a product with a batch
 * dimension (attention: [batch × heads, tokens, 64] by its transpose, then the weights by the values)
 * to a plain triple loop, ~1.4 GMAC/s here, while a single product goes to XNNPACK's SIMD GEMM
 * (~10–14 GMAC/s). Attention is ~5 % of a chunk's multiply-adds but took ~30 % of the time spent in
 * products. So a large enough batched product is cut into its items, each copied into a tensor of
 * its own, multiplied by the stock kernel's single-product path, and copied into place. The sums
 * are the same products added in another order: vectors differ by at most ~2e-7 (cosine to the
 * stock vectors > 0.999999999999; a test bounds it).
 */
import * as tfjs from '@energetic-ai/core';

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force: boolean): boolean;
}
interface SplitArgs {
  inputs: { x: TensorInfo };
  attrs: { numOrSizeSplits: number | number[]; axis: number | number[] };
  backend: WasmBackend;
}
interface MatMulArgs {
  inputs: { a: TensorInfo; b: TensorInfo };
  attrs: { transposeA: boolean; transposeB: boolean };
  backend: WasmBackend;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KernelFunc = (args: any) => TensorInfo | TensorInfo[];
interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: KernelFunc;
  setupFunc?: unknown;
  disposeFunc?: unknown;
}
/** The part of tfjs (bundled in @energetic-ai/core, which ships no resolvable types for it) used here. */
interface Tf {
  getKernel(name: string, backend: string): KernelConfig | undefined;
  registerKernel(config: KernelConfig): void;
  unregisterKernel(name: string, backend: string): void;
  util: { parseAxisParam(axis: number | number[], shape: number[]): number[] };
  backend_util: { prepareSplitSize(x: TensorInfo, numOrSizeSplits: number | number[], axis: number): number[] };
}
const tf = tfjs as unknown as Tf;

const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

export function splitV({ inputs: { x }, attrs, backend }: SplitArgs): TensorInfo[] {
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis);
  const outer = product(x.shape.slice(0, axis));
  const inner = product(x.shape.slice(axis + 1));
  const rowWidth = x.shape[axis]! * inner;
  const outs = sizes.map((s) => backend.makeOutput(x.shape.map((d, i) => (i === axis ? s : d)), x.dtype));
  // Views only once every part is allocated: an allocation may grow the WASM memory, which
  // detaches views taken before it.
  const src = backend.typedArrayFromHeap(x);
  let offset = 0;
  outs.forEach((out, k) => {
    const run = sizes[k]! * inner;
    const dst = backend.typedArrayFromHeap(out);
    for (let i = 0, from = offset; i < outer; i++, from += rowWidth) dst.set(src.subarray(from, from + run), i * run);
    offset += run;
  });
  return outs;
}

/**
 * Items smaller than this many multiply-adds stay in the stock loop: each item costs a kernel call
 * and an XNNPACK operator (a question's attention, ~20 tokens: 20 × 20 × 64).
 */
export const PER_ITEM_MIN_MACS = 64 * 64 * 64;

export function batchMatMulPerItem(stock: KernelFunc) {
  return (args: MatMulArgs): TensorInfo => {
    const { inputs: { a, b }, attrs, backend } = args;
    const batch = product(a.shape.slice(0, -2));
    const [aRows, aCols] = a.shape.slice(-2) as [number, number];
    const [bRows, bCols] = b.shape.slice(-2) as [number, number];
    const cols = attrs.transposeB ? bRows : bCols;
    const sameBatch = a.shape.length === b.shape.length && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
    if (batch <= 1 || !sameBatch || attrs.transposeA || a.dtype !== 'float32' || b.dtype !== 'float32' || aRows * cols * aCols < PER_ITEM_MIN_MACS) {
      return stock(args) as TensorInfo; // transposeA, broadcasting and small items: the stock kernel
    }
    const out = backend.makeOutput([...a.shape.slice(0, -2), aRows, cols], 'float32');
    const aSize = aRows * aCols;
    const bSize = bRows * bCols;
    const outSize = aRows * cols;
    for (let i = 0; i < batch; i++) {
      // Fresh tensors per item, never one reused: the stock kernel keeps an XNNPACK operator with the
      // right-hand matrix packed in it per tensor, so a reused `itemB` multiplies by the first item's
      // values (measured: off by up to 2.5 on the test's products).
      const itemA = backend.makeOutput([1, aRows, aCols], 'float32');
      const itemB = backend.makeOutput([1, bRows, bCols], 'float32');
      // Views are taken after each allocation (an allocation may grow the heap and detach them).
      backend.typedArrayFromHeap(itemA).set(backend.typedArrayFromHeap(a).subarray(i * aSize, (i + 1) * aSize));
      backend.typedArrayFromHeap(itemB).set(backend.typedArrayFromHeap(b).subarray(i * bSize, (i + 1) * bSize));
      const itemOut = stock({ inputs: { a: itemA, b: itemB }, attrs, backend }) as TensorInfo;
      backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(itemOut).subarray(0, outSize), i * outSize);
      for (const t of [itemA, itemB, itemOut]) backend.disposeData(t.dataId, true);
    }
    return out;
  };
}

let installed = false;

/** Installs `splitV` (strings keep the stock kernel) and `batchMatMulPerItem` in the WASM backend, once per thread. */
export function installWasmKernels(): void {
  if (installed) return;
  const split = tf.getKernel('SplitV', 'wasm');
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!split || !matMul) return; // no WASM backend in this build of tfjs: nothing to replace
  tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({ ...split, kernelFunc: (args: SplitArgs) => (args.inputs.x.dtype === 'string' ? split.kernelFunc(args) : splitV(args)) });
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...matMul, kernelFunc: batchMatMulPerItem(matMul.kernelFunc) });
  installed = true;
}
