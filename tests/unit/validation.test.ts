/**
 * The friendly validator against the fixtures: the good study passes, and each bad study fails
 * with one readable message naming the file, the field path, the expectation and what was found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatProblems,
  readSampleNames,
  validateContent,
  validatePapersSource,
  validateStudySource,
  type Problem,
} from '../../src/schema/validate.ts';
import { SAMPLES_DIR } from '../helpers/images.ts';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const { papers } = validatePapersSource('papers.yaml', readFileSync(`${fixtures}papers.yaml`, 'utf8'));
const sampleNames = readSampleNames(SAMPLES_DIR);
const context = { paperIds: new Set(papers.map((paper) => paper.id)), sampleNames };

function check(dir: string, name: string): Problem[] {
  return validateStudySource(`${name}.mdx`, readFileSync(`${fixtures}${dir}/${name}.mdx`, 'utf8'), context);
}

describe('study validation', () => {
  it('accepts the good fixture', () => {
    expect(check('good-studies', 'fixture-net')).toEqual([]);
  });

  const cases: [fixture: string, path: string, expected: RegExp][] = [
    ['missing-step', 'steps[2].id', /expected step 3 to be "production-implementation".*found "accessible-layer"/],
    ['steps-out-of-order', 'steps[1].id', /expected step 2 to be "paper-and-initial-implementation".*found "production-implementation"/],
    [
      'unknown-role',
      'steps[2].role',
      /expected one of "scientist", "phd-postdoc", "library-engineer", "general-developer", found "data-wizard"/,
    ],
    ['bad-url', 'steps[2].artifacts[0].url', /expected an absolute http\(s\) URL.*found "github.com\/pytorch\/vision"/],
    ['unknown-paper', 'lineage.nodes[0].paper', /expected a paper id from src\/content\/papers.yaml, found "lecun1998gradient"/],
    ['wrong-date', 'steps[1].artifacts[0].date', /expected a date written as YYYY, YYYY-MM or YYYY-MM-DD, found "December 2015"/],
    ['unknown-model', 'demo.models[0]', /expected a model id from src\/models\/catalog.ts.*found "resnet-9000"/],
    ['missing-field', 'summary', /expected a summary.*the field is missing/],
    ['uncited-reference', 'body <Cite id="nobody2020">', /found "nobody2020" \(no such paper\)/],
    [
      'unknown-sample',
      'demo.samples[1]',
      /expected the name of a sample image in public\/samples\/ \(astronaut, camera, chelsea, coffee\), found "unicorn"/,
    ],
  ];

  it.each(cases)('%s names the field and what was expected', (fixture, path, expected) => {
    const problems = check('bad-studies', fixture);
    expect(problems.length).toBeGreaterThan(0);
    const [first] = problems;
    expect(first?.file).toBe(`${fixture}.mdx`);
    expect(first?.path).toBe(path);
    expect(first?.message).toMatch(expected);
  });

  it('gives exactly one message for a single wrong field', () => {
    for (const fixture of ['unknown-role', 'bad-url', 'wrong-date', 'unknown-paper', 'missing-field', 'unknown-sample']) {
      expect(check('bad-studies', fixture), fixture).toHaveLength(1);
    }
  });

  it('reports an unknown field by name', () => {
    const source = readFileSync(`${fixtures}good-studies/fixture-net.mdx`, 'utf8').replace(
      'status: published',
      'status: published\nstatsu: draft',
    );
    const problems = validateStudySource('typo.mdx', source, context);
    expect(problems).toEqual([{ file: 'typo.mdx', path: 'statsu', message: expect.stringMatching(/unexpected field "statsu"/) }]);
  });

  it('reports broken YAML without throwing', () => {
    const problems = validateStudySource('broken.mdx', '---\ntitle: [unclosed\n---\nbody', context);
    expect(problems[0]?.message).toMatch(/expected valid YAML frontmatter/);
  });

  it('rejects a demo model of the wrong task', () => {
    const source = readFileSync(`${fixtures}good-studies/fixture-net.mdx`, 'utf8').replace(
      'models: [resnet50-keras-imagenet]',
      'models: [mtcnn-pnet]',
    );
    expect(validateStudySource('task.mdx', source, context)[0]?.message).toMatch(/expected a image-classification model/);
  });

  it('formats a report with one line per problem', () => {
    const report = formatProblems(check('bad-studies', 'unknown-role'));
    expect(report.split('\n')).toHaveLength(2);
    expect(report).toContain('unknown-role.mdx: steps[2].role: expected one of');
  });

  it('validates a whole folder and the bibliography', () => {
    const problems = validateContent({
      root: fixtures,
      studiesDir: `${fixtures}bad-studies`,
      papersFile: `${fixtures}papers.yaml`,
      samplesDir: SAMPLES_DIR,
    });
    const files = new Set(problems.map((problem) => problem.file));
    // Every fixture on disk is bad in its own way.
    expect(files.size).toBe(readdirSync(`${fixtures}bad-studies`).filter((name) => name.endsWith('.mdx')).length);
    expect(files).toContain('bad-studies/unknown-sample.mdx');
  });

  it('checks demo.samples against the images on disk: every published study names existing samples', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const problems = validateContent({
      root,
      studiesDir: `${root}src/content/studies`,
      papersFile: `${root}src/content/papers.yaml`,
    });
    expect(problems.filter((problem) => problem.path.startsWith('demo.samples'))).toEqual([]);
    expect(sampleNames?.size).toBeGreaterThan(0);
  });
});

describe('bibliography validation', () => {
  it('needs an arXiv id, DOI or URL, and unique ids', () => {
    const source = `- { id: a, title: T, authors: [X], year: 2020, venue: V }\n- { id: b, title: T, authors: [X], year: 2020, venue: V, arxiv: '2001.00001' }\n- { id: b, title: T, authors: [X], year: 2020, venue: V, doi: 10.1000/xyz }`;
    const { papers, problems } = validatePapersSource('papers.yaml', source);
    expect(papers.map((paper) => paper.id)).toEqual(['b', 'b']);
    expect(problems.map((problem) => problem.path)).toEqual(['[0].url', '[2].id']);
    expect(problems[0]?.message).toMatch(/expected at least one of arxiv, doi or url/);
  });
});
