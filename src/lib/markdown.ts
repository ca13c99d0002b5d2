/** Render the short markdown fields of the frontmatter (what happened, how to update...) to HTML at build time. */
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

// Raw HTML in frontmatter is not allowed through: remark-rehype drops it by default.
const processor = unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeStringify);

export function renderMarkdown(source: string): string {
  return String(processor.processSync(source));
}

/** Render inline markdown without the wrapping paragraph. */
export function renderInlineMarkdown(source: string): string {
  return renderMarkdown(source)
    .trim()
    .replace(/^<p>([\s\S]*)<\/p>$/, '$1');
}
