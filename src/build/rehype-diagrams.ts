/**
 * rehype plugin: authors' ```mermaid code blocks become diagram figures, rendered to SVG at
 * build time (src/build/mermaid-render.ts) in a light and a dark version.
 *
 *     ```mermaid caption="How a photo becomes an embedding" id="embedding-flow"
 *     flowchart LR
 *       photo --> detector --> aligner --> embedder
 *     ```
 *
 * Meta string: `caption="..."` (default "Diagram"), optional `id="..."` (the figure id) and
 * `description="..."` (a written text alternative; the mermaid source is always shown in
 * <details> as well).
 *
 * In MDX files the block becomes `<Diagram spec={...} rendered={...} />` from
 * src/components/Diagram.astro (an import is added to the file), so the figure, its CSS and, when
 * there is no Chromium, the client fallback script are exactly the component's. In other files
 * (plain .md) the plugin writes the same figure markup as HTML; there the fallback markup is
 * emitted without a script, so it needs a page that also holds a Diagram component.
 *
 * The plugin must see the raw source: exclude mermaid from syntax highlighting
 * (`syntaxHighlight: { type: 'shiki', excludeLangs: ['mermaid'] }`), since Astro runs Shiki
 * before user rehype plugins. A block that Shiki already highlighted is still picked up (its text
 * is the source) but its meta string is gone, so the plugin warns and uses the default caption.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Element, ElementContent, Properties, Root, RootContent } from 'hast';
import type { VFile } from 'vfile';
import type { DiagramSpec } from './diagrams.ts';
import { renderMermaid, type RenderedDiagram } from './mermaid-render.ts';

/** Options of the plugin. */
export type RehypeDiagramsOptions = {
  /**
   * `component`: emit the Diagram component (MDX only); `html`: emit the figure as HTML;
   * `auto` (default): `component` for .mdx files, `html` for everything else.
   */
  output?: 'auto' | 'component' | 'html';
  /** Absolute path of the Diagram component; default src/components/Diagram.astro. */
  component?: string;
  /** The renderer (tests replace it); default renderMermaid. */
  render?: (sources: string[], options: { labels: string[] }) => Promise<RenderedDiagram[] | null>;
};

/** The caption when the meta string gives none. */
export const DEFAULT_CAPTION = 'Diagram';

/** The local name the added import gives the Diagram component in MDX. */
const COMPONENT_NAME = 'R2pMermaidDiagram';

const DEFAULT_COMPONENT = fileURLToPath(new URL('../components/Diagram.astro', import.meta.url));

/** Read `key="value"`, `key='value'` or `key=value` pairs from a code block's meta string. */
export function parseMeta(meta: string | undefined | null): Record<string, string> {
  const result: Record<string, string> = {};
  if (!meta) return result;
  const pattern = /([A-Za-z][\w-]*)=(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"']+))/g;
  for (const match of meta.matchAll(pattern)) {
    const [, key, double, single, bare] = match;
    if (key === undefined) continue;
    const raw = double ?? single ?? bare ?? '';
    result[key] = double !== undefined || single !== undefined ? raw.replace(/\\(.)/g, '$1') : raw;
  }
  return result;
}

function classList(element: Element): string[] {
  const value: unknown = element.properties?.className;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(/\s+/);
  return [];
}

/** The text of a node as written (what hast-util-to-text gives for <pre> with whitespace 'pre'). */
function textOf(node: Root | RootContent): string {
  if (node.type === 'text') return node.value;
  if ('children' in node) return node.children.map((child) => textOf(child)).join('');
  return '';
}

type Found = {
  /** The <pre> to replace. */
  pre: Element;
  parent: Root | Element;
  source: string;
  spec: DiagramSpec;
  id: string | undefined;
  /** Where it is, for error messages. */
  where: string;
};

/** A JSON-like value as an ESTree expression, for MDX JSX attribute values. */
type Estree = Record<string, unknown>;
function toEstree(value: unknown): Estree {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return { type: 'Literal', value, raw: JSON.stringify(value) };
  }
  if (Array.isArray(value)) return { type: 'ArrayExpression', elements: value.map(toEstree) };
  if (typeof value === 'object') {
    return {
      type: 'ObjectExpression',
      properties: Object.entries(value as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => ({
          type: 'Property',
          key: { type: 'Literal', value: key, raw: JSON.stringify(key) },
          value: toEstree(item),
          kind: 'init',
          method: false,
          shorthand: false,
          computed: false,
        })),
    };
  }
  throw new Error(`rehype-diagrams: cannot pass ${typeof value} to the Diagram component`);
}

function program(body: Estree[]): Estree {
  return { type: 'Program', sourceType: 'module', body, comments: [] };
}

function expressionAttribute(name: string, value: unknown): unknown {
  return {
    type: 'mdxJsxAttribute',
    name,
    value: {
      type: 'mdxJsxAttributeValueExpression',
      value: JSON.stringify(value),
      data: { estree: program([{ type: 'ExpressionStatement', expression: toEstree(value) }]) },
    },
  };
}

/**
 * `import R2pMermaidDiagram from "../../components/Diagram.astro"` as an MDX ESM node. The path is
 * relative to the MDX file (Vite reads a bare absolute path as relative to the project root).
 */
function importNode(component: string, filePath: string | undefined): RootContent {
  let specifier = component;
  if (filePath && path.isAbsolute(filePath)) {
    specifier = path.relative(path.dirname(filePath), component);
    if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  }
  specifier = specifier.split(path.sep).join('/');
  const node = {
    type: 'mdxjsEsm',
    value: `import ${COMPONENT_NAME} from ${JSON.stringify(specifier)};`,
    data: {
      estree: program([
        {
          type: 'ImportDeclaration',
          specifiers: [{ type: 'ImportDefaultSpecifier', local: { type: 'Identifier', name: COMPONENT_NAME } }],
          source: { type: 'Literal', value: specifier, raw: JSON.stringify(specifier) },
          attributes: [],
        },
      ]),
    },
  };
  return node as unknown as RootContent;
}

/** `<R2pMermaidDiagram spec={...} rendered={...} id="..." />` as an MDX JSX node. */
function componentNode(found: Found, rendered: RenderedDiagram | null): ElementContent {
  const attributes = [expressionAttribute('spec', found.spec), expressionAttribute('rendered', rendered)];
  if (found.id) attributes.push({ type: 'mdxJsxAttribute', name: 'id', value: found.id });
  const node = { type: 'mdxJsxFlowElement', name: COMPONENT_NAME, attributes, children: [] };
  return node as unknown as ElementContent;
}

const element = (tagName: string, properties: Properties, children: ElementContent[]): Element => ({
  type: 'element',
  tagName,
  properties,
  children,
});
const text = (value: string): ElementContent => ({ type: 'text', value });
const raw = (value: string): ElementContent => ({ type: 'raw', value }) as unknown as ElementContent;

/** The figure markup of Diagram.astro, as HAST (for files that are not MDX). */
export function figureHast(spec: DiagramSpec, rendered: RenderedDiagram | null, id?: string): Element {
  const group = (extra: string, children: ElementContent[]) =>
    element('div', { className: ['diagram-svg', extra], role: 'group', ariaLabel: spec.caption, tabIndex: 0 }, children);
  const body: ElementContent[] = rendered
    ? [group('diagram-light', [raw(rendered.light)]), group('diagram-dark', [raw(rendered.dark)])]
    : [group('diagram-client', [element('pre', { className: ['mermaid'] }, [text(spec.source)])])];
  const details: ElementContent[] = [element('summary', {}, [text('Text description')])];
  if (spec.description) details.push(element('p', {}, [text(spec.description)]));
  details.push(element('pre', { className: ['diagram-source'] }, [element('code', {}, [text(spec.source)])]));
  return element('figure', { className: ['diagram'], id, dataDiagram: rendered ? 'static' : 'client' }, [
    ...body,
    element('figcaption', {}, [text(spec.caption)]),
    element('details', { className: ['diagram-text'] }, details),
  ]);
}

/** The rehype plugin. Add it to `unified({ rehypePlugins: [rehypeDiagrams] })`. */
export default function rehypeDiagrams(options: RehypeDiagramsOptions = {}) {
  const render = options.render ?? ((sources: string[], renderOptions: { labels: string[] }) => renderMermaid(sources, renderOptions));
  const component = options.component ?? DEFAULT_COMPONENT;

  return async function transform(tree: Root, file: VFile): Promise<void> {
    const found: Found[] = [];
    const fileName = file.path ? path.relative(file.cwd, file.path) : 'a markdown file';

    // Walk every node with children: elements, and MDX JSX elements wrapping markdown.
    const visit = (parent: Root | Element) => {
      for (const node of parent.children as (RootContent | ElementContent)[]) {
        if (node.type !== 'element') {
          if ('children' in node && Array.isArray(node.children)) visit(node as unknown as Element);
          continue;
        }
        if (node.tagName !== 'pre') {
          visit(node);
          continue;
        }
        let meta: string | undefined;
        let highlighted = false;
        const significant = node.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
        const code = significant[0];
        if (
          significant.length === 1 &&
          code?.type === 'element' &&
          code.tagName === 'code' &&
          classList(code).includes('language-mermaid')
        ) {
          const data = code.data as { meta?: string | null } | undefined;
          const metastring = code.properties?.metastring;
          meta = data?.meta ?? (typeof metastring === 'string' ? metastring : undefined);
        } else if (node.properties?.dataLanguage === 'mermaid') {
          highlighted = true; // already highlighted by Shiki or Prism: its text is still the source
        } else {
          continue;
        }

        const source = textOf(node).replace(/\n*$/, '\n');
        const attributes = parseMeta(meta);
        const line = node.position?.start.line;
        if (highlighted) {
          file.message(
            'rehype-diagrams: this mermaid block was syntax-highlighted before the plugin ran, so its caption is lost; add excludeLangs: ["mermaid"] to markdown.syntaxHighlight',
            { place: node.position, ruleId: 'highlighted-mermaid', source: 'r2p' },
          );
        }
        const caption = attributes.caption?.trim() || DEFAULT_CAPTION;
        found.push({
          pre: node,
          parent,
          source,
          spec: { source, caption, description: attributes.description?.trim() ?? '' },
          id: attributes.id,
          where: `the mermaid block "${caption}" at ${fileName}${line ? `:${line}` : ''}`,
        });
      }
    };
    visit(tree);

    if (found.length === 0) return;

    // Throws (failing the build) when a block cannot be rendered; the message names the block,
    // its file and line, and the offending line of mermaid source.
    const rendered = await render(
      found.map((item) => item.source),
      { labels: found.map((item) => item.where) },
    );

    const mode =
      options.output === 'component' || options.output === 'html'
        ? options.output
        : path.extname(file.path ?? '') === '.mdx'
          ? 'component'
          : 'html';
    found.forEach((item, index) => {
      const result = rendered?.[index] ?? null;
      const replacement = mode === 'component' ? componentNode(item, result) : figureHast(item.spec, result, item.id);
      const siblings = item.parent.children as (RootContent | ElementContent)[];
      const position = siblings.indexOf(item.pre);
      if (position >= 0) siblings[position] = replacement;
    });
    if (mode === 'component') tree.children.unshift(importNode(component, file.path ? path.resolve(file.cwd, file.path) : undefined));
  };
}
