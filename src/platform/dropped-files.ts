/**
 * Files a user picks or drops, with their folder path: `<input webkitdirectory>` gives
 * webkitRelativePath; a drop gives FileSystemEntry trees (DataTransferItem.webkitGetAsEntry),
 * walked here. The folder holding a file names its class (core/dataset/import-path.ts).
 */
import type { ImportFile } from '../state/dataset.svelte.ts';

export function importFileOf(file: File, path?: string): ImportFile {
  const rel = path ?? (file.webkitRelativePath || undefined);
  return { name: file.name, path: rel, size: file.size, bytes: () => file.arrayBuffer() };
}

export function filesFromList(list: FileList | null | undefined): ImportFile[] {
  return Array.from(list ?? [], (f) => importFileOf(f));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((ok, fail) => entry.file(ok, fail));
}

async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, out: ImportFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    out.push(importFileOf(file, entry.fullPath.replace(/^\//, '')));
  } else if (entry.isDirectory) {
    for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child, out);
  }
}

/** Every file of a drop, folders walked (entries are taken synchronously, as the API requires). */
export async function filesFromDrop(dt: DataTransfer): Promise<ImportFile[]> {
  const entries = Array.from(dt.items ?? [])
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) return filesFromList(dt.files);
  const out: ImportFile[] = [];
  for (const e of entries) if (e) await walk(e, out);
  return out.sort((a, b) => (a.path ?? a.name).localeCompare(b.path ?? b.name));
}
