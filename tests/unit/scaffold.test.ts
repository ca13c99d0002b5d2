/**
 * The scaffold of `npm run new` (src/tooling/scaffold.ts): slug rules, answer checks, and a
 * generated study that is valid against the real schema, catalog and bibliography, follows the
 * body skeleton, and is clearly unfinished (draft, TODO markers).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import {
  answerProblem,
  BODY_SKELETON,
  DEFAULT_SAMPLES,
  defaultDemoModels,
  isoToday,
  mdxText,
  missingAnswers,
  parseDemoKind,
  parseList,
  placeholderPaper,
  RESERVED_SLUGS,
  renderStudy,
  SLUG_MAX_LENGTH,
  slugProblem,
  suggestSlug,
  type ScaffoldInput,
} from '../../src/tooling/scaffold.ts';
import { getModel } from '../../src/models/catalog.ts';
import { DEMO_KINDS, STEP_IDS, studySchema, type DemoKind } from '../../src/schema/study.ts';
import { validatePapersSource, validateStudySource } from '../../src/schema/validate.ts';
import { checkPublishable } from '../../src/tooling/checks/publish.ts';

const PAPERS_FILE = fileURLToPath(new URL('../../src/content/papers.yaml', import.meta.url));
const { papers } = validatePapersSource('papers.yaml', readFileSync(PAPERS_FILE, 'utf8'));
const paperIds = papers.map((paper) => paper.id);
const context = { paperIds: new Set(paperIds) };

function input(demo: DemoKind = 'image-classification', overrides: Partial<ScaffoldInput> = {}): ScaffoldInput {
  return {
    slug: 'resnet-50',
    name: 'ResNet-50',
    year: 2015,
    task: 'image classification',
    demo,
    models: defaultDemoModels(demo),
    samples: DEFAULT_SAMPLES[demo],
    paper: placeholderPaper(demo, paperIds) ?? '',
    updated: '2026-11-25',
    ...overrides,
  };
}

function withoutCode(body: string): string {
  return body.replace(/^```[\s\S]*?^```/gm, '');
}

describe('slug rules', () => {
  it.each(['resnet-50', 'facenet', 'mtcnn', 'yolo-v3', 'r2-d2', '3d-unet', 'a'])('accepts %s', (slug) => {
    expect(slugProblem(slug)).toBeNull();
  });

  it.each([
    ['ResNet-50', /not lower-case kebab-case.*"resnet-50"/],
    ['resnet_50', /not lower-case kebab-case.*"resnet-50"/],
    ['resnet 50', /not lower-case kebab-case/],
    ['-resnet', /not lower-case kebab-case/],
    ['resnet-', /not lower-case kebab-case/],
    ['res--net', /not lower-case kebab-case/],
    ['résnet', /not lower-case kebab-case.*"resnet"/],
    ['resnet.mdx', /not lower-case kebab-case/],
    ['../etc', /not lower-case kebab-case/],
    ['', /empty/],
    ['   ', /empty/],
  ])('refuses %j', (slug, message) => {
    expect(slugProblem(slug)).toMatch(message);
  });

  it(`refuses slugs longer than ${SLUG_MAX_LENGTH} characters`, () => {
    expect(slugProblem('a'.repeat(SLUG_MAX_LENGTH))).toBeNull();
    expect(slugProblem('a'.repeat(SLUG_MAX_LENGTH + 1))).toMatch(/at most 60/);
  });

  it('refuses reserved slugs', () => {
    for (const slug of RESERVED_SLUGS) expect(slugProblem(slug), slug).toMatch(/reserved/);
    expect(slugProblem('index')).toMatch(/reserved/);
    expect(slugProblem('new')).toMatch(/reserved/);
  });

  it('suggests a slug from a model name', () => {
    expect(suggestSlug('ResNet-50')).toBe('resnet-50');
    expect(suggestSlug('  Inception v3 (GoogLeNet) ')).toBe('inception-v3-googlenet');
    expect(suggestSlug('Détection')).toBe('detection');
    expect(slugProblem(suggestSlug('A'.repeat(100) + ' net'))).toBeNull();
  });
});

describe('answers and flags', () => {
  it('lists what is missing', () => {
    expect(missingAnswers({})).toEqual(['name', 'year', 'task']);
    expect(missingAnswers({ name: 'ResNet-50', year: ' ', task: 'x' })).toEqual(['year']);
    expect(missingAnswers({ name: 'a', year: '2015', task: 'b' })).toEqual([]);
  });

  it('checks the year, name and task', () => {
    expect(answerProblem('year', '2015')).toBeNull();
    expect(answerProblem('year', '15')).toMatch(/four-digit year/);
    expect(answerProblem('year', '1900')).toMatch(/between 1950 and 2100/);
    expect(answerProblem('name', 'x'.repeat(81))).toMatch(/at most 80/);
    expect(answerProblem('task', 'two\nlines')).toMatch(/single line/);
    expect(answerProblem('task', '')).toMatch(/--task is empty/);
  });

  it('parses the demo kind and the model list', () => {
    expect(parseDemoKind('face-detection')).toEqual({ kind: 'face-detection' });
    expect(parseDemoKind('face')).toEqual({
      problem: expect.stringMatching(/one of image-classification, face-detection, face-embedding/),
    });
    expect(parseList(' a, b,,a ,c ')).toEqual(['a', 'b', 'c']);
  });

  it('picks default models of the right tasks, and a placeholder paper that exists', () => {
    for (const kind of DEMO_KINDS) {
      const models = defaultDemoModels(kind);
      expect(models.length, kind).toBeGreaterThan(0);
      for (const id of models) expect(() => getModel(id)).not.toThrow();
      expect(paperIds).toContain(placeholderPaper(kind, paperIds));
    }
    expect(defaultDemoModels('face-embedding').map((id) => getModel(id).task)).toContain('face-detection');
    expect(placeholderPaper('image-classification', ['only-paper'])).toBe('only-paper');
    expect(placeholderPaper('image-classification', [])).toBeUndefined();
  });
});

describe.each(DEMO_KINDS)('generated study with a %s demo', (demo) => {
  const source = renderStudy(input(demo));
  const parsed = matter(source, { language: 'yaml' });
  const body = parsed.content;

  it('passes studySchema', () => {
    const result = studySchema.safeParse(parsed.data);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('passes the friendly validator with the real papers and catalog', () => {
    expect(validateStudySource('src/content/studies/resnet-50.mdx', source, context)).toEqual([]);
  });

  it('is a draft, full of TODO markers, with the facts it was given', () => {
    const data = studySchema.parse(parsed.data);
    expect(data.status).toBe('draft');
    expect(data.model).toEqual({ name: 'ResNet-50', year: 2015, task: 'image classification' });
    expect(data.updated).toBe('2026-11-25');
    expect(data.demo.kind).toBe(demo);
    expect(data.steps.map((step) => step.id)).toEqual([...STEP_IDS]);
    expect(data.lineage.nodes).toHaveLength(2);
    expect(source.match(/\bTODO\b/g)?.length).toBeGreaterThan(30);
    for (const section of ['title', 'summary', 'steps', 'lineage', 'modelFacts', 'dataFacts', 'demo', 'references']) {
      expect(JSON.stringify(parsed.data[section]) + source, section).toMatch(/TODO/);
    }
    expect(data.summary).toMatch(/^TODO/);
    expect(body).toMatch(/TODO/);
  });

  it('has every ## heading of the skeleton in order, each component once in its own section', () => {
    const code = withoutCode(body);
    const headings = [...code.matchAll(/^##\s+(.+?)\s*$/gm)].map((match) => match[1]);
    expect(headings).toEqual(BODY_SKELETON.map((section) => section.heading));
    const sections = code.split(/^##\s+/m).slice(1);
    BODY_SKELETON.forEach((section, index) => {
      if (!section.component) return;
      expect([...code.matchAll(new RegExp(`<${section.component}(\\s[^>]*)?\\s*/>`, 'g'))]).toHaveLength(1);
      expect(sections[index]).toMatch(new RegExp(`<${section.component}\\s*/>`));
    });
  });

  it('cites its placeholder reference in the body', () => {
    const paper = placeholderPaper(demo, paperIds);
    expect(body).toContain(`<Cite id="${paper}" />`);
  });

  it('is refused by the publish check until finished', () => {
    const problems = checkPublishable([{ file: 'resnet-50.mdx', source }]);
    expect(problems[0]?.message).toMatch(/status is draft/);
    expect(problems.some((problem) => /TODO/.test(problem.message))).toBe(true);
  });
});

describe('template safety', () => {
  it('keeps quotes, colons and hashes in names valid YAML', () => {
    const source = renderStudy(input('image-classification', { name: 'Net: "v2" # 3', task: "what's: it # does" }));
    const data = studySchema.parse(matter(source, { language: 'yaml' }).data);
    expect(data.model.name).toBe('Net: "v2" # 3');
    expect(data.model.task).toBe("what's: it # does");
    expect(validateStudySource('x.mdx', source, context)).toEqual([]);
  });

  it('escapes braces and angle brackets in body text', () => {
    expect(mdxText('Net<{x}>')).toBe('Net&#60;&#123;x&#125;&#62;');
    const body = matter(renderStudy(input('image-classification', { name: 'Net<{x}>' })), { language: 'yaml' }).content;
    expect(body).not.toContain('Net<{x}>');
  });

  it('dates today in ISO form', () => {
    expect(isoToday(new Date('2026-03-04T23:59:00Z'))).toBe('2026-03-04');
  });
});
