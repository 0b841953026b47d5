/**
 * Where a dropped or picked file goes: `yes/take1.wav` (folder name → label) or the selected
 * class for a bare file name. Paths come from webkitRelativePath or DataTransfer entries
 * ('/' separated; a leading '/' is ignored).
 */
export function labelFromPath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const parts = path.split('/').filter((p) => p.length > 0);
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** The file name part of a path. */
export function baseName(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 1] ?? path;
}
