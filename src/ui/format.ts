/** Small display helpers shared by the screens. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`;
}

export function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The number typed in an <input type="number"> (NaN while it is not one). */
export function inputNumber(e: Event & { currentTarget: HTMLInputElement }): number {
  return e.currentTarget.valueAsNumber;
}

/** A fraction as a percentage for a number field, to 0.1 (0.125 → 12.5). */
export function percentField(x: number): number {
  return Math.round(x * 1000) / 10;
}
