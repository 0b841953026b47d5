/**
 * Argument parsing for the CLI: node:util parseArgs plus typed number/choice readers that
 * turn bad input into one-line 'cli/usage' errors.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EarshotError } from '../core/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

export function parse(argv: string[], options: Options, allowPositionals: boolean): Parsed {
  try {
    const r = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (e) {
    throw new EarshotError('cli/usage', (e as Error).message.split('\n')[0]);
  }
}

export function str(v: Values, name: string): string | undefined {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
}

export function required(v: Values, name: string): string {
  const x = str(v, name);
  if (x === undefined || x === '') throw new EarshotError('cli/usage', `--${name} is required`);
  return x;
}

export function int(v: Values, name: string, fallback: number, min: number, max: number): number {
  const x = str(v, name);
  if (x === undefined) return fallback;
  const n = Number(x);
  if (!/^-?\d+$/.test(x) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new EarshotError('cli/usage', `--${name} must be an integer from ${min} to ${max}, got "${x}"`);
  }
  return n;
}

export function choice<T extends string>(v: Values, name: string, choices: readonly T[], fallback: T): T {
  const x = str(v, name) ?? fallback;
  if (!choices.includes(x as T)) throw new EarshotError('cli/usage', `--${name} must be one of ${choices.join(', ')}, got "${x}"`);
  return x as T;
}

export function flag(v: Values, name: string): boolean {
  return v[name] === true;
}
