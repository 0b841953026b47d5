/**
 * Shared harness for the browser tests: serves dist/ with `vite preview` on a free loopback
 * port, launches Debian Chromium (playwright-core) with the flags this machine needs and an
 * optional fake-microphone WAV, records every request that leaves the page's origin.
 * A missing tool fails the test (never a skip), with the install hint.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CHROMIUM = '/usr/bin/chromium';

export function requireTool(name: string): void {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0) {
    throw new Error(`${name} is not installed: run bash scripts/ensure-tools.sh (Debian packages)`);
  }
}

export function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
  });
}

async function waitForServer(url: string, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`vite preview exited with ${proc.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`vite preview did not answer at ${url}`);
}

export interface PreviewServer {
  origin: string;
  stop(): void;
}

/** `vite preview` of the built app (npm test builds dist/ first). */
export async function startPreview(): Promise<PreviewServer> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/ensure-tools.sh`);
  if (!existsSync(join(ROOT, 'dist/index.html'))) throw new Error('dist/ is missing: run `vite build` first (npm test does)');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = spawn(join(ROOT, 'node_modules/.bin/vite'), ['preview', '--port', String(port), '--host', '127.0.0.1', '--strictPort'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  await waitForServer(origin, proc, 30_000);
  return { origin, stop: () => { if (proc.exitCode === null) proc.kill('SIGTERM'); } };
}

export function chromiumArgs(fakeMicWav?: string): string[] {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (fakeMicWav) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${fakeMicWav}`);
  }
  return args;
}

export function launchBrowser(fakeMicWav?: string): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(fakeMicWav) });
}

/** A browser whose profile (IndexedDB included) lives in `userDataDir`, so a later launch
 * with another fake-microphone file sees the same saved data. */
export function launchPersistent(userDataDir: string, fakeMicWav?: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: chromiumArgs(fakeMicWav), acceptDownloads: true });
}

/** Collects requests that leave `origin` and uncaught page errors. */
export function watchPage(page: Page, origin: string): { foreign: string[]; errors: string[] } {
  const seen = { foreign: [] as string[], errors: [] as string[] };
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) seen.foreign.push(url);
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  return seen;
}

/** The `data-status` attribute of the element with that test id (the screens' job state). */
export function dataStatus(page: Page, testId: string): Promise<string | null> {
  return page.getByTestId(testId).getAttribute('data-status');
}

/** Polls `cond` every 100 ms (page time) until it holds; throws after `timeoutMs`. */
export async function until(page: Page, cond: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

/**
 * A `vite preview` and one page in a persistent Chromium profile under `profileDir` (reloads keep
 * IndexedDB), dialogs accepted, requests and errors watched, the app loaded. Close with `stop`.
 */
export async function openPersistentApp(profileDir: string): Promise<{ server: PreviewServer; context: BrowserContext; page: Page; seen: ReturnType<typeof watchPage>; stop: () => Promise<void> }> {
  const server = await startPreview();
  const context = await launchPersistent(profileDir);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('dialog', (d) => void d.accept());
  const seen = watchPage(page, server.origin);
  await page.goto(server.origin);
  await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
  return { server, context, page, seen, stop: async () => { await context.close(); server.stop(); } };
}

export interface PreviewAndBrowser {
  server: PreviewServer;
  browser: Browser;
}

/** One `vite preview` and one headless browser for the file's tests (beforeAll), closed after them. */
export function usePreviewAndBrowser(): PreviewAndBrowser {
  const session = {} as Partial<PreviewAndBrowser>;
  beforeAll(async () => {
    session.server = await startPreview();
    session.browser = await launchBrowser();
  });
  afterAll(async () => {
    await session.browser?.close();
    session.server?.stop();
  });
  return session as PreviewAndBrowser;
}
