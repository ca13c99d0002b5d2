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

/** A demo kind's mount function, as its module exports it. */
export type MountDemo = (root: HTMLElement) => Promise<void> | void;

/**
 * Mount the demo on every element matching `selector`: now, or when the reader comes near it.
 * `load` imports the demo's code (a dynamic import, so it is a separate chunk) and returns its
 * mount function. data-demo-mount on the root says where it is: loading (the code is being
 * fetched), started (mounted), failed (the code did not load).
 */
export function mountWhenNear(selector: string, load: () => Promise<MountDemo>): void {
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
      load().then(
        (mount) => {
          root.dataset.demoMount = 'started';
          // The demo reports its own errors in its status line.
          void Promise.resolve(mount(root)).catch((error: unknown) => console.error(error));
        },
        (error: unknown) => {
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
