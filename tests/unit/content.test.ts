/**
 * Content regression tests for the published case studies (every .mdx on disk) and the shared bibliography.
 *
 * They check what a reader relies on: the frontmatter is valid, the page follows the fixed
 * heading skeleton with each layout component exactly once in its section, every citation and
 * lineage paper resolves in src/content/papers.yaml, URLs are well formed, the prose is long
 * enough to be a survey rather than a stub, the lineage goes back at least two generations, and
 * the cross-links between the studies (MTCNN feeds FaceNet-style pipelines; dlib's descriptor is
 * a reduced ResNet-34) are present.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { paperSchema, studySchema, type Study } from '../../src/schema/study.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STUDIES_DIR = join(ROOT, 'src', 'content', 'studies');
const PAPERS_FILE = join(ROOT, 'src', 'content', 'papers.yaml');

/**
 * Every study on disk, with the bibliography id of the architecture paper it follows: the paper
 * artifact of its "paper and initial implementation" step.
 */
const STUDIES = readdirSync(STUDIES_DIR)
  .filter((name) => name.endsWith('.mdx'))
  .sort()
  .map((name) => {
    const slug = name.slice(0, -'.mdx'.length);
    const data = matter(readFileSync(join(STUDIES_DIR, name), 'utf8'), { language: 'yaml' }).data as Partial<Study>;
    const step = data.steps?.find((candidate) => candidate.id === 'paper-and-initial-implementation');
    const mainPaper = step?.artifacts.find((artifact) => artifact.kind === 'paper' && artifact.paper)?.paper ?? '';
    return { slug, mainPaper };
  });

const RESNET_PAPER = 'he2016resnet';
const MTCNN_PAPER = 'zhang2016mtcnn';

/** The `##` headings every study must have, in this order, and the component each one holds. */
const SKELETON: { heading: string; component?: string }[] = [
  { heading: 'Introduction' },
  { heading: 'The four steps', component: 'Steps' },
  { heading: 'Lineage', component: 'Lineage' },
  { heading: 'Roles and skills' },
  { heading: 'The model', component: 'ModelFacts' },
  { heading: 'The data', component: 'DataFacts' },
  { heading: 'The demo', component: 'Demo' },
  { heading: 'References', component: 'References' },
];
const COMPONENTS = SKELETON.flatMap((section) => (section.component ? [section.component] : []));

const MIN_BODY_WORDS = 1500;

interface LoadedStudy {
  slug: string;
  mainPaper: string;
  raw: Record<string, unknown>;
  study: Study;
  body: string;
}

function loadPapers() {
  const raw = parseYaml(readFileSync(PAPERS_FILE, 'utf8')) as unknown[];
  return raw;
}

function loadStudy(slug: string, mainPaper: string): LoadedStudy {
  const source = readFileSync(join(STUDIES_DIR, `${slug}.mdx`), 'utf8');
  const parsed = matter(source, { language: 'yaml' });
  const raw = parsed.data as Record<string, unknown>;
  const result = studySchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${slug}.mdx frontmatter does not match studySchema:\n${lines.join('\n')}`);
  }
  return { slug, mainPaper, raw, study: result.data, body: parsed.content };
}

/** Body without fenced code blocks, so headings and tags inside code do not count. */
function withoutCode(body: string): string {
  return body.replace(/^```[\s\S]*?^```/gm, '');
}

function h2Headings(body: string): string[] {
  return [...withoutCode(body).matchAll(/^##\s+(.+?)\s*$/gm)].map((match) => match[1] ?? '');
}

function citedIds(body: string): string[] {
  return [...body.matchAll(/<Cite\s+id=["']([^"']+)["'][^>]*\/>/g)].map((match) => match[1] ?? '');
}

/** Prose words of the body: no code, no JSX component tags, no table rule rows, no bare URLs. */
function bodyWordCount(body: string): number {
  const prose = withoutCode(body)
    .replace(/<[A-Z][A-Za-z]*(\s[^>]*)?\/>/g, ' ')
    .replace(/^\|[\s|:-]+\|\s*$/gm, ' ')
    .replace(/https?:\/\/\S+/g, ' ');
  return prose.split(/\s+/).filter((token) => /[A-Za-z0-9]/.test(token)).length;
}

/** Every string value found anywhere in a parsed YAML value, with its key. */
function strings(value: unknown, key = '', out: { key: string; value: string }[] = []) {
  if (typeof value === 'string') out.push({ key, value });
  else if (Array.isArray(value)) value.forEach((item) => strings(item, key, out));
  else if (value && typeof value === 'object') {
    for (const [childKey, child] of Object.entries(value)) strings(child, childKey, out);
  }
  return out;
}

function isWellFormedHttpUrl(candidate: string): boolean {
  if (/\s/.test(candidate)) return false;
  try {
    const url = new URL(candidate);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}

/** URLs in a body: markdown link targets, autolinks and bare http(s) strings. */
function bodyUrls(body: string): string[] {
  const found = new Set<string>();
  for (const match of body.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) found.add(match[1] ?? '');
  for (const match of body.matchAll(/<(https?:[^>\s]+)>/g)) found.add(match[1] ?? '');
  for (const match of body.matchAll(/(?<![(<])\bhttps?:\/\/[^\s)>\]"'`]+/g)) found.add(match[0]);
  return [...found];
}

/** Longest chain of builds-on edges from a node through paper nodes (0 when it builds on nothing). */
function buildsOnDepth(study: Study, start: string): number {
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

function dlibDescriptorNodes(study: Study) {
  return study.lineage.nodes.filter((node) => node.kind === 'implementation' && /dlib/i.test(node.label) && /descriptor/i.test(node.label));
}

function paperNodeIds(study: Study, paperId: string): string[] {
  return study.lineage.nodes.filter((node) => node.kind === 'paper' && node.paper === paperId).map((node) => node.id);
}

describe('bibliography (src/content/papers.yaml)', () => {
  const raw = loadPapers();

  it('is a non-empty list of valid papers with unique ids', () => {
    expect(Array.isArray(raw)).toBe(true);
    expect(raw.length).toBeGreaterThan(0);
    const ids: string[] = [];
    raw.forEach((entry, index) => {
      const result = paperSchema.safeParse(entry);
      if (!result.success) {
        throw new Error(`papers.yaml entry ${index}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
      }
      ids.push(result.data.id);
    });
    const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(duplicates).toEqual([]);
  });

  it('has only well-formed http(s) URLs', () => {
    const bad = strings(raw)
      .filter(({ key }) => key === 'url')
      .map(({ value }) => value)
      .filter((url) => !isWellFormedHttpUrl(url));
    expect(bad).toEqual([]);
  });
});

const paperIds = new Set(
  loadPapers().flatMap((entry) => {
    const result = paperSchema.safeParse(entry);
    return result.success ? [result.data.id] : [];
  }),
);
const loaded = new Map(STUDIES.map(({ slug, mainPaper }) => [slug, loadStudy(slug, mainPaper)]));

describe.each(STUDIES.map(({ slug }) => slug))('study %s', (slug) => {
  const { study, raw, body, mainPaper } = loaded.get(slug)!;

  it('has valid frontmatter and is published', () => {
    expect(studySchema.safeParse(raw).success).toBe(true);
    expect(study.status).toBe('published');
  });

  it('follows the heading skeleton in order', () => {
    expect(h2Headings(body)).toEqual(SKELETON.map((section) => section.heading));
  });

  it('uses each layout component exactly once, inside its own section', () => {
    const code = withoutCode(body);
    for (const component of COMPONENTS) {
      const uses = [...code.matchAll(new RegExp(`<${component}(\\s[^>]*)?\\s*/>`, 'g'))];
      expect(uses, `<${component} /> should appear exactly once`).toHaveLength(1);
    }
    // Split at the ## headings and check that each component sits in the section that owns it.
    const sections = code.split(/^##\s+/m).slice(1);
    SKELETON.forEach((section, index) => {
      const text = sections[index] ?? '';
      expect(text.startsWith(section.heading)).toBe(true);
      if (section.component) expect(text).toMatch(new RegExp(`<${section.component}(\\s[^>]*)?\\s*/>`));
    });
  });

  it('resolves every citation, lineage paper, artifact paper and reference in papers.yaml', () => {
    const unresolved: string[] = [];
    const check = (where: string, id: string) => {
      if (!paperIds.has(id)) unresolved.push(`${where}: ${id}`);
    };
    citedIds(body).forEach((id) => check('<Cite>', id));
    study.references.forEach((id) => check('references', id));
    study.lineage.nodes.forEach((node) => {
      if (node.kind === 'paper') check(`lineage node ${node.id}`, node.paper);
    });
    study.steps.forEach((step) =>
      step.artifacts.forEach((artifact) => {
        if (artifact.paper) check(`artifact in ${step.id}`, artifact.paper);
      }),
    );
    expect(unresolved).toEqual([]);
  });

  it('lists every cited id in references, and cites something', () => {
    const cited = new Set(citedIds(body));
    expect(cited.size).toBeGreaterThan(0);
    const references = new Set(study.references);
    expect([...cited].filter((id) => !references.has(id))).toEqual([]);
    expect(new Set(study.references).size).toBe(study.references.length);
  });

  it('has only well-formed http(s) URLs in frontmatter and body', () => {
    const frontmatterUrls = strings(raw)
      .filter(({ key, value }) => key === 'url' || /^https?:/i.test(value))
      .map(({ value }) => value);
    expect(frontmatterUrls.length).toBeGreaterThan(0);
    const bad = [...frontmatterUrls, ...bodyUrls(body)].filter((url) => !isWellFormedHttpUrl(url));
    expect(bad).toEqual([]);
  });

  it(`has at least ${MIN_BODY_WORDS} words of body prose`, () => {
    expect(bodyWordCount(body)).toBeGreaterThanOrEqual(MIN_BODY_WORDS);
  });

  it('traces prior research at least two generations back from its own paper', () => {
    const roots = paperNodeIds(study, mainPaper);
    expect(roots.length, `lineage should include the paper ${mainPaper}`).toBeGreaterThan(0);
    const depth = Math.max(...roots.map((id) => buildsOnDepth(study, id)));
    expect(depth).toBeGreaterThanOrEqual(2);
  });

  it('gives every implementation node a URL and a year', () => {
    for (const node of study.lineage.nodes) {
      if (node.kind !== 'implementation') continue;
      expect(isWellFormedHttpUrl(node.url), node.id).toBe(true);
      expect(node.year).toBeGreaterThanOrEqual(1990);
    }
  });
});

describe('cross-links between the studies', () => {
  const resnet = loaded.get('resnet-34')!.study;
  const facenet = loaded.get('facenet')!.study;
  const mtcnn = loaded.get('mtcnn')!.study;

  it('facenet lineage includes the MTCNN paper (FaceNet-style pipelines need a detector and aligner)', () => {
    expect(paperNodeIds(facenet, MTCNN_PAPER).length).toBeGreaterThan(0);
  });

  it('facenet lineage includes the ResNet paper', () => {
    expect(paperNodeIds(facenet, RESNET_PAPER).length).toBeGreaterThan(0);
  });

  it('resnet-34 lineage shows highway networks as concurrent work, as the ResNet paper calls them, not as a parent', () => {
    const highway = paperNodeIds(resnet, 'srivastava2015highway');
    const paper = new Set(paperNodeIds(resnet, RESNET_PAPER));
    const between = resnet.lineage.edges.filter((edge) => paper.has(edge.from) && highway.includes(edge.to));
    expect(between.map((edge) => edge.relation)).toEqual(['concurrent-with']);
  });

  it('resnet-34 lineage includes the dlib face descriptor as a node', () => {
    expect(dlibDescriptorNodes(resnet).length).toBeGreaterThan(0);
  });

  it('facenet or resnet-34 lineage links the dlib descriptor to the ResNet paper', () => {
    const linked = [resnet, facenet].some((study) => {
      const resnetNodes = new Set(paperNodeIds(study, RESNET_PAPER));
      const dlibNodes = new Set(dlibDescriptorNodes(study).map((node) => node.id));
      return study.lineage.edges.some((edge) => dlibNodes.has(edge.from) && resnetNodes.has(edge.to));
    });
    expect(linked).toBe(true);
  });

  it('mtcnn lineage shows MTCNN feeding a FaceNet-style pipeline', () => {
    const facenetNodes = new Set(paperNodeIds(mtcnn, 'schroff2015facenet'));
    expect(facenetNodes.size).toBeGreaterThan(0);
    // Some implementation both implements FaceNet and builds on, wraps or ports an MTCNN node.
    const mtcnnNodes = new Set([
      ...paperNodeIds(mtcnn, MTCNN_PAPER),
      ...mtcnn.lineage.nodes
        .filter((node) => node.kind === 'implementation' && /mtcnn|align/i.test(`${node.id} ${node.label}`))
        .map((node) => node.id),
    ]);
    const feeds = mtcnn.lineage.nodes.some(
      (node) =>
        mtcnn.lineage.edges.some((edge) => edge.from === node.id && facenetNodes.has(edge.to)) &&
        mtcnn.lineage.edges.some((edge) => edge.from === node.id && mtcnnNodes.has(edge.to)),
    );
    expect(feeds).toBe(true);
  });

  it('each demo runs the models this site documents for it', () => {
    expect(loaded.get('resnet-34')!.study.demo.models).toEqual(['resnet34-v1-7', 'resnet34-v2-7', 'resnet50-keras-imagenet']);
    expect(facenet.demo.kind).toBe('face-embedding');
    expect(facenet.demo.models).toEqual(['facenet512', 'dlib-face-resnet-v1', 'mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet']);
    expect(mtcnn.demo.kind).toBe('face-detection');
    expect(mtcnn.demo.models).toEqual(['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet']);
  });
});
