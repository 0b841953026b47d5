/**
 * Build-time (Node) Vite plugin: after the bundle is written, list every file in the output
 * folder (chunks, worker bundles, tfjs .wasm files, demo assets, public/ files) and write
 * sw.js = that list + a content hash + the hand-written service-worker.js.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

export const SW_FILE = 'sw.js';
const SW_SOURCE = resolve(import.meta.dirname, 'service-worker.js');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** The precache list (paths relative to the site root, '/' separated) and a hash of their bytes. */
export function precacheManifest(outDir: string): { files: string[]; version: string } {
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const p of listFiles(outDir)) {
    const rel = relative(outDir, p).split(sep).join('/');
    if (rel === SW_FILE || rel.endsWith('.map')) continue;
    files.push(rel);
    hash.update(rel).update(readFileSync(p));
  }
  return { files, version: hash.digest('hex').slice(0, 16) };
}

export function serviceWorkerSource(files: readonly string[], version: string): string {
  return `const VERSION = ${JSON.stringify(version)};\nconst PRECACHE = ${JSON.stringify(files)};\n${readFileSync(SW_SOURCE, 'utf8')}`;
}

export function serviceWorkerPlugin(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'earshot-service-worker',
    apply: 'build',
    configResolved(c) {
      config = c;
    },
    closeBundle() {
      // Only the page build (worker bundles are built by nested builds of their own).
      if (config.build.ssr || config.isWorker) return;
      const outDir = resolve(config.root, config.build.outDir);
      const { files, version } = precacheManifest(outDir);
      writeFileSync(join(outDir, SW_FILE), serviceWorkerSource(files, version));
    },
  };
}
