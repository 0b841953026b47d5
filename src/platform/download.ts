/** Download adapter: hands bytes or text to the browser as a file. `doc` injectable for tests. */
export interface DownloadOptions {
  doc?: Document;
  mime?: string;
}

export function downloadFile(name: string, content: string | Uint8Array, options: DownloadOptions = {}): void {
  const doc = options.doc ?? document;
  const mime = options.mime ?? 'application/octet-stream';
  const part: BlobPart = typeof content === 'string' ? content : new Uint8Array(content);
  const url = URL.createObjectURL(new Blob([part], { type: mime }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser time to start the download before the URL dies.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
