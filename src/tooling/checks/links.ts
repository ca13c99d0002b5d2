/**
 * Broken internal links and anchors in a built site, as pure functions over file lists and
 * HTML strings (scripts/check.ts reads the build; the unit tests pass small fixtures).
 *
 * Every href, src, srcset, poster and data that points into the site must name a built file,
 * and every #fragment must name an element id (or <a name>) on the page it points to. Links
 * to other origins, mailto:, data: and the like are not checked. HTML is parsed with parse5,
 * the WHATWG parser that Astro's markdown pipeline already uses.
 */
import { parse, type DefaultTreeAdapterTypes } from 'parse5';

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

/** One URL found in a page, with where it came from. */
export interface PageLink {
  /** Element and attribute, e.g. a[href]. */
  where: string;
  /** The URL as written. */
  url: string;
}

/** What the link check needs from one page. */
export interface PageInfo {
  /** Element ids (and <a name> values) on the page. */
  ids: Set<string>;
  /** Every URL-valued attribute on the page. */
  links: PageLink[];
  /** The page's <base href>, when it has one. */
  base?: string;
}

/** A broken link or anchor. */
export interface LinkProblem {
  /** The page that has the link, relative to the site folder. */
  page: string;
  /** The link as written, with where it came from. */
  link: string;
  message: string;
}

/** Attributes that hold one URL, by element. */
const URL_ATTRIBUTES: Record<string, readonly string[]> = {
  a: ['href'],
  area: ['href'],
  link: ['href'],
  base: [],
  img: ['src'],
  script: ['src'],
  iframe: ['src'],
  embed: ['src'],
  source: ['src'],
  track: ['src'],
  audio: ['src'],
  video: ['src', 'poster'],
  input: ['src'],
  object: ['data'],
  form: ['action'],
  use: ['href'],
  image: ['href'],
};

/** Attributes that hold a srcset list. */
const SRCSET_ELEMENTS = new Set(['img', 'source']);

/** <meta> properties whose content is a URL a crawler fetches. */
const URL_META = new Set(['og:image', 'og:url', 'og:audio', 'og:video', 'twitter:image']);

function attribute(element: Element, name: string): string | undefined {
  // SVG's xlink:href arrives as name "href" with prefix "xlink".
  return element.attrs.find((attr) => attr.name === name)?.value;
}

function children(node: Node): Node[] {
  const list = 'childNodes' in node ? [...node.childNodes] : [];
  // <template> keeps its markup in a separate fragment.
  if ('content' in node && node.content) list.push(...node.content.childNodes);
  return list;
}

/** The URLs of a srcset: comma-separated candidates of "url [descriptor]" (HTML's parsing rules). */
export function srcsetUrls(value: string): string[] {
  const urls: string[] = [];
  let index = 0;
  while (index < value.length) {
    while (index < value.length && /[\s,]/.test(value[index] ?? '')) index += 1;
    const start = index;
    while (index < value.length && !/\s/.test(value[index] ?? '')) index += 1;
    let url = value.slice(start, index);
    if (url === '') break;
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      // Skip the descriptors, up to the comma that ends the candidate.
      let depth = 0;
      while (index < value.length) {
        const char = value[index];
        if (char === '(') depth += 1;
        else if (char === ')') depth = Math.max(0, depth - 1);
        else if (char === ',' && depth === 0) break;
        index += 1;
      }
    }
    urls.push(url);
  }
  return urls;
}

/** Parse a page once: its ids and links. */
export function extractPage(html: string): PageInfo {
  const info: PageInfo = { ids: new Set(), links: [] };
  const stack: Node[] = [parse(html)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('tagName' in node) {
      const element = node;
      const tag = element.tagName;
      const id = attribute(element, 'id');
      if (id) info.ids.add(id);
      if (tag === 'a') {
        const name = attribute(element, 'name');
        if (name) info.ids.add(name);
      }
      if (tag === 'base') {
        const href = attribute(element, 'href');
        if (href && info.base === undefined) info.base = href;
      }
      for (const name of URL_ATTRIBUTES[tag] ?? []) {
        const value = attribute(element, name);
        if (value !== undefined) info.links.push({ where: `${tag}[${name}]`, url: value.trim() });
      }
      if (SRCSET_ELEMENTS.has(tag)) {
        const srcset = attribute(element, 'srcset');
        if (srcset) for (const url of srcsetUrls(srcset)) info.links.push({ where: `${tag}[srcset]`, url });
      }
      if (tag === 'meta') {
        const property = attribute(element, 'property') ?? attribute(element, 'name');
        const content = attribute(element, 'content');
        if (property && content && URL_META.has(property)) info.links.push({ where: `meta[${property}]`, url: content.trim() });
      }
    }
    stack.push(...children(node));
  }
  return info;
}

/** The URL path a built file is served at: a/b/index.html -> /a/b/, a.html -> /a.html. */
export function servedPath(file: string): string {
  const path = file.replace(/\\/g, '/').replace(/^\/+/, '');
  if (path === 'index.html') return '/';
  if (path.endsWith('/index.html')) return `/${path.slice(0, -'index.html'.length)}`;
  return `/${path}`;
}

/**
 * The built file a URL path names, or null. Accepts what static hosts and `astro preview`
 * serve: the exact file, <path>/index.html for a folder, and <path>.html or <path>/index.html
 * for a path without the trailing slash.
 */
export function resolveFile(pathname: string, files: ReadonlySet<string>): string | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    path = pathname;
  }
  path = path.replace(/^\/+/, '');
  const candidates = path === '' || path.endsWith('/') ? [`${path}index.html`] : [path, `${path}.html`, `${path}/index.html`];
  return candidates.find((candidate) => files.has(candidate)) ?? null;
}

/** Schemes that do not point into the site. */
const SKIPPED_SCHEME = /^(?!https?:)[a-z][a-z0-9+.-]*:/i;

export interface LinkCheckOptions {
  /** Origins that count as this site (the configured `site`), e.g. http://127.0.0.1:4321. */
  origins?: readonly string[];
  /** The site's base path (Astro `base`), default "/". */
  base?: string;
}

/** Whether a fragment needs no element: empty, or "top" (HTML scrolls to the top). */
function fragmentAlwaysValid(fragment: string): boolean {
  return fragment === '' || fragment.toLowerCase() === 'top';
}

/**
 * Check every internal link and anchor of a built site.
 * @param files every built file, relative to the site folder, with "/" separators
 * @param pages the HTML pages among them: raw HTML or already extracted PageInfo
 */
export function checkSiteLinks(
  files: readonly string[],
  pages: ReadonlyMap<string, string | PageInfo>,
  options: LinkCheckOptions = {},
): LinkProblem[] {
  const fileSet = new Set(files.map((file) => file.replace(/\\/g, '/').replace(/^\/+/, '')));
  const base = `/${(options.base ?? '/').replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  const origins = new Set((options.origins ?? []).map((origin) => new URL(origin).origin));
  const info = new Map<string, PageInfo>();
  for (const [file, page] of pages)
    info.set(file.replace(/\\/g, '/').replace(/^\/+/, ''), typeof page === 'string' ? extractPage(page) : page);

  // Resolve against a placeholder origin so that relative links work like in a browser.
  const LOCAL = 'http://r2p.invalid';
  const problems: LinkProblem[] = [];
  for (const [page, { links, base: baseHref }] of info) {
    const pageUrl = new URL(servedPath(page), LOCAL);
    const documentBase = baseHref ? new URL(baseHref, pageUrl) : pageUrl;
    const seen = new Set<string>();
    for (const { where, url } of links) {
      const key = `${where} ${url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const report = (message: string) => problems.push({ page, link: `${where}="${url}"`, message });
      if (url === '' || SKIPPED_SCHEME.test(url)) continue;
      let target: URL;
      try {
        target = new URL(url, documentBase);
      } catch {
        report('is not a valid URL');
        continue;
      }
      if (target.origin !== LOCAL) {
        if (!origins.has(target.origin)) continue; // another site
        target = new URL(`${target.pathname}${target.search}${target.hash}`, LOCAL);
      }
      let pathname = target.pathname;
      if (base !== '/') {
        if (!pathname.startsWith(base) && `${pathname}/` !== base) {
          report(`points outside the site's base path ${base}`);
          continue;
        }
        pathname = `/${pathname.slice(base.length)}`;
      }
      const file = resolveFile(pathname, fileSet);
      if (file === null) {
        report(`points to ${pathname}, which is not a built file`);
        continue;
      }
      let fragment = target.hash.replace(/^#/, '');
      try {
        fragment = decodeURIComponent(fragment);
      } catch {
        // keep the raw fragment
      }
      if (fragmentAlwaysValid(fragment)) continue;
      const targetPage = info.get(file);
      if (!targetPage) continue; // a fragment into a non-HTML file (PDF page, media time) is not checked
      if (!targetPage.ids.has(fragment)) {
        report(file === page ? `has no element with id "${fragment}" on this page` : `has no element with id "${fragment}" on ${file}`);
      }
    }
  }
  return problems;
}

/**
 * Readable lines, one per broken link: a link that is broken on many pages (a header or footer
 * link) is reported once with the pages that have it.
 */
export function formatLinkProblems(problems: readonly LinkProblem[], maxPages = 3): string[] {
  const groups = new Map<string, string[]>();
  for (const problem of problems) {
    const key = `${problem.link} ${problem.message}`;
    groups.set(key, [...(groups.get(key) ?? []), problem.page]);
  }
  return [...groups].map(([key, pages]) => {
    const shown = pages.slice(0, maxPages).join(', ');
    const more = pages.length > maxPages ? ` and ${pages.length - maxPages} more page${pages.length - maxPages === 1 ? '' : 's'}` : '';
    return `${key} (on ${shown}${more})`;
  });
}
