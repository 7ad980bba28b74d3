import { constants, createInflate, inflateSync } from 'node:zlib';
import type { PdfInspection } from '../../core/ports/pdf-inspector.js';
import { decodeAscii85, decodeAsciiHex } from './pdf-ascii-filters.js';

/**
 * Bomb limits. Constants with an override for tests and the bench, not operator parameters: they
 * protect the process, and no legitimate manual comes near them (the four eval manuals, up to
 * 24 MB and 1,000+ pages, use under 10 % of each; see docs/decisions/0008).
 */
export interface ScanLimits {
  /** Indirect objects: pdf.js keeps an xref entry per object; 500k is ~10x a 3,000-page manual. */
  maxObjects: number;
  /** Pages found or declared: text extraction visits every page. */
  maxPages: number;
  /** What one stream may inflate to: a few KB of zeros inflating to gigabytes is the classic bomb. */
  maxStreamInflatedBytes: number;
  /** What all streams together may inflate to, or 64x the file size if larger (screenshots in Flate
   * inflate ~25x: freedombox-manual.pdf, 24 MB, inflates to 557 MB). Bounds the time, not memory. */
  maxTotalInflatedBytes: number;
  /** An object stream is inflated into memory to read its objects: this is that memory. */
  maxObjectStreamBytes: number;
  /** Nested arrays/dictionaries: readers (and this scanner) recurse on them. */
  maxDepth: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxObjects: 500_000,
  maxPages: 10_000,
  maxStreamInflatedBytes: 256 * MiB,
  maxTotalInflatedBytes: 1024 * MiB,
  maxObjectStreamBytes: 32 * MiB,
  maxDepth: 64,
};

/** Inflated in one call up to this; a stream inflating further is counted in 64 KiB chunks instead. */
const SYNC_INFLATE_BYTES = 16 * MiB;

/** The names pdfid looks for that can run code, leave the reader, carry files, or fire on open. */
export const WATCHED_NAMES = new Set([
  'JavaScript', 'JS', 'OpenAction', 'AA', 'Launch', 'EmbeddedFile', 'EmbeddedFiles', 'XFA', 'RichMedia', 'SubmitForm', 'ImportData', 'Encrypt', 'ObjStm',
]);

export class PdfBombError extends Error {
  constructor(readonly rule: 'object_count' | 'page_count' | 'decompression' | 'nesting', message: string) {
    super(message);
    this.name = 'PdfBombError';
  }
}

type Value = number | { name: string } | { kw: string } | { ref: number } | Dict | Value[] | null;
type Dict = { dict: Map<string, Value> };
/** The only dictionary entries the scanner needs; everything else is read for its names and dropped. */
const KEPT_KEYS = new Set(['Type', 'Subtype', 'Filter', 'Length', 'N', 'First', 'Count']);
/** Deflate cannot expand data more than ~1032:1; with margin. */
const MAX_DEFLATE_RATIO = 1100;

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 0;
const isDelim = (c: number) => c === 40 || c === 41 || c === 60 || c === 62 || c === 91 || c === 93 || c === 123 || c === 125 || c === 47 || c === 37;
const isRegular = (c: number) => !isWs(c) && !isDelim(c);
const hexVal = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);
const isName = (v: Value | undefined): v is { name: string } => typeof v === 'object' && v !== null && 'name' in v;
const isKw = (v: Value, kw: string) => typeof v === 'object' && v !== null && 'kw' in v && v.kw === kw;
const isDict = (v: Value): v is Dict => typeof v === 'object' && v !== null && 'dict' in v;
const ENDSTREAM = Buffer.from('endstream', 'latin1');

interface State {
  limits: ScanLimits;
  totalCap: number;
  out: Omit<PdfInspection, 'ms'>;
  pageDicts: number;
  declaredPages: number;
}

/**
 * A tolerant lexer over PDF object syntax (strings, comments and stream data are skipped, names are
 * decoded, so `/J#61vaScript` counts as JavaScript). It never throws on malformed input: unknown
 * bytes are stepped over, as readers do when they repair a file.
 */
class Lexer {
  p: number;
  constructor(
    readonly b: Buffer,
    start: number,
    readonly end: number,
    private readonly st: State,
  ) {
    this.p = start;
  }

  skipWs(): void {
    const { b, end } = this;
    while (this.p < end) {
      const c = b[this.p]!;
      if (isWs(c)) this.p++;
      else if (c === 37) while (this.p < end && b[this.p] !== 10 && b[this.p] !== 13) this.p++;
      else return;
    }
  }

  value(depth: number): Value {
    if (depth > this.st.limits.maxDepth) throw new PdfBombError('nesting', `objects are nested deeper than ${this.st.limits.maxDepth} levels`);
    this.skipWs();
    const { b } = this;
    if (this.p >= this.end) return null;
    const c = b[this.p]!;
    if (c === 47) return this.name();
    if (c === 60) return b[this.p + 1] === 60 ? this.dict(depth) : this.skipHexString();
    if (c === 40) return this.skipLiteralString();
    if (c === 91) return this.array(depth);
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) return this.numberOrRef();
    if (!isRegular(c)) {
      this.p++; // stray `]`, `>`, `)`, `{`, `}`: tolerated
      return null;
    }
    const s = this.p;
    while (this.p < this.end && isRegular(b[this.p]!)) this.p++;
    // A megabyte-long "keyword" must not become a megabyte string on the scanner's heap.
    return { kw: this.p - s <= 32 ? b.toString('latin1', s, this.p) : '' };
  }

  private name(): { name: string } {
    const { b, end } = this;
    this.p++;
    const bytes: number[] = [];
    while (this.p < end && isRegular(b[this.p]!)) {
      const c = b[this.p]!;
      if (c === 35 && this.p + 2 < end && hexVal(b[this.p + 1]!) >= 0 && hexVal(b[this.p + 2]!) >= 0) {
        bytes.push(hexVal(b[this.p + 1]!) * 16 + hexVal(b[this.p + 2]!));
        this.p += 3;
      } else {
        bytes.push(c);
        this.p++;
      }
      if (bytes.length > 127) bytes.length = 127; // longer names are not ours to count
    }
    const name = Buffer.from(bytes).toString('latin1');
    if (WATCHED_NAMES.has(name)) this.st.out.keywords[name] = (this.st.out.keywords[name] ?? 0) + 1;
    return { name };
  }

  private dict(depth: number): Dict {
    this.p += 2;
    const kept = new Map<string, Value>();
    for (;;) {
      this.skipWs();
      if (this.p >= this.end) break;
      if (this.b[this.p] === 62 && this.b[this.p + 1] === 62) {
        this.p += 2;
        break;
      }
      const key = this.value(depth + 1);
      if (!isName(key)) continue; // not a key: step on (malformed), the way readers repair
      const val = this.value(depth + 1);
      if (KEPT_KEYS.has(key.name)) kept.set(key.name, val);
    }
    const type = kept.get('Type');
    if (isName(type) && type.name === 'Page') this.st.pageDicts++;
    const count = kept.get('Count');
    if (isName(type) && type.name === 'Pages' && typeof count === 'number') this.st.declaredPages = Math.max(this.st.declaredPages, count);
    if (Math.max(this.st.pageDicts, this.st.declaredPages) > this.st.limits.maxPages) {
      throw new PdfBombError('page_count', `more than ${this.st.limits.maxPages} pages`);
    }
    return { dict: kept };
  }

  private array(depth: number): Value[] {
    this.p++;
    const items: Value[] = [];
    for (;;) {
      this.skipWs();
      if (this.p >= this.end) break;
      if (this.b[this.p] === 93) {
        this.p++;
        break;
      }
      const v = this.value(depth + 1);
      if (items.length < 8) items.push(v); // only short arrays (filter chains) are ever looked at
    }
    return items;
  }

  private skipHexString(): null {
    const i = this.b.indexOf(62, this.p);
    this.p = i < 0 || i >= this.end ? this.end : i + 1;
    return null;
  }

  private skipLiteralString(): null {
    const { b, end } = this;
    let depth = 0;
    while (this.p < end) {
      const c = b[this.p++]!;
      if (c === 92) this.p++;
      else if (c === 40) depth++;
      else if (c === 41 && --depth === 0) break;
    }
    return null;
  }

  private numberOrRef(): Value {
    const n = this.number();
    // `12 0 R` is a reference, not the number 12 (a /Length given by reference must not be read as 12).
    if (Number.isInteger(n) && n >= 0) {
      const save = this.p;
      this.skipWs();
      const genStart = this.p;
      while (this.p < this.end && this.b[this.p]! >= 48 && this.b[this.p]! <= 57) this.p++;
      if (this.p > genStart) {
        this.skipWs();
        if (this.b[this.p] === 82 && (this.p + 1 >= this.end || !isRegular(this.b[this.p + 1]!))) {
          this.p++;
          return { ref: n };
        }
      }
      this.p = save;
    }
    return n;
  }

  number(): number {
    const s = this.p;
    this.p++;
    while (this.p < this.end) {
      const c = this.b[this.p]!;
      if ((c >= 48 && c <= 57) || c === 46) this.p++;
      else break;
    }
    if (this.p - s > 32) return 0; // no real number is this long
    const n = Number(this.b.toString('latin1', s, this.p));
    return Number.isFinite(n) ? n : 0;
  }
}

/** Structural scan of a whole PDF: counts, watched names, inflated sizes. Throws PdfBombError. */
export async function scanPdf(pdf: Uint8Array, limits: ScanLimits = DEFAULT_SCAN_LIMITS): Promise<Omit<PdfInspection, 'ms'>> {
  const b = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const st: State = {
    limits,
    totalCap: Math.max(limits.maxTotalInflatedBytes, 64 * b.length),
    out: { keywords: {}, objects: 0, pages: 0, streams: 0, inflatedBytes: 0, opaqueObjectStreams: 0 },
    pageDicts: 0,
    declaredPages: 0,
  };
  const lex = new Lexer(b, 0, b.length, st);
  let lastDict: Dict | null = null;
  while (lex.p < b.length) {
    const v = lex.value(0);
    if (isKw(v, 'obj')) countObjects(st, 1);
    else if (isKw(v, 'stream')) await stream(lex, st, lastDict);
    lastDict = isDict(v) ? v : null;
  }
  st.out.pages = Math.max(st.pageDicts, st.declaredPages);
  return st.out;
}

function countObjects(st: State, n: number): void {
  st.out.objects += n;
  if (st.out.objects > st.limits.maxObjects) throw new PdfBombError('object_count', `more than ${st.limits.maxObjects} objects`);
}

/** Finds the stream's bytes (by /Length when it is right, else by `endstream`), decodes, measures. */
async function stream(lex: Lexer, st: State, dict: Dict | null): Promise<void> {
  const { b } = lex;
  if (b[lex.p] === 13) lex.p++;
  if (b[lex.p] === 10) lex.p++;
  const start = lex.p;
  const declared = dict?.dict.get('Length');
  let end = -1;
  if (typeof declared === 'number' && declared >= 0 && start + declared <= b.length) {
    let q = start + declared;
    while (q < b.length && isWs(b[q]!)) q++;
    if (b.subarray(q, q + ENDSTREAM.length).equals(ENDSTREAM)) end = start + declared;
  }
  if (end < 0) {
    const i = b.indexOf(ENDSTREAM, start);
    end = i < 0 ? b.length : i;
  }
  const after = b.indexOf(ENDSTREAM, end);
  lex.p = after < 0 ? b.length : after + ENDSTREAM.length;
  st.out.streams++;
  if (!dict) return;

  const type = dict.dict.get('Type');
  const isObjStm = isName(type) && type.name === 'ObjStm';
  // Text extraction never decodes images and the page renderer decodes one page at a time, so an
  // image only needs inflating when it is big enough to break the per-stream cap on its own.
  const subtype = dict.dict.get('Subtype');
  if (isName(subtype) && subtype.name === 'Image' && (end - start) * MAX_DEFLATE_RATIO <= st.limits.maxStreamInflatedBytes) return;
  const decoded = await decode(b.subarray(start, end), filtersOf(dict), st, isObjStm);
  if (!isObjStm) return;
  if (!decoded) {
    st.out.opaqueObjectStreams++;
    return;
  }
  objectStream(decoded, dict, st);
}

function filtersOf(dict: Dict): string[] {
  const f = dict.dict.get('Filter');
  const list = Array.isArray(f) ? f : f ? [f] : [];
  return list.filter(isName).map((n) => ({ Fl: 'FlateDecode', AHx: 'ASCIIHexDecode', A85: 'ASCII85Decode' })[n.name] ?? n.name);
}

/**
 * Applies the filters we can undo safely. Returns the bytes only when asked to keep them (object
 * streams); other streams are only measured. null: a filter we do not decode, or corrupt data.
 */
async function decode(data: Buffer, filters: string[], st: State, keep: boolean): Promise<Buffer | null> {
  let bytes = data;
  for (const f of filters) {
    if (f === 'ASCIIHexDecode') bytes = decodeAsciiHex(bytes);
    else if (f === 'ASCII85Decode') bytes = decodeAscii85(bytes);
    else if (f === 'FlateDecode') {
      const r = await inflateMeasured(bytes, st, keep);
      if (!r) return null;
      bytes = r;
    } else return null; // image codecs and LZW: left to the reader (see the ADR)
  }
  return bytes;
}

async function inflateMeasured(data: Buffer, st: State, keep: boolean): Promise<Buffer | null> {
  const cap = keep ? Math.min(st.limits.maxObjectStreamBytes, st.limits.maxStreamInflatedBytes) : st.limits.maxStreamInflatedBytes;
  const syncCap = keep ? cap : Math.min(cap, SYNC_INFLATE_BYTES);
  let out: Buffer | null = null;
  let size: number;
  try {
    out = inflateSync(data, { maxOutputLength: syncCap + 1, finishFlush: constants.Z_SYNC_FLUSH });
    size = out.length;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') return null;
    size = keep ? cap + 1 : await countInflated(data, cap);
  }
  st.out.inflatedBytes += size;
  if (size > cap) throw new PdfBombError('decompression', `a ${data.length}-byte stream inflates to more than ${cap} bytes${keep ? ' (object stream)' : ''}`);
  if (st.out.inflatedBytes > st.totalCap) throw new PdfBombError('decompression', `streams inflate to more than ${st.totalCap} bytes in all`);
  return out;
}

/** Inflates chunk by chunk, keeping nothing, and stops as soon as the count passes the cap. */
function countInflated(data: Buffer, cap: number): Promise<number> {
  return new Promise((resolve) => {
    const z = createInflate({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: 64 * 1024 });
    let n = 0;
    z.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > cap) {
        z.destroy();
        resolve(n);
      }
    });
    z.on('end', () => resolve(n));
    z.on('error', () => resolve(n));
    z.end(data);
  });
}

/** An object stream: `N` pairs "objnum offset", then the objects from /First on. */
function objectStream(data: Buffer, dict: Dict, st: State): void {
  const n = dict.dict.get('N');
  const first = dict.dict.get('First');
  const headerEnd = typeof first === 'number' && first >= 0 && first <= data.length ? first : data.length;
  const header = new Lexer(data, 0, headerEnd, st);
  let ints = 0;
  while (header.p < headerEnd && (typeof n !== 'number' || ints < 2 * n)) {
    header.skipWs();
    if (header.p >= headerEnd) break;
    const c = data[header.p]!;
    if (c < 48 || c > 57) break;
    header.number();
    ints++;
  }
  countObjects(st, Math.floor(ints / 2));
  const body = new Lexer(data, headerEnd, data.length, st);
  while (body.p < data.length) body.value(0);
}
