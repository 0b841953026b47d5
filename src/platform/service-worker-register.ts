/**
 * Registers the build's service worker (dist/sw.js) so the app works offline after the first
 * visit. `container` is injectable; resolves to null where service workers are unavailable
 * (http on a LAN address, old browsers): the app then simply needs the network.
 */
export interface RegisterOptions {
  container?: ServiceWorkerContainer | undefined;
  /** Script URL relative to the page; default './sw.js'. */
  url?: string;
}

export async function registerServiceWorker(options: RegisterOptions = {}): Promise<ServiceWorkerRegistration | null> {
  const container = options.container ?? (globalThis.navigator as Navigator | undefined)?.serviceWorker;
  if (!container) return null;
  return container.register(options.url ?? './sw.js', { scope: './' });
}
