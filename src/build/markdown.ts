/** Render the short markdown fields of the frontmatter (what happened, how to update...) to HTML at build time. */
import type { Element, ElementContent, Root, RootContent } from 'hast';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

/** URL schemes a link or image in study markdown may use; relative URLs and #anchors are fine too. */
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

/**
 * Whether a URL from study markdown may be rendered: http(s), mailto, or relative. Anything with
 * another scheme (javascript:, vbscript:, data:, file:) is refused. Browsers ignore tabs, newlines
 * and leading control characters or spaces in a scheme ("java\tscript:"), so those are removed
 * before looking, and character references were already decoded by the markdown parser.
 */
export function isSafeUrl(url: string): boolean {
  // eslint-disable-next-line no-control-regex
  const cleaned = url.replace(/[\u0000-\u0020\u007f]/g, '');
  const scheme = cleaned.match(/^([a-z][a-z0-9+.-]*):/i)?.[1];
  return scheme === undefined || SAFE_SCHEMES.has(scheme.toLowerCase());
}

/** The URL attributes a rendered element may carry. */
const URL_PROPERTIES = ['href', 'src'] as const;

/** Replace every link or image whose URL is unsafe: a link by its text, an image by its alt text. */
function dropUnsafeUrls(children: (RootContent | ElementContent)[]): ElementContent[] {
  const out: ElementContent[] = [];
  for (const node of children) {
    if (node.type !== 'element') {
      if (node.type !== 'doctype') out.push(node as ElementContent);
      continue;
    }
    const element: Element = { ...node, children: dropUnsafeUrls(node.children) };
    const unsafe = URL_PROPERTIES.some((name) => {
      const value = element.properties[name];
      return typeof value === 'string' && !isSafeUrl(value);
    });
    if (!unsafe) out.push(element);
    else if (element.tagName === 'img') {
      const alt = element.properties.alt;
      if (typeof alt === 'string' && alt) out.push({ type: 'text', value: alt });
    } else out.push(...element.children);
  }
  return out;
}

/** rehype plugin: no javascript: (or other non-web) link or image survives into set:html. */
function rehypeSafeUrls() {
  return (tree: Root) => {
    tree.children = dropUnsafeUrls(tree.children) as RootContent[];
  };
}

// Raw HTML in frontmatter is not allowed through: remark-rehype drops it by default.
const processor = unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeSafeUrls).use(rehypeStringify);

export function renderMarkdown(source: string): string {
  return String(processor.processSync(source));
}

/** Render inline markdown without the wrapping paragraph. */
export function renderInlineMarkdown(source: string): string {
  return renderMarkdown(source)
    .trim()
    .replace(/^<p>([\s\S]*)<\/p>$/, '$1');
}
