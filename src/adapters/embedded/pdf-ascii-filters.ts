/** The two text filters PDF allows in front of FlateDecode. Output is bounded by the input size (a run of
 * `z` past that bound is cut), so no bomb can hide here. */

const hexVal = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);

export function decodeAsciiHex(data: Buffer): Buffer {
  const out = Buffer.alloc(Math.ceil(data.length / 2));
  let n = 0;
  let hi = -1;
  for (const c of data) {
    if (c === 62) break; // `>` ends the data
    const v = hexVal(c);
    if (v < 0) continue; // whitespace (and junk) between digits
    if (hi < 0) hi = v;
    else {
      out[n++] = hi * 16 + v;
      hi = -1;
    }
  }
  if (hi >= 0) out[n++] = hi * 16; // an odd final digit is followed by an implied 0
  return out.subarray(0, n);
}

export function decodeAscii85(data: Buffer): Buffer {
  const out = Buffer.alloc(Math.ceil(data.length * 0.8) + 4);
  let n = 0;
  const group: number[] = [];
  const flush = (count: number) => {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 85 + (group[i] ?? 84);
    for (let i = 0; i < count; i++) out[n++] = (v >>> (24 - 8 * i)) & 255;
    group.length = 0;
  };
  for (const c of data) {
    if (c === 126) break; // `~>` ends the data
    if (c === 122 && group.length === 0) {
      // `z` stands for four zero bytes
      if (n + 4 > out.length) break;
      n += 4;
      continue;
    }
    if (c < 33 || c > 117) continue;
    group.push(c - 33);
    if (group.length === 5) flush(4);
  }
  if (group.length > 1) flush(group.length - 1);
  return out.subarray(0, n);
}
