/** Keyboard and link navigation between the step screens (DOM helpers for StepBar). */

/** Shortcut keys act only when the user is not typing into a field. */
export function isShortcutTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return true;
  return el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') === null;
}

/** Scroll a screen's heading into view and move keyboard focus to it. */
export function jumpTo(headingId: string, doc: Document = document): boolean {
  const el = doc.getElementById(headingId);
  if (!el) return false;
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.style.scrollMarginTop = '110px'; // below the sticky step bar
  el.scrollIntoView({ block: 'start', behavior: 'smooth' });
  el.focus({ preventScroll: true });
  return true;
}
