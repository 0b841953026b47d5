/**
 * Speaker and session from a file name, by a pattern a student can read: `{label}_{speaker}_{take}`
 * (FSDD: `0_george_7.wav`), `{speaker}_{*}` (Speech Commands: `3c4a_nohash_0.wav`),
 * `{speaker}-{session}-{*}`. Fields are `{label}`, `{speaker}`, `{session}`, `{take}` and `{*}`
 * (anything); everything else is literal text. The pattern is matched against the file's base
 * name without its extension; fields match lazily from the left, so `{speaker}_{take}` on
 * `george_smith_3` gives speaker `george`. `guessNamePattern` picks a pattern from the names and
 * labels of a set of clips. Refusals: 'dataset/bad-pattern'.
 */
import { EarshotError } from '../errors.ts';

export const NAME_FIELDS = ['label', 'speaker', 'session', 'take', '*'] as const;
export type NameField = (typeof NAME_FIELDS)[number];

/** What a pattern takes from one file name (only the fields the pattern has). */
export interface NameParts {
  label?: string;
  speaker?: string;
  session?: string;
  take?: string;
}

export interface NamePattern {
  /** The pattern as written (trimmed). */
  text: string;
  /** The fields in order, `*` included. */
  fields: NameField[];
  regex: RegExp;
}

/** Speech Commands' `<speaker>_nohash_<n>`, and any `<speaker>_<rest>`. */
export const SPEAKER_FIRST = '{speaker}_{*}';
/** FSDD's `<label>_<speaker>_<take>`: the part before the first '_' is the class, not the voice. */
export const LABEL_FIRST = '{label}_{speaker}_{*}';

const MAX_PATTERN_LENGTH = 100;

function bad(pattern: string, why: string): EarshotError {
  return new EarshotError('dataset/bad-pattern', `the file-name pattern "${pattern}" ${why}; write it like {label}_{speaker}_{take} or {speaker}-{session}-{*}`);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Check and compile a pattern; throws 'dataset/bad-pattern' with the reason. */
export function parseNamePattern(raw: string): NamePattern {
  if (typeof raw !== 'string') throw bad(String(raw), 'is not text');
  const text = raw.trim();
  if (text === '') throw bad(text, 'is empty');
  if (text.length > MAX_PATTERN_LENGTH) throw bad(text.slice(0, 20) + '…', `is longer than ${MAX_PATTERN_LENGTH} characters`);
  const fields: NameField[] = [];
  let re = '';
  let lastWasField = false;
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === '}') throw bad(text, `has a "}" without its "{" at character ${i + 1}`);
    if (ch !== '{') {
      if (ch === '/' || ch === '\\') throw bad(text, 'names a folder: it is matched against the file name only');
      re += escapeRe(ch);
      lastWasField = false;
      i++;
      continue;
    }
    const end = text.indexOf('}', i);
    if (end < 0) throw bad(text, `has a "{" without its "}" at character ${i + 1}`);
    const name = text.slice(i + 1, end).trim().toLowerCase();
    if (!(NAME_FIELDS as readonly string[]).includes(name)) throw bad(text, `has an unknown field {${name}} (known: ${NAME_FIELDS.map((f) => `{${f}}`).join(' ')})`);
    const field = name as NameField;
    if (lastWasField) throw bad(text, `needs a separator such as "_" or "-" before {${field}}`);
    if (field !== '*' && fields.includes(field)) throw bad(text, `has {${field}} twice`);
    fields.push(field);
    re += '(.+?)';
    lastWasField = true;
    i = end + 1;
  }
  if (!fields.includes('speaker') && !fields.includes('session')) throw bad(text, 'has neither {speaker} nor {session}');
  return { text, fields, regex: new RegExp(`^${re}$`, 'u') };
}

/** The base name of a path (either separator) without its extension. */
export function nameStem(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** What `pattern` takes from the file name of `path`, or null when the name does not fit it. */
export function matchName(pattern: NamePattern | string, path: string): NameParts | null {
  const p = typeof pattern === 'string' ? parseNamePattern(pattern) : pattern;
  const m = p.regex.exec(nameStem(path));
  if (!m) return null;
  const out: NameParts = {};
  p.fields.forEach((f, i) => {
    if (f !== '*') out[f] = m[i + 1]!.trim();
  });
  return out;
}

const firstSegment = (name: string): string | undefined => {
  const parts = nameStem(name).split('_');
  return parts.length >= 2 && parts[0] !== '' ? parts[0] : undefined;
};

/**
 * The pattern the names of these clips follow: LABEL_FIRST when the part before the first '_' is
 * really the class (it equals the clip's label for every named clip, or it is one value per class
 * and a different one for each class, with a third part after the speaker), else SPEAKER_FIRST.
 */
export function guessNamePattern(clips: readonly { label: string; name?: string }[]): string {
  const named = clips.filter((c): c is { label: string; name: string } => typeof c.name === 'string' && firstSegment(c.name) !== undefined);
  if (named.length === 0) return SPEAKER_FIRST;
  if (named.every((c) => firstSegment(c.name)!.toLowerCase() === c.label.toLowerCase())) return LABEL_FIRST;
  const byLabel = new Map<string, Set<string>>();
  for (const c of named) byLabel.set(c.label, (byLabel.get(c.label) ?? new Set()).add(firstSegment(c.name)!));
  const perLabel = [...byLabel.values()];
  const onePerLabel = perLabel.every((s) => s.size === 1);
  const distinct = new Set(perLabel.map((s) => [...s][0])).size === perLabel.length;
  const threeParts = named.every((c) => {
    const parts = nameStem(c.name).split('_');
    return parts.length >= 3 && parts[1] !== '' && parts[1]!.toLowerCase() !== 'nohash';
  });
  return byLabel.size >= 2 && onePerLabel && distinct && threeParts ? LABEL_FIRST : SPEAKER_FIRST;
}

/** The speaker (and session) each named clip's name gives by `pattern`; undefined where it does not fit. */
export function partsFromNames(clips: readonly { name?: string }[], pattern: NamePattern | string): (NameParts | null)[] {
  const p = typeof pattern === 'string' ? parseNamePattern(pattern) : pattern;
  return clips.map((c) => (c.name ? matchName(p, c.name) : null));
}

/**
 * Clips with the speaker (and session) their file names give where they have none, by `pattern`
 * or, when none is given, the one guessNamePattern picks for all of them. `nameOf` gives a clip's
 * file name or path.
 */
export function withNameTags<T extends { label: string; speaker?: string; session?: string }>(clips: readonly T[], nameOf: (c: T) => string | undefined, pattern?: string): T[] {
  const p = parseNamePattern(pattern ?? guessNamePattern(clips.map((c) => ({ label: c.label, name: nameOf(c) }))));
  return clips.map((c) => {
    const name = nameOf(c);
    if (!name || (c.speaker !== undefined && c.session !== undefined)) return c;
    const parts = matchName(p, name);
    if (!parts) return c;
    const speaker = c.speaker ?? (parts.speaker || undefined);
    const session = c.session ?? (parts.session || undefined);
    return speaker === c.speaker && session === c.session ? c : { ...c, ...(speaker !== undefined ? { speaker } : {}), ...(session !== undefined ? { session } : {}) };
  });
}
