/**
 * `npm run new` end to end: the real script, run without a terminal, writing into a temporary
 * studies folder (R2P_STUDIES_DIR) against the real bibliography. It creates a valid draft,
 * refuses an existing or invalid slug without touching anything, and lists missing flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblems, validateContent } from '../../src/schema/validate.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'new-study.ts');
const PAPERS_FILE = join(ROOT, 'src', 'content', 'papers.yaml');

let studiesDir: string;

beforeEach(() => {
  studiesDir = mkdtempSync(join(tmpdir(), 'r2p-new-study-'));
});

afterEach(() => {
  rmSync(studiesDir, { recursive: true, force: true });
});

/** Run the script with stdin and stdout as pipes, so it is not an interactive terminal. */
function runNew(...args: string[]) {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd: ROOT,
    env: { ...process.env, R2P_STUDIES_DIR: studiesDir, R2P_PAPERS_FILE: PAPERS_FILE },
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
}

const FLAGS = ['--name', 'ResNet-50', '--year', '2015', '--task', 'image classification'];

describe('npm run new', () => {
  it('creates a draft study that the content check accepts', () => {
    const result = runNew('resnet-50', ...FLAGS);
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toMatch(/Created .*resnet-50\.mdx \(status: draft\)/);
    expect(result.stdout).toContain('http://127.0.0.1:4321/studies/resnet-50/');
    expect(readdirSync(studiesDir)).toEqual(['resnet-50.mdx']);
    const source = readFileSync(join(studiesDir, 'resnet-50.mdx'), 'utf8');
    expect(source).toMatch(/^status: draft$/m);
    expect(source).toMatch(/^ {2}name: "ResNet-50"$/m);
    expect(source).toContain('TODO');
    const problems = validateContent({ root: ROOT, studiesDir, papersFile: PAPERS_FILE });
    expect(problems, formatProblems(problems)).toEqual([]);
  });

  it('honours --demo, --models and --paper', () => {
    const result = runNew(
      'retina-face',
      '--name',
      'RetinaFace',
      '--year',
      '2019',
      '--task',
      'face detection',
      '--demo',
      'face-detection',
      '--models',
      'mtcnn-pnet,mtcnn-rnet,mtcnn-onet',
      '--paper',
      'zhang2016mtcnn',
    );
    expect(result.status, result.output).toBe(0);
    const source = readFileSync(join(studiesDir, 'retina-face.mdx'), 'utf8');
    expect(source).toMatch(/kind: face-detection/);
    expect(source).toMatch(/models: \[mtcnn-pnet, mtcnn-rnet, mtcnn-onet\]/);
    expect(validateContent({ root: ROOT, studiesDir, papersFile: PAPERS_FILE })).toEqual([]);
  });

  it('refuses an existing slug and leaves the file untouched', () => {
    const path = join(studiesDir, 'resnet-50.mdx');
    writeFileSync(path, 'my work in progress\n');
    const before = statSync(path).mtimeMs;
    const result = runNew('resnet-50', ...FLAGS);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/resnet-50\.mdx already exists; edit it, or choose another slug\. Nothing was written\./);
    expect(readFileSync(path, 'utf8')).toBe('my work in progress\n');
    expect(statSync(path).mtimeMs).toBe(before);
    expect(readdirSync(studiesDir)).toEqual(['resnet-50.mdx']);
  });

  it.each([
    ['ResNet-50', /not lower-case kebab-case.*for example "resnet-50"/],
    ['resnet_50', /not lower-case kebab-case/],
    ['index', /reserved/],
    ['a'.repeat(61), /at most 60/],
  ])('refuses the invalid slug %s and writes nothing', (slug, message) => {
    const result = runNew(slug, ...FLAGS);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Nothing was written.');
    expect(readdirSync(studiesDir)).toEqual([]);
  });

  it('without a terminal, lists every missing flag and writes nothing', () => {
    const result = runNew('resnet-50', '--year', '2015');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/missing --name, --task \(not asking, because this is not an interactive terminal\)/);
    expect(result.stderr).toContain('npm run new -- resnet-50 --name');
    expect(readdirSync(studiesDir)).toEqual([]);

    const none = runNew('resnet-50');
    expect(none.stderr).toMatch(/missing --name, --year, --task/);
  });

  it.each([
    ['a two-digit year', ['resnet-50', '--name', 'ResNet-50', '--year', '15', '--task', 'x'], /--year must be a four-digit year/],
    [
      'an unknown demo kind',
      ['resnet-50', ...FLAGS, '--demo', 'faces'],
      /--demo must be one of image-classification, face-detection, face-embedding/,
    ],
    ['an unknown paper', ['resnet-50', ...FLAGS, '--paper', 'nobody2020'], /--paper "nobody2020" is not in/],
    [
      'a model of the wrong task',
      ['resnet-50', ...FLAGS, '--models', 'mtcnn-pnet'],
      /would not validate[\s\S]*demo\.models\[0\]: expected a image-classification model/,
    ],
    ['an unknown flag', ['resnet-50', ...FLAGS, '--bogus'], /Unknown option '--bogus'/],
    ['no slug', [], /give the slug of the new study/],
  ])('refuses %s with a clear message and writes nothing', (_what, args, message) => {
    const result = runNew(...args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(readdirSync(studiesDir)).toEqual([]);
  });
});
