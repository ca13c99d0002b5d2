/**
 * Content regression tests for the published case studies (every .mdx on disk) and the shared bibliography.
 *
 * They check what a reader relies on: the frontmatter is valid, the body meets the contract of
 * src/schema/body.ts (the same validator the build and `npm run check` run: heading skeleton,
 * each layout component once in its section, links, images, length, lineage depth), every
 * citation and lineage paper resolves in src/content/papers.yaml, and the cross-links between
 * the studies (MTCNN feeds FaceNet-style pipelines; dlib's descriptor is a reduced ResNet-34) are
 * present. The contract is also shown to fail on each study with a section or component removed
 * or doubled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { bodyStartLine, checkStudyBody, isWebUrl, type BodyContext } from '../../src/schema/body.ts';
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

interface LoadedStudy {
  slug: string;
  mainPaper: string;
  raw: Record<string, unknown>;
  study: Study;
  body: string;
  context: BodyContext;
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
  const filePath = join(STUDIES_DIR, `${slug}.mdx`);
  const context = { filePath, publicDir: join(ROOT, 'public'), firstLine: bodyStartLine(source) };
  return { slug, mainPaper, raw, study: result.data, body: parsed.content, context };
}

function citedIds(body: string): string[] {
  return [...body.matchAll(/<Cite\s+id=["']([^"']+)["'][^>]*\/>/g)].map((match) => match[1] ?? '');
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
      .filter((url) => !isWebUrl(url));
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
  const { study, raw, body, context } = loaded.get(slug)!;

  it('has valid frontmatter and is published', () => {
    expect(studySchema.safeParse(raw).success).toBe(true);
    expect(study.status).toBe('published');
  });

  it('meets the body contract (src/schema/body.ts), as the build and npm run check do', () => {
    expect(checkStudyBody(body, study, context)).toEqual([]);
  });

  it('fails the body contract without "## The data" and <DataFacts />, or with <Demo /> twice', () => {
    const withoutData = body.replace(/^## The data\n[\s\S]*?(?=^## The demo)/m, '');
    expect(withoutData).not.toBe(body);
    const messages = checkStudyBody(withoutData, study, context).map((problem) => problem.message);
    expect(messages.some((message) => message.includes('missing heading "## The data"'))).toBe(true);
    expect(messages.some((message) => message.includes('missing <DataFacts />'))).toBe(true);
    const demoTwice = body.replace('<Demo />', '<Demo />\n\n<Demo />');
    expect(checkStudyBody(demoTwice, study, context).map((problem) => problem.message)).toEqual([
      expect.stringMatching(/<Demo \/> is used 2 times/),
    ]);
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

  it('has only well-formed http(s) URLs in frontmatter', () => {
    const frontmatterUrls = strings(raw)
      .filter(({ key, value }) => key === 'url' || /^https?:/i.test(value))
      .map(({ value }) => value);
    expect(frontmatterUrls.length).toBeGreaterThan(0);
    expect(frontmatterUrls.filter((url) => !isWebUrl(url))).toEqual([]);
  });

  it('gives every implementation node a URL and a year', () => {
    for (const node of study.lineage.nodes) {
      if (node.kind !== 'implementation') continue;
      expect(isWebUrl(node.url), node.id).toBe(true);
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
