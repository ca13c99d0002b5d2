/**
 * The friendly validator against the fixtures: the good study passes, and each bad study fails
 * with one readable message naming the file, the field path, the expectation and what was found.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatProblems,
  readCreditedSamples,
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
    ['missing-step', 'step 3 (steps[2].id)', /expected step 3 to be "production-implementation".*found "accessible-layer"/],
    [
      'steps-out-of-order',
      'step 2 (steps[1].id)',
      /expected step 2 to be "paper-and-initial-implementation".*found "production-implementation"/,
    ],
    [
      'unknown-role',
      'step 3 (steps[2].role)',
      /expected one of "scientist", "phd-postdoc", "library-engineer", "general-developer", found "data-wizard"/,
    ],
    ['bad-url', 'step 3 (steps[2].artifacts[0].url)', /expected an absolute http\(s\) URL.*found "github.com\/pytorch\/vision"/],
    ['unknown-paper', 'lineage.nodes[0].paper', /expected a paper id from src\/content\/papers.yaml, found "lecun1998gradient"/],
    ['wrong-date', 'step 2 (steps[1].artifacts[0].date)', /expected a date written as YYYY, YYYY-MM or YYYY-MM-DD, found "December 2015"/],
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
    const source = readFileSync(`${fixtures}good-studies/fixture-net.mdx`, 'utf8').replace('status: draft', 'status: draft\nstatsu: draft');
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
    expect(report).toContain('unknown-role.mdx: step 3 (steps[2].role): expected one of');
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

/**
 * The mistakes a new contributor makes (tests/fixtures/contributor-mistakes/): each fixture is the
 * good fixture with one mistake, and validateContent (what the build and `npm run check --
 * --content` run) reports it with the source file, the field or line, and the fix.
 */
describe('contributor mistakes name the file, the field or line, and the fix', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dir = `${fixtures}contributor-mistakes`;
  const problems = validateContent({ root, studiesDir: dir, papersFile: `${fixtures}papers.yaml` });
  const of = (name: string) => problems.filter((problem) => problem.file === `tests/fixtures/contributor-mistakes/${name}.mdx`);
  const lineOf = (name: string, text: string) =>
    readFileSync(`${dir}/${name}.mdx`, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(text)) + 1;

  const cases: [name: string, expected: Partial<Omit<Problem, 'message'>> & { message: RegExp }][] = [
    [
      'missing-image',
      {
        line: lineOf('missing-image', './residual-block.png'),
        message: /image "\.\/residual-block\.png" not found next to the study.*add the file or fix the path/,
      },
    ],
    [
      'missing-public-image',
      {
        line: lineOf('missing-public-image', '/images/fixture-net'),
        message: /public\/images\/fixture-net\/roles\.png; add the file there or fix the path/,
      },
    ],
    ['impossible-date', { path: 'updated', message: /expected a day that exists in that month.*found "2026-02-30"/ }],
    [
      'missing-data-facts',
      {
        path: 'dataFacts',
        message: /dataFacts block is missing; it needs transforms \(a list of \{ name, detail \}\), shapesPreprocessing \(text\), moreData/,
      },
    ],
    [
      'stray-brace',
      { line: lineOf('stray-brace', '{scientist'), message: /literal "\{" in prose starts an MDX expression.*write &#123; for \{/ },
    ],
    [
      'step-id-typo',
      { path: 'step 3 (steps[2].id)', message: /found "production-implemntation"; did you mean "production-implementation"\?/ },
    ],
    [
      'demo-twice',
      { line: lineOf('demo-twice', 'And again') + 2, message: /<Demo \/> is used 2 times.*keep only the one in "## The demo"/ },
    ],
    ['missing-data-section', { path: 'body', message: /missing heading "## The data": add it after "## The model", with <DataFacts \/>/ }],
    ['unknown-sample', { path: 'demo.samples[1]', message: /found "kitten".*CONTRIBUTING\.md, "Sample images"/ }],
    [
      'stand-in-for-another-model',
      { path: 'demo.standIns[0].for', message: /expected this study's model\.name "FixtureNet", found "ResNet-34"/ },
    ],
  ];

  it('has a case for every fixture on disk', () => {
    const names = readdirSync(dir)
      .filter((name) => name.endsWith('.mdx'))
      .map((name) => name.slice(0, -4))
      .sort();
    expect(names).toEqual(cases.map(([name]) => name).sort());
  });

  it.each(cases)('%s', (name, expected) => {
    const found = of(name);
    expect(found.length, formatProblems(problems)).toBeGreaterThan(0);
    const { message, ...where } = expected;
    // toMatchObject does not test a RegExp against a string, so the message is matched on its own.
    expect(found[0]?.message).toMatch(message);
    expect(found[0]).toMatchObject(where);
    if (expected.line !== undefined) expect(expected.line).toBeGreaterThan(0);
  });

  it('the same studies without their mistake pass (the good fixture)', () => {
    const good = validateContent({ root, studiesDir: `${fixtures}good-studies`, papersFile: `${fixtures}papers.yaml` });
    expect(good).toEqual([]);
  });

  it('prints a body problem as file:line', () => {
    expect(formatProblems(of('stray-brace'))).toMatch(/tests\/fixtures\/contributor-mistakes\/stray-brace\.mdx:\d+: a literal/);
  });
});

describe('sample credits', () => {
  it('reports a sample image that public/samples/CREDITS.md does not credit, and accepts it once credited', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r2p-samples-'));
    try {
      for (const name of ['chelsea.png', 'kitten.png']) writeFileSync(join(dir, name), 'png');
      writeFileSync(join(dir, 'CREDITS.md'), '| file | licence |\n| --- | --- |\n| chelsea.png | CC0 |\n');
      const source = readFileSync(`${fixtures}good-studies/fixture-net.mdx`, 'utf8').replace(
        'samples: [chelsea]',
        'samples: [chelsea, kitten]',
      );
      const withCredits = { ...context, sampleNames: readSampleNames(dir), creditedSamples: readCreditedSamples(dir) };
      expect(validateStudySource('x.mdx', source, withCredits)).toEqual([
        {
          file: 'x.mdx',
          path: 'demo.samples[1]',
          message: expect.stringMatching(/public\/samples\/kitten\.png has no row in public\/samples\/CREDITS\.md/),
        },
      ]);
      writeFileSync(join(dir, 'CREDITS.md'), '| file | licence |\n| --- | --- |\n| chelsea.png | CC0 |\n| kitten.png | CC0 |\n');
      expect(validateStudySource('x.mdx', source, { ...withCredits, creditedSamples: readCreditedSamples(dir) })).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
