import { gunzipSync, gzipSync } from 'node:zlib';
import type { Chunk } from '../../core/model/types.js';

/**
 * One manual's part of the knowledge base as one S3 object: its chunks (gzipped JSON) and their
 * vectors (raw Float32 little-endian rows, which gzip cannot shrink). Layout:
 *   "MKB1" | u32 LE length of the gzipped header | gzipped header JSON | vectors (rows x dims x 4 bytes)
 * The header's chunks are tuples [id, pageNumber, pageLabel, heading, text, ordinal, vectorRow (-1: none)].
 */
export interface ShardRecord {
  manualId: string;
  ownerId: string;
  manualName: string;
  /** When indexChunks wrote it (ms): orders equal keyword scores as SQLite's insertion rowids do. */
  indexedAt: number;
  chunks: Chunk[];
  /** Vector length (0 while no chunk has one). */
  dims: number;
  /** Row of each chunk's vector in `vectors`, or -1. */
  vectorRow: Int32Array;
  vectors: Float32Array;
}

type ChunkTuple = [string, number, string | null, string | null, string, number, number];

interface Header {
  v: 1;
  manualId: string;
  ownerId: string;
  manualName: string;
  indexedAt: number;
  dims: number;
  chunks: ChunkTuple[];
}

const MAGIC = Buffer.from('MKB1');

export function encodeShard(r: ShardRecord): Buffer {
  const header: Header = {
    v: 1,
    manualId: r.manualId,
    ownerId: r.ownerId,
    manualName: r.manualName,
    indexedAt: r.indexedAt,
    dims: r.dims,
    chunks: r.chunks.map((c, i) => [c.id, c.pageNumber, c.pageLabel, c.heading, c.text, c.ordinal, r.vectorRow[i]!]),
  };
  const head = gzipSync(JSON.stringify(header), { level: 6 });
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  const vectors = Buffer.from(r.vectors.buffer, r.vectors.byteOffset, r.vectors.byteLength);
  if (vectors.length > 0 && !isLittleEndian) throw new Error('big-endian hosts are not supported');
  return Buffer.concat([MAGIC, len, head, vectors]);
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function decodeShard(buf: Uint8Array): ShardRecord {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || !b.subarray(0, 4).equals(MAGIC)) throw new Error('not a knowledge-base shard');
  const headLen = b.readUInt32LE(4);
  const header = JSON.parse(gunzipSync(b.subarray(8, 8 + headLen)).toString('utf8')) as Header;
  const rest = b.subarray(8 + headLen);
  // Copy: the body's offset in its buffer need not be a multiple of 4, as a Float32Array view needs.
  const vectors = new Float32Array(rest.length / 4);
  new Uint8Array(vectors.buffer).set(rest);
  const chunks = header.chunks.map(
    ([id, pageNumber, pageLabel, heading, text, ordinal]): Chunk => ({ id, manualId: header.manualId, ownerId: header.ownerId, pageNumber, pageLabel, heading, text, ordinal }),
  );
  return {
    manualId: header.manualId,
    ownerId: header.ownerId,
    manualName: header.manualName,
    indexedAt: header.indexedAt,
    chunks,
    dims: header.dims,
    vectorRow: Int32Array.from(header.chunks, (c) => c[6]),
    vectors,
  };
}
