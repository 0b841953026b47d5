/**
 * C naming for generated headers: prefix validation, identifier sanitising, the earshot_ →
 * prefix rename, and safe C string literals.
 */
import { EarshotError } from '../errors.ts';

export const DEFAULT_PREFIX = 'model';
const PREFIX_RE = /^[a-z][a-z0-9_]{0,30}$/;

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern',
  'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed',
  'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while',
  // C11/C23 and common macros that would clash
  'alignas', 'alignof', 'bool', 'true', 'false', 'nullptr', 'static_assert', 'thread_local', 'typeof',
  'asm', 'fortran', 'main', 'errno', 'assert', 'offsetof', 'null',
]);

/**
 * Check a symbol prefix: /^[a-z][a-z0-9_]{0,30}$/, not a C keyword or reserved name, no
 * trailing or double underscore, not a stdint type family (its macros would clash with
 * INT8_MAX …). Throws 'export/bad-prefix'.
 */
export function validatePrefix(prefix: string | undefined): string {
  const p = prefix ?? DEFAULT_PREFIX;
  const bad = (why: string): never => {
    throw new EarshotError('export/bad-prefix', `prefix ${JSON.stringify(p)} ${why}`);
  };
  if (typeof p !== 'string' || !PREFIX_RE.test(p)) bad('must start with a lower-case letter and use only a-z, 0-9 and _ (at most 31 characters)');
  if (C_KEYWORDS.has(p)) bad('is a C keyword or reserved name');
  if (p.endsWith('_') || p.includes('__')) bad('must not end with _ or contain __');
  if (/^u?int(8|16|32|64|ptr|max|_least\d+|_fast\d+)?$/.test(p) || /^(size|wchar|ptrdiff|sig_atomic|wint)$/.test(p)) bad('clashes with standard C type macros');
  return p;
}

/** A C identifier fragment from any layer name: lower-case, [a-z0-9_] only. */
export function cIdent(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/_+/g, '_');
  return s.length > 0 ? s : 'x';
}

/** Rename the hand-written earshot_ / EARSHOT_ symbols (word boundary) to the prefix. */
export function renameSymbols(cText: string, prefix: string): string {
  return cText.replace(/\bearshot_/g, `${prefix}_`).replace(/\bEARSHOT_/g, `${prefix.toUpperCase()}_`);
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD). */
export function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    let c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/**
 * A C99 string literal for any text: printable ASCII stays, except " \ and ? (escaped: no
 * trigraphs); every other byte of the UTF-8 encoding is a 3-digit octal escape (so a following
 * digit cannot extend it). The literal cannot end a comment or the line.
 */
export function cStringLiteral(text: string): string {
  const bytes = utf8(text);
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x3f) out += '\\?';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** Text safe inside a C block comment: no comment terminators, printable ASCII only. */
export function commentSafe(text: string): string {
  return text
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/\*\//g, '* /')
    .replace(/\/\*/g, '/ *')
    .replace(/\?/g, '_'); // no trigraphs
}
