/**
 * A small FlatBuffers writer (format facts from the public FlatBuffers documentation, "internals"):
 *  - the buffer starts with the uoffset of the root table, then an optional 4-byte file identifier;
 *  - a table starts with an soffset (int32) to its vtable: vtable position = table position - soffset;
 *  - a vtable is uint16s: its own size in bytes, the table's inline size, then one offset per field
 *    (0 = absent, the reader uses the default);
 *  - references to tables, vectors and strings are uoffsets (uint32) relative to where they are stored,
 *    so the referenced object must come later in the buffer;
 *  - a vector is a uint32 length then its elements; a string adds a NUL byte; scalars are
 *    little-endian and aligned to their size.
 * This writer lays objects out front to back (parents first, children after, offsets patched),
 * which keeps it short; output is deterministic for a given object tree.
 */
export type ScalarType = 'u8' | 'i8' | 'bool' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'i64';

export interface FbTable {
  kind: 'table';
  /** Fields by id (slot index in the schema); undefined entries are absent. */
  fields: (FbField | undefined)[];
}
export type FbField = { type: ScalarType; value: number | bigint } | { type: 'ref'; value: FbObject };
export interface FbScalarVector {
  kind: 'vector';
  type: ScalarType;
  values: ArrayLike<number | bigint>;
  /** Alignment of the first element (e.g. 16 for TFLite buffer data). */
  align?: number;
}
export interface FbRefVector {
  kind: 'refs';
  values: FbObject[];
}
export interface FbString {
  kind: 'string';
  value: string;
}
export type FbObject = FbTable | FbScalarVector | FbRefVector | FbString;

const SIZE: Record<ScalarType, number> = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, i64: 8 };

// Constructors that keep call sites short.
export const table = (fields: (FbField | undefined)[]): FbTable => ({ kind: 'table', fields });
export const ref = (value: FbObject): FbField => ({ type: 'ref', value });
export const scalar = (type: ScalarType, value: number | bigint): FbField => ({ type, value });
export const vec = (type: ScalarType, values: ArrayLike<number | bigint>, align?: number): FbScalarVector => ({ kind: 'vector', type, values, align });
export const refs = (values: FbObject[]): FbRefVector => ({ kind: 'refs', values });
export const str = (value: string): FbString => ({ kind: 'string', value });

class Out {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  size = 0;

  /** Reserve n bytes at an offset that is a multiple of `align` (+ `skew`); zero-filled. */
  alloc(n: number, align: number, skew = 0): number {
    let p = this.size;
    while ((p + skew) % align !== 0) p++;
    const end = p + n;
    if (end > this.buf.length) {
      const next = new Uint8Array(Math.max(end, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.size));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.size = end;
    return p;
  }

  put(type: ScalarType, at: number, v: number | bigint): void {
    const d = this.view;
    switch (type) {
      case 'u8':
      case 'bool':
        d.setUint8(at, Number(v));
        break;
      case 'i8':
        d.setInt8(at, Number(v));
        break;
      case 'u16':
        d.setUint16(at, Number(v), true);
        break;
      case 'i16':
        d.setInt16(at, Number(v), true);
        break;
      case 'u32':
        d.setUint32(at, Number(v), true);
        break;
      case 'i32':
        d.setInt32(at, Number(v), true);
        break;
      case 'f32':
        d.setFloat32(at, Number(v), true);
        break;
      case 'i64':
        d.setBigInt64(at, BigInt(v), true);
        break;
    }
  }
}

function writeObject(out: Out, obj: FbObject): number {
  switch (obj.kind) {
    case 'string': {
      const bytes = new TextEncoder().encode(obj.value);
      const p = out.alloc(4 + bytes.length + 1, 4);
      out.put('u32', p, bytes.length);
      out.buf.set(bytes, p + 4);
      return p;
    }
    case 'vector': {
      const es = SIZE[obj.type];
      const align = Math.max(4, es, obj.align ?? 1);
      // the length sits just before the first element, which must be aligned
      const p = out.alloc(4 + es * obj.values.length, align, 4);
      out.put('u32', p, obj.values.length);
      if (obj.type === 'u8' || obj.type === 'i8') out.buf.set(new Uint8Array(Int8Array.from(obj.values as ArrayLike<number>).buffer), p + 4);
      else for (let i = 0; i < obj.values.length; i++) out.put(obj.type, p + 4 + i * es, obj.values[i]!);
      return p;
    }
    case 'refs': {
      const p = out.alloc(4 + 4 * obj.values.length, 4);
      out.put('u32', p, obj.values.length);
      obj.values.forEach((child, i) => {
        const at = p + 4 + 4 * i;
        out.put('u32', at, writeObject(out, child) - at);
      });
      return p;
    }
    case 'table': {
      const present = obj.fields.map((f, id) => ({ f, id })).filter((x): x is { f: FbField; id: number } => x.f !== undefined);
      // inline layout: soffset, then fields largest first (each aligned to its size)
      const sized = present.map((x) => ({ ...x, size: x.f.type === 'ref' ? 4 : SIZE[x.f.type] })).sort((a, b) => b.size - a.size || a.id - b.id);
      const maxAlign = Math.max(4, ...sized.map((x) => x.size));
      let inline = 4;
      const fieldOffset = new Map<number, number>();
      for (const x of sized) {
        while (inline % x.size !== 0) inline++;
        fieldOffset.set(x.id, inline);
        inline += x.size;
      }
      const slots = present.length === 0 ? 0 : Math.max(...present.map((x) => x.id)) + 1;
      const vt = out.alloc(4 + 2 * slots, 2);
      const t = out.alloc(inline, maxAlign);
      out.put('u16', vt, 4 + 2 * slots);
      out.put('u16', vt + 2, inline);
      for (const [id, off] of fieldOffset) out.put('u16', vt + 4 + 2 * id, off);
      out.put('i32', t, t - vt);
      const children: { at: number; obj: FbObject }[] = [];
      for (const x of present) {
        const at = t + fieldOffset.get(x.id)!;
        if (x.f.type === 'ref') children.push({ at, obj: x.f.value });
        else out.put(x.f.type, at, x.f.value);
      }
      for (const c of children) out.put('u32', c.at, writeObject(out, c.obj) - c.at);
      return t;
    }
  }
}

/** Serialize a root table, with an optional 4-character file identifier. */
export function writeFlatbuffer(root: FbTable, fileIdentifier?: string): Uint8Array {
  const out = new Out();
  const header = out.alloc(fileIdentifier ? 8 : 4, 4);
  if (fileIdentifier) out.buf.set(new TextEncoder().encode(fileIdentifier.slice(0, 4)), header + 4);
  const r = writeObject(out, root);
  out.put('u32', header, r - header);
  // pad to 16 so that the whole file can be placed in an aligned array
  out.alloc(0, 16);
  return out.buf.slice(0, out.size);
}
