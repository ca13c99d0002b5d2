/**
 * The body contract of a study: what the MDX below the frontmatter must hold so that every study
 * page has the same shape and renders. validateContent (src/schema/validate.ts) runs it over
 * every study on disk, so it fails the build and `npm run check` with a line that names the
 * file, the line and the fix. Each rule is documented in CONTRIBUTING.md, "The MDX contract".
 *
 * Rules for every study (drafts too: the scaffold writes all of it):
 * - the `##` headings are SKELETON's, in order;
 * - each layout component appears exactly once, inside the section that owns it (they render
 *   element ids, so a second <Demo /> would break the page);
 * - only the components a study page provides are used;
 * - no stray `{` or `}` in prose (MDX reads them as expressions);
 * - links are absolute http(s) URLs or site-relative paths; images exist on disk.
 * Rules for published studies only (a draft is allowed to be unfinished):
 * - at least MIN_BODY_WORDS words of prose;
 * - the lineage traces prior research at least two generations back from the study's paper.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Study } from './study.ts';

/** A problem in a study body, at a 1-based line of the file. */
export interface BodyProblem {
  /** 1-based line in the file (frontmatter included), or undefined for the body as a whole. */
  line?: number;
  message: string;
}

/** The `##` headings every study has, in this order, and the component each one holds. */
export const SKELETON: readonly { heading: string; component?: string }[] = [
  { heading: 'Introduction' },
  { heading: 'The four steps', component: 'Steps' },
  { heading: 'Lineage', component: 'Lineage' },
  { heading: 'Roles and skills' },
  { heading: 'The model', component: 'ModelFacts' },
  { heading: 'The data', component: 'DataFacts' },
  { heading: 'The demo', component: 'Demo' },
  { heading: 'References', component: 'References' },
];

/** Components that render one part of the frontmatter, once per page. */
export const LAYOUT_COMPONENTS = SKELETON.flatMap((section) => (section.component ? [section.component] : []));

/** Components a study may use, at most once, in one named section (they render catalog data). */
export const OPTIONAL_COMPONENTS: readonly { name: string; heading: string }[] = [
  // The measured production variants of the demo's models, beside step 3 of the four steps.
  { name: 'ProductionVariants', heading: 'The four steps' },
];

/** Components a study can use anywhere in its prose, as often as it likes. */
export const INLINE_COMPONENTS = ['Cite', 'CodeValue', 'StageFlow'] as const;

/** Published studies are surveys, not stubs. */
export const MIN_BODY_WORDS = 1500;

/** Published studies trace prior research at least this many builds-on generations back. */
export const MIN_LINEAGE_DEPTH = 2;

export interface BodyContext {
  /** Absolute path of the study file, to resolve relative image paths. */
  filePath: string;
  /** Folder served at the site root (public/), to resolve /images/... paths. */
  publicDir: string;
  /** 1-based file line of the first body line (the line after the closing ---). */
  firstLine: number;
}

/** The 1-based line where the body starts: after the frontmatter's closing `---`. */
export function bodyStartLine(source: string): number {
  const lines = source.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return 1;
  const close = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
  return close < 0 ? 1 : close + 2;
}

/**
 * The body with fenced code blocks and inline code blanked out (same length and line breaks), so
 * rules about prose never fire on code, and line numbers stay right.
 */
export function blankCode(body: string): string {
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  return body.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, blank).replace(/`[^`\n]+`/g, blank);
}

/** 0-based line index of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let index = 0; index < offset; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}

/** Prose words: no code, no component tags, no table rule rows, no bare URLs. */
export function bodyWordCount(body: string): number {
  const prose = blankCode(body)
    .replace(/<[A-Z][A-Za-z]*(\s[^>]*)?\/>/g, ' ')
    .replace(/^\|[\s|:-]+\|\s*$/gm, ' ')
    .replace(/https?:\/\/\S+/g, ' ');
  return prose.split(/\s+/).filter((token) => /[A-Za-z0-9]/.test(token)).length;
}

/** Longest chain of builds-on edges from a node through paper nodes (0 when it builds on nothing). */
export function buildsOnDepth(study: Study, start: string): number {
  const paperNodes = new Set(study.lineage.nodes.filter((node) => node.kind === 'paper').map((node) => node.id));
  const next = new Map<string, string[]>();
  for (const edge of study.lineage.edges) {
    if (edge.relation !== 'builds-on' || !paperNodes.has(edge.to)) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  }
  const visit = (id: string, seen: Set<string>): number => {
    let best = 0;
    for (const to of next.get(id) ?? []) {
      if (seen.has(to)) continue;
      best = Math.max(best, 1 + visit(to, new Set([...seen, to])));
    }
    return best;
  };
  return visit(start, new Set([start]));
}

/** The bibliography id of the paper a study follows: the paper artifact of its step 2. */
export function mainPaperId(study: Study): string | undefined {
  const step = study.steps.find((candidate) => candidate.id === 'paper-and-initial-implementation');
  return step?.artifacts.find((artifact) => artifact.kind === 'paper' && artifact.paper)?.paper;
}

/** Whether a link target is a well-formed absolute http(s) URL with a dotted host name. */
export function isWebUrl(candidate: string): boolean {
  if (/\s/.test(candidate)) return false;
  try {
    const url = new URL(candidate);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}

/** Check one study body against the contract. `study` is the validated frontmatter. */
export function checkStudyBody(body: string, study: Study, context: BodyContext): BodyProblem[] {
  const problems: BodyProblem[] = [];
  const prose = blankCode(body);
  const at = (offset: number) => context.firstLine + lineOf(prose, offset);

  // Headings: the skeleton, in order.
  const headings = [...prose.matchAll(/^##[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)].map((match) => ({ text: match[1] ?? '', line: at(match.index) }));
  const expected = SKELETON.map((section) => section.heading);
  const found = headings.map((heading) => heading.text);
  for (const heading of headings) {
    if (!expected.includes(heading.text)) {
      problems.push({
        line: heading.line,
        message: `unexpected heading "## ${heading.text}": a study has exactly these ## headings, in order: ${expected.join(', ')}; use ### for a sub-section`,
      });
    }
  }
  const missing = expected.filter((heading) => !found.includes(heading));
  if (missing.length > 2) {
    problems.push({
      message: `missing the headings ${missing.map((heading) => `"## ${heading}"`).join(', ')}: a study body has these ## headings in order, each with its component (copy the skeleton that npm run new writes; CONTRIBUTING.md, "The MDX contract")`,
    });
  }
  expected.forEach((heading, index) => {
    const count = found.filter((text) => text === heading).length;
    if (count === 0 && missing.length <= 2) {
      const after = index > 0 ? ` after "## ${expected[index - 1]}"` : ' at the top of the body';
      const component = SKELETON[index]?.component;
      problems.push({
        message: `missing heading "## ${heading}": add it${after}${component ? `, with <${component} /> in its section` : ''}`,
      });
    } else if (count > 1) {
      const lines = headings.filter((item) => item.text === heading).map((item) => item.line);
      problems.push({ line: lines[1], message: `heading "## ${heading}" appears ${count} times (lines ${lines.join(', ')}); keep one` });
    }
  });
  const known = found.filter((text) => expected.includes(text) && found.indexOf(text) === found.lastIndexOf(text));
  const order = expected.filter((heading) => known.includes(heading));
  if (known.join('\n') !== order.join('\n')) {
    const first = known.findIndex((text, index) => text !== order[index]);
    const heading = headings.find((item) => item.text === known[first]);
    problems.push({
      line: heading?.line,
      message: `heading "## ${known[first]}" is out of order: the ## headings go ${expected.join(' -> ')}`,
    });
  }

  // Components: layout ones once each, in their own section; no unknown ones.
  const sectionAt = (offset: number) => {
    const line = at(offset);
    return [...headings].reverse().find((heading) => heading.line <= line)?.text;
  };
  const tags = [...prose.matchAll(/<([A-Z][A-Za-z0-9]*)\b/g)].map((match) => ({ name: match[1] ?? '', offset: match.index }));
  for (const component of LAYOUT_COMPONENTS) {
    const uses = tags.filter((tag) => tag.name === component);
    const owner = SKELETON.find((section) => section.component === component)!.heading;
    if (uses.length === 0) {
      // With the whole skeleton missing, the heading message above already says what to add.
      if (missing.length <= 2 || found.includes(owner)) {
        problems.push({ message: `missing <${component} />: put it once in the "## ${owner}" section (it renders the frontmatter there)` });
      }
      continue;
    }
    if (uses.length > 1) {
      const lines = uses.map((use) => at(use.offset));
      problems.push({
        line: lines[1],
        message: `<${component} /> is used ${uses.length} times (lines ${lines.join(', ')}); it renders element ids that must be unique on the page, so keep only the one in "## ${owner}"`,
      });
    }
    const first = uses[0]!;
    const section = sectionAt(first.offset);
    if (section !== undefined && section !== owner && expected.includes(section)) {
      problems.push({ line: at(first.offset), message: `<${component} /> is in "## ${section}"; move it to "## ${owner}"` });
    }
  }
  for (const optional of OPTIONAL_COMPONENTS) {
    const uses = tags.filter((tag) => tag.name === optional.name);
    if (uses.length > 1) {
      problems.push({
        line: at(uses[1]!.offset),
        message: `<${optional.name} /> is used ${uses.length} times; keep only one, in "## ${optional.heading}"`,
      });
    }
    const section = uses[0] ? sectionAt(uses[0].offset) : undefined;
    if (uses[0] && section !== undefined && section !== optional.heading && expected.includes(section)) {
      problems.push({
        line: at(uses[0].offset),
        message: `<${optional.name} /> is in "## ${section}"; move it to "## ${optional.heading}"`,
      });
    }
  }
  const allowed = new Set<string>([...LAYOUT_COMPONENTS, ...OPTIONAL_COMPONENTS.map((optional) => optional.name), ...INLINE_COMPONENTS]);
  for (const tag of tags) {
    if (!allowed.has(tag.name)) {
      problems.push({
        line: at(tag.offset),
        message: `unknown component <${tag.name}>: a study can use ${[...allowed].map((name) => `<${name}>`).join(', ')} (write &lt; for a literal "<")`,
      });
    }
  }

  // Stray braces: MDX reads { ... } in prose as a JavaScript expression.
  const withoutTags = prose
    .replace(/<[A-Z][^>]*>/g, (tag) => tag.replace(/[^\n]/g, ' '))
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, (c) => c.replace(/[^\n]/g, ' '));
  for (const match of withoutTags.matchAll(/[{}]/g)) {
    const lineStart = withoutTags.lastIndexOf('\n', match.index) + 1;
    const lineEnd = withoutTags.indexOf('\n', match.index);
    const text = body.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim();
    problems.push({
      line: at(match.index),
      message: `a literal "${match[0]}" in prose starts an MDX expression (${text.length > 60 ? `${text.slice(0, 57)}...` : text}); write &#123; for { and &#125; for }, or put the text in \`code\``,
    });
    break; // one is enough: the first usually explains the rest
  }

  // Links and images.
  for (const match of prose.matchAll(/(!?)\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const isImage = match[1] === '!';
    const target = match[2] ?? '';
    const line = at(match.index);
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      if (/^mailto:/i.test(target)) continue;
      if (!isWebUrl(target))
        problems.push({ line, message: `link "${target}" is not a well-formed http(s) URL: write https://host.tld/path` });
      continue;
    }
    if (target.startsWith('#')) continue;
    if (target.startsWith('//')) {
      problems.push({ line, message: `link "${target}" has no scheme: write https:${target}` });
      continue;
    }
    if (!isImage) {
      if (!target.startsWith('/') && !target.startsWith('.')) {
        problems.push({
          line,
          message: `link "${target}" is neither an http(s) URL nor a site path: write https://${target} for another site or /studies/<slug>/ for a page here`,
        });
      }
      continue; // site paths are checked against the built site by npm run check (links)
    }
    const path = target.split(/[?#]/)[0] ?? '';
    const file = path.startsWith('/') ? join(context.publicDir, decodeURI(path)) : resolve(dirname(context.filePath), decodeURI(path));
    if (!existsSync(file)) {
      problems.push({
        line,
        message: path.startsWith('/')
          ? `image "${target}" not found: the site serves it from public${decodeURI(path)}; add the file there or fix the path`
          : `image "${target}" not found next to the study (looked for ${relative(process.cwd(), file)}); add the file or fix the path (see CONTRIBUTING.md, "Figures")`,
      });
    }
  }
  for (const match of prose.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/g)) {
    const target = match[1] ?? '';
    if (!target.startsWith('/') || target.startsWith('//')) continue;
    if (!existsSync(join(context.publicDir, decodeURI(target.split(/[?#]/)[0] ?? '')))) {
      problems.push({
        line: at(match.index),
        message: `image "${target}" not found: the site serves it from public${target}; add the file there or fix the path`,
      });
    }
  }

  // Published studies only.
  if (study.status === 'published') {
    const words = bodyWordCount(body);
    if (words < MIN_BODY_WORDS) {
      problems.push({
        message: `the body has ${words} words of prose; a published study has at least ${MIN_BODY_WORDS} (keep it a draft until then)`,
      });
    }
    const paper = mainPaperId(study);
    const roots = paper ? study.lineage.nodes.filter((node) => node.kind === 'paper' && node.paper === paper).map((node) => node.id) : [];
    if (!paper) {
      problems.push({
        message: 'step 2 (paper-and-initial-implementation) has no paper artifact with a `paper` id, so the lineage has no root',
      });
    } else if (roots.length === 0) {
      problems.push({
        message: `lineage.nodes has no paper node for "${paper}" (the paper of step 2): add { id, kind: paper, paper: ${paper} }`,
      });
    } else {
      const depth = Math.max(...roots.map((id) => buildsOnDepth(study, id)));
      if (depth < MIN_LINEAGE_DEPTH) {
        problems.push({
          message: `lineage goes back ${depth} generation${depth === 1 ? '' : 's'} from "${paper}"; a published study traces at least ${MIN_LINEAGE_DEPTH} (builds-on edges from ${paper} to the papers it builds on, and from those to theirs)`,
        });
      }
    }
  }
  return problems;
}
