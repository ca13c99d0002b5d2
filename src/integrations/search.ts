/**
 * Site search: after `astro build`, index the built HTML with Pagefind's Node API and write the
 * static index and its small client (pagefind.js, WebAssembly and index chunks) to <outDir>/pagefind/.
 * There is no server: the header's search box (src/components/Search.astro) loads that client on
 * first use. `astro dev` has no index; the search box says so.
 *
 * What is indexed: only <main data-pagefind-body> (BaseLayout sets it on every page except stage
 * pages, drafts and the 404 page), so the header, navigation and footer never are. Inside it,
 * EXCLUDED_SELECTORS drops the live demo's controls, the table of contents and the diagrams' SVG,
 * "Text description" summary and mermaid source (their caption and text description stay).
 * Any other element can opt out with data-search-ignore (or Pagefind's own data-pagefind-ignore).
 *
 * Papers: each entry on /papers/ is a <li id="paper-id"> whose first child is <p class="title">.
 * Pagefind makes sub-results from headings that carry an id, so for the index only, that title
 * becomes an <h2 id="paper-id">: a search for a paper answers "Papers" with the paper as a
 * sub-result linking to /papers/#paper-id (the served page keeps its markup and its anchors).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** Parts of <main> that are interface, not content. */
export const EXCLUDED_SELECTORS = [
  '[data-demo]',
  'nav.toc',
  '.diagram-svg',
  '.diagram-text > summary',
  '.diagram-source',
  '[data-search-ignore]',
];

/** Where the index goes inside the output folder (the search box fetches /pagefind/pagefind.js). */
export const SEARCH_DIR = 'pagefind';

/** Turn each paper's title into a heading with the paper's id, so Pagefind makes it a sub-result. */
export function paperSubResults(html: string): string {
  return html.replace(
    /<li id="([^"]+)"([^>]*)>(\s*)<p class="title"([^>]*)>([\s\S]*?)<\/p>/g,
    (_match, id: string, liAttrs: string, space: string, pAttrs: string, inner: string) =>
      `<li${liAttrs}>${space}<h2 id="${id}" class="title"${pAttrs}>${inner}</h2>`,
  );
}

/**
 * Separate table cells for the index: Pagefind joins the text of adjacent cells, so a table
 * reads "ModelBackendThreads" in an excerpt. A cell followed by another cell ends with " · ", the
 * last cell of a row with "; " (inside the cell: text between cells would be moved out of the table).
 */
export function separateTableCells(html: string): string {
  return html.replace(/<\/(t[dh])>(\s*)(?=<t[dh][\s>]|<\/tr>)/g, (_match, tag: string, space: string, offset: number, whole: string) => {
    const next = whole.slice(offset + _match.length, offset + _match.length + 5);
    return `${next.startsWith('</tr') ? '; ' : ' · '}</${tag}>${space}`;
  });
}

/** HTML files under a folder, as paths relative to it with forward slashes. */
function htmlFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === SEARCH_DIR ? [] : htmlFiles(root, path);
    return entry.name.endsWith('.html') ? [relative(root, path).split(sep).join('/')] : [];
  });
}

/** Build the Pagefind index of a built site; returns the number of pages indexed. */
export async function buildSearchIndex(outDir: string): Promise<{ pages: number; files: number }> {
  const pagefind = await import('pagefind');
  const { errors, index } = await pagefind.createIndex({ excludeSelectors: EXCLUDED_SELECTORS, forceLanguage: 'en' });
  try {
    if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
    for (const file of htmlFiles(outDir)) {
      let content = readFileSync(join(outDir, file), 'utf8');
      if (file === 'papers/index.html') content = paperSubResults(content);
      content = separateTableCells(content);
      // Pages without data-pagefind-body (stage pages, drafts, 404) are skipped by Pagefind itself.
      const added = await index.addHTMLFile({ url: `/${file.replace(/(^|\/)index\.html$/, '$1').replace(/\.html$/, '/')}`, content });
      if (added.errors.length > 0) throw new Error(`Pagefind could not index ${file}: ${added.errors.join('; ')}`);
    }
    const target = join(outDir, SEARCH_DIR);
    rmSync(target, { recursive: true, force: true });
    const written = await index.writeFiles({ outputPath: target });
    if (written.errors.length > 0) throw new Error(`Pagefind could not write the index: ${written.errors.join('; ')}`);
    const files = (await index.getFiles()).files.length;
    const entry = JSON.parse(readFileSync(join(target, 'pagefind-entry.json'), 'utf8')) as {
      languages: Record<string, { page_count: number }>;
    };
    const pages = Object.values(entry.languages).reduce((sum, language) => sum + language.page_count, 0);
    return { pages, files };
  } finally {
    await pagefind.close();
  }
}

export default function search(): AstroIntegration {
  return {
    name: 'r2p-search',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const started = Date.now();
        const { pages, files } = await buildSearchIndex(fileURLToPath(dir));
        logger.info(`indexed ${pages} pages for search (${files} files in /${SEARCH_DIR}/) in ${Date.now() - started} ms`);
      },
    },
  };
}
