/**
 * Compile-and-run helpers for C tests (host gcc, cross compilers). Sources go to a fresh
 * temporary directory under os.tmpdir(); a compile error throws with the compiler's output.
 * A missing compiler is a skip locally but a failure under CI=true (see requireTool).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STRICT_C_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Wdouble-promotion', '-Wfloat-conversion', '-Werror'];

const availability = new Map<string, boolean>();

/** True when `tool --version` runs. */
export function hasTool(tool: string): boolean {
  const hit = availability.get(tool);
  if (hit !== undefined) return hit;
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  const ok = r.error === undefined && r.status === 0;
  availability.set(tool, ok);
  return ok;
}

/**
 * Whether tests needing `tool` can run: false (skip) when it is missing locally; throws when
 * it is missing under CI=true, where no suite may skip for a missing tool.
 */
export function requireTool(tool: string): boolean {
  if (hasTool(tool)) return true;
  if (process.env.CI === 'true') throw new Error(`${tool} is not installed (CI=true: a missing tool is a failure, not a skip)`);
  return false;
}

export interface CompileOptions {
  /** Compiler executable; default 'gcc'. */
  compiler?: string;
  /** Flags before the source file (warnings, -O, -std, -mcpu …). */
  flags?: string[];
  /** Flags after the sources (libraries, specs, linker script …). */
  ldflags?: string[];
  /** Other files written beside main.c, by name (headers, startup code, linker scripts). */
  files?: Record<string, string>;
  /** Other files (names in `files`) to compile and link with main.c. */
  extraSources?: string[];
}

export interface Compiled {
  dir: string;
  exe: string;
  /** Compiler diagnostics (empty when clean). */
  stderr: string;
  cleanup(): void;
}

/** Write main.c (+ files) to a temp dir and compile; throws with the diagnostics on failure. */
export function compileC(cSource: string, opts: CompileOptions = {}): Compiled {
  const compiler = opts.compiler ?? 'gcc';
  if (!hasTool(compiler)) throw new Error(`C compiler '${compiler}' not found on PATH`);
  const dir = mkdtempSync(join(tmpdir(), 'earshot-c-'));
  writeFileSync(join(dir, 'main.c'), cSource);
  for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), text);
  const exe = join(dir, 'prog');
  const args = [...(opts.flags ?? []), 'main.c', ...(opts.extraSources ?? []), '-o', exe, ...(opts.ldflags ?? [])];
  const r = spawnSync(compiler, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) {
    // Keep the sources for a look only when asked (EARSHOT_KEEP_C=1); otherwise do not leak temp dirs.
    const keep = process.env.EARSHOT_KEEP_C === '1';
    if (!keep) rmSync(dir, { recursive: true, force: true });
    if (r.error) throw r.error;
    throw new Error(`${compiler} ${args.join(' ')} failed (exit ${r.status})${keep ? ` in ${dir}` : ''}:\n${r.stderr.slice(0, 8000)}`);
  }
  return { dir, exe, stderr: r.stderr, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Run a program with optional stdin bytes; a crash (signal) or timeout throws. */
export function runProgram(exe: string, args: string[] = [], stdinBytes?: Uint8Array, timeoutMs = 120_000): RunResult {
  const r = spawnSync(exe, args, { input: stdinBytes, encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs });
  if (r.error) throw r.error;
  if (r.status === null) throw new Error(`${exe} was killed by ${String(r.signal)}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
}

/** Compile `cSource` as main.c, run it (stdin optional), remove the temp dir, return the output. */
export function compileAndRun(cSource: string, stdinBytes?: Uint8Array, opts: CompileOptions = {}): RunResult & { compilerStderr: string } {
  const c = compileC(cSource, opts);
  try {
    return { ...runProgram(c.exe, [], stdinBytes), compilerStderr: c.stderr };
  } finally {
    c.cleanup();
  }
}

/** A C array initializer body for integer data, 20 values a line. */
export function cIntList(values: ArrayLike<number>): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += 20) out.push(Array.prototype.slice.call(values, i, i + 20).join(','));
  return out.join(',\n');
}
