/**
 * When a demo island starts. A study page is long (tens of thousands of pixels on a phone) and
 * its demo sits far down: importing the demo's code, reading the catalog's variant tables and
 * decoding the first sample while the page loads costs a phone's main thread hundreds of
 * milliseconds the reader does not need yet. So on a study page the demo's code is imported only
 * when the reader scrolls within about a screen of it, or reaches into it first (keyboard focus,
 * a tap). It starts at once where the demo is the point of the page or of the visit: the stage
 * page (data-stage), a demo deep link (any query parameter: ?autorun, ?sample, ?mode...), or an
 * address whose #fragment is inside the demo.
 */

/** How far ahead of the screen the demo starts loading: one screen height above and below. */
const NEAR = '100% 0px';

/** True when the demo should start as the page loads rather than when the reader nears it. */
export function startsAtOnce(root: HTMLElement, address: Location = location): boolean {
  if (root.dataset.stage !== undefined) return true;
  if (address.search.length > 1) return true;
  const id = decodeURIComponent(address.hash.slice(1));
  if (!id) return false;
  const target = document.getElementById(id);
  // The "try it" link targets the line just above the demo (#try-demo): count its next sibling.
  return target !== null && (root.contains(target) || target.nextElementSibling === root);
}

/**
 * Call `start(root)` once for every element matching `selector`: now, or when the reader comes
 * near it. `start` imports the demo's code (a dynamic import, so it is a separate chunk).
 */
export function mountWhenNear(selector: string, start: (root: HTMLElement) => Promise<void>): void {
  for (const root of document.querySelectorAll<HTMLElement>(selector)) {
    let started = false;
    const observer =
      typeof IntersectionObserver === 'function'
        ? new IntersectionObserver(
            (entries) => {
              if (entries.some((entry) => entry.isIntersecting)) begin();
            },
            { rootMargin: NEAR },
          )
        : null;
    const begin = () => {
      if (started) return;
      started = true;
      observer?.disconnect();
      root.removeEventListener('focusin', begin);
      root.removeEventListener('pointerdown', begin);
      root.dataset.demoMount = 'loading';
      start(root).then(
        () => (root.dataset.demoMount = 'started'),
        (error: unknown) => {
          // The demo's own code shows its errors; this only catches a chunk that failed to load.
          root.dataset.demoMount = 'failed';
          console.error('The demo could not be loaded', error);
          const status = root.querySelector<HTMLElement>('[data-status]');
          if (status) status.textContent = 'The demo could not be loaded: reload the page to try again.';
        },
      );
    };
    if (!observer || startsAtOnce(root)) {
      begin();
      continue;
    }
    root.addEventListener('focusin', begin);
    root.addEventListener('pointerdown', begin);
    observer.observe(root);
  }
}
