/**
 * What a file-name pattern (name-pattern.ts) would give a set of clips, before anything is saved:
 * the speaker and session of every clip whose file name fits, how many fit and how many do not,
 * and a few rows to show (spread over the classes, with up to two that do not fit so the student
 * sees why). A value that is not a valid tag (archive.ts: 1..64 printable characters) does not fit.
 * Throws 'dataset/bad-pattern' for a bad pattern.
 */
import { MAX_TAG_LENGTH } from './archive.ts';
import { matchName, parseNamePattern } from './name-pattern.ts';

export interface NameTagClip {
  id: string;
  label: string;
  name?: string;
}

export interface NameTags {
  speaker?: string;
  session?: string;
}

export interface NamePreviewRow extends NameTags {
  id: string;
  name: string;
  label: string;
  fits: boolean;
}

export interface NamePreview {
  /** The pattern as parsed (trimmed). */
  pattern: string;
  /** Which fields the pattern sets. */
  setsSpeaker: boolean;
  setsSession: boolean;
  /** Clips with a file name that fits / does not fit, and clips without a file name (recorded). */
  matched: number;
  unmatched: number;
  unnamed: number;
  /** Distinct speakers and sessions the fitting names give, sorted. */
  speakers: string[];
  sessions: string[];
  /** Clip id → what it gets, for every fitting clip. */
  tags: Map<string, NameTags>;
  rows: NamePreviewRow[];
}

const okTag = (v: string | undefined) => v === undefined || (v.length >= 1 && v.length <= MAX_TAG_LENGTH && !/[\u0000-\u001f\u007f]/.test(v));

/** Up to `n` rows: fitting ones taken in turn from each class, then up to two that do not fit; in clip order. */
function pickRows(all: NamePreviewRow[], n: number): NamePreviewRow[] {
  const misfits = all.filter((r) => !r.fits).slice(0, Math.min(2, n));
  const byLabel = new Map<string, NamePreviewRow[]>();
  for (const r of all) if (r.fits) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const fits: NamePreviewRow[] = [];
  const queues = [...byLabel.values()];
  for (let k = 0; fits.length < n - misfits.length && queues.some((q) => k < q.length); k++) {
    for (const q of queues) if (k < q.length && fits.length < n - misfits.length) fits.push(q[k]!);
  }
  const order = new Map(all.map((r, i) => [r.id, i]));
  return [...fits, ...misfits].sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

export function previewNameTags(clips: readonly NameTagClip[], patternText: string, rows = 5): NamePreview {
  const pattern = parseNamePattern(patternText);
  const setsSpeaker = pattern.fields.includes('speaker');
  const setsSession = pattern.fields.includes('session');
  const tags = new Map<string, NameTags>();
  const all: NamePreviewRow[] = [];
  let unnamed = 0;
  for (const c of clips) {
    if (!c.name) {
      unnamed++;
      continue;
    }
    const parts = matchName(pattern, c.name);
    const t: NameTags = {};
    if (parts?.speaker !== undefined) t.speaker = parts.speaker;
    if (parts?.session !== undefined) t.session = parts.session;
    const fits = parts !== null && okTag(t.speaker) && okTag(t.session);
    if (fits) tags.set(c.id, t);
    all.push({ id: c.id, name: c.name, label: c.label, fits, ...(fits ? t : {}) });
  }
  const distinct = (k: keyof NameTags) => [...new Set([...tags.values()].map((t) => t[k]).filter((v): v is string => v !== undefined))].sort();
  return {
    pattern: pattern.text,
    setsSpeaker,
    setsSession,
    matched: tags.size,
    unmatched: all.length - tags.size,
    unnamed,
    speakers: distinct('speaker'),
    sessions: distinct('session'),
    tags,
    rows: pickRows(all, rows),
  };
}
