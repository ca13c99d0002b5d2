/**
 * npm run check: the pull-request checks, in one command.
 *
 *   npm run check                         # every step
 *   npm run check -- --allow-drafts       # skip draft studies in the publish step (work in progress)
 *   npm run check -- --skip links,types   # leave out slow steps while iterating
 *   npm run check -- --only schema,publish
 *   npm run check -- --keep-build         # keep the temporary build and print where it is
 *
 * Steps: (a) types: astro check; (b) lint: eslint .; (c) format: prettier --check .;
 * (d) schema: the friendly content validation; (e) links: build the site into a temporary
 * folder and check every internal link and anchor; (f) publish: no draft and no TODO in the
 * studies; (g) files: no model or weight file and nothing over 5 MB in git; (h) sizes: no
 * built file over the per-file limit of static hosts (--max-file-size, default 25 MiB). Every step runs
 * even when an earlier one fails; the exit status is non-zero when any failed. The logic of
 * (d)-(g) lives in src/schema/validate.ts and src/tooling/checks/*.ts; this file only runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { contentLocation } from '../src/integrations/content-location.ts';
import { checkCommittedFiles, formatFileProblems, parseGitFileList, type TrackedFile } from '../src/tooling/checks/committed-files.ts';
import { checkSiteLinks, extractPage, formatLinkProblems, type PageInfo } from '../src/tooling/checks/links.ts';
import { checkPublishable, formatPublishProblems } from '../src/tooling/checks/publish.ts';
import {
  DEFAULT_MAX_BUILT_FILE_BYTES,
  formatBytes,
  formatOversizedFiles,
  oversizedFiles,
  parseByteSize,
  type BuiltFile,
} from '../src/tooling/checks/built-file-sizes.ts';
import { exitCodeFor, formatHeading, formatResultLine, formatSummary, type StepResult } from '../src/tooling/checks/report.ts';
import { formatProblems, validateContent } from '../src/schema/validate.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Outcome {
  ok: boolean | 'skip';
  note: string;
}

interface Step {
  key: string;
  letter: string;
  title: string;
  command: string;
  run(): Promise<Outcome>;
}

/** Absolute path of a package's bin script, so tools run with this Node and no npx. */
function bin(pkg: string, name = pkg): string {
  const manifest = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const path = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[name];
  if (!path) throw new Error(`node_modules/${pkg} has no "${name}" command; run npm ci`);
  return join(root, 'node_modules', pkg, path);
}

/** Run a Node tool with its output shown as it comes; resolves to its exit status. */
function runTool(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, env, stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(error.message);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const toolStep = (code: number, passed: string, failed: string): Outcome => ({
  ok: code === 0,
  note: code === 0 ? passed : `${failed} (exit status ${code})`,
});

/** Print problem lines, at most `limit`, and say how many were left out. */
function printLines(lines: readonly string[], limit = 60): void {
  for (const line of lines.slice(0, limit)) console.log(`  ${line}`);
  if (lines.length > limit) console.log(`  ... and ${lines.length - limit} more`);
}

const plural = (count: number, word: string, words = `${word}s`) => `${count} ${count === 1 ? word : words}`;

/** Every file below dir, relative to it with "/" separators. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.startsWith('.prerender/'));
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      skip: { type: 'string' },
      'allow-drafts': { type: 'boolean', default: false },
      'keep-build': { type: 'boolean', default: false },
      'max-file-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const list = (value: string | undefined) =>
    new Set(
      (value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );
  return {
    only: list(values.only),
    skip: list(values.skip),
    allowDrafts: values['allow-drafts'],
    keepBuild: values['keep-build'],
    maxFileSize: values['max-file-size'] ?? process.env.R2P_MAX_FILE_SIZE,
    help: values.help,
  };
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`npm run check: ${(error as Error).message}`);
    return 2;
  }
  const location = contentLocation(root);
  /** The files of step (e)'s build, for step (h); null when (e) did not build. */
  let builtFiles: BuiltFile[] | null = null;

  const steps: Step[] = [
    {
      key: 'types',
      letter: 'a',
      title: 'Type check',
      command: 'astro check',
      run: async () => toolStep(await runTool(bin('astro'), ['check']), 'no type errors', 'type errors above'),
    },
    {
      key: 'lint',
      letter: 'b',
      title: 'Lint',
      command: 'eslint .',
      run: async () => toolStep(await runTool(bin('eslint'), ['.']), 'no lint errors', 'lint problems above'),
    },
    {
      key: 'format',
      letter: 'c',
      title: 'Format',
      command: 'prettier --check .',
      run: async () =>
        toolStep(await runTool(bin('prettier'), ['--check', '.']), 'formatted', 'files above need npx prettier --write <file>'),
    },
    {
      key: 'schema',
      letter: 'd',
      title: 'Content schema',
      command: 'validateContent (src/schema/validate.ts)',
      run: async () => {
        const problems = validateContent(location);
        const studies = existsSync(location.studiesDir)
          ? readdirSync(location.studiesDir).filter((name) => /\.mdx?$/.test(name)).length
          : 0;
        if (problems.length === 0) {
          console.log(`r2p content check: ${plural(studies, 'study', 'studies')} and the bibliography are valid`);
          return { ok: true, note: `${plural(studies, 'study', 'studies')} and papers.yaml valid` };
        }
        console.log(formatProblems(problems));
        return { ok: false, note: plural(problems.length, 'content problem') };
      },
    },
    {
      key: 'links',
      letter: 'e',
      title: 'Build and internal links',
      command: 'astro build (temporary folder), then every href/src and #anchor',
      run: async () => {
        // Inside the project on purpose: Astro puts its prerender chunks in <outDir>/.prerender
        // only when outDir is below the working directory, and otherwise in the shared
        // .astro/.prerender, where two builds running at once break each other.
        const scratch = join(root, 'node_modules', '.cache', 'r2p-check');
        const outDir = join(scratch, `dist-${process.pid}`);
        const cacheDir = join(scratch, `cache-${process.pid}`);
        try {
          const code = await runTool(bin('astro'), ['build'], { ...process.env, R2P_OUT_DIR: outDir, R2P_CACHE_DIR: cacheDir });
          if (code !== 0) return { ok: false, note: `the build failed (exit status ${code}); links not checked` };
          const files = listFiles(outDir);
          builtFiles = files.map((file) => ({ path: file, bytes: statSync(join(outDir, file)).size }));
          const pages = new Map<string, PageInfo>(
            files.filter((file) => file.endsWith('.html')).map((file) => [file, extractPage(readFileSync(join(outDir, file), 'utf8'))]),
          );
          const origins = [process.env.R2P_SITE ?? 'http://127.0.0.1:4321'];
          const problems = checkSiteLinks(files, pages, { origins });
          const links = [...pages.values()].reduce((sum, page) => sum + page.links.length, 0);
          console.log(`\nChecked ${plural(links, 'link')} on ${plural(pages.size, 'page')} against ${plural(files.length, 'built file')}.`);
          if (problems.length === 0) return { ok: true, note: `${plural(pages.size, 'page')} built, no broken internal links or anchors` };
          const lines = formatLinkProblems(problems);
          console.log(`${plural(lines.length, 'broken link')}:`);
          printLines(lines);
          return { ok: false, note: `${plural(lines.length, 'broken link')} (${plural(problems.length, 'occurrence')})` };
        } finally {
          rmSync(cacheDir, { recursive: true, force: true });
          if (options.keepBuild) console.log(`Build kept in ${relative(root, outDir)}`);
          else rmSync(outDir, { recursive: true, force: true });
        }
      },
    },
    {
      key: 'publish',
      letter: 'f',
      title: 'Ready to publish',
      command: `no draft status and no TODO in ${relative(root, location.studiesDir)}`,
      run: async () => {
        const names = existsSync(location.studiesDir)
          ? readdirSync(location.studiesDir)
              .filter((name) => /\.mdx?$/.test(name))
              .sort()
          : [];
        const studies = names.map((name) => {
          const path = join(location.studiesDir, name);
          return { file: relative(root, path), source: readFileSync(path, 'utf8') };
        });
        const problems = checkPublishable(studies, { allowDrafts: options.allowDrafts });
        if (problems.length === 0) {
          const note = `${plural(studies.length, 'study', 'studies')}, none a draft${options.allowDrafts ? ' (drafts allowed)' : ''}, no TODO`;
          console.log(note);
          return { ok: true, note };
        }
        printLines(formatPublishProblems(problems));
        const files = new Set(problems.map((problem) => problem.file));
        return { ok: false, note: `${plural(files.size, 'study', 'studies')} not ready (draft or TODO)` };
      },
    },
    {
      key: 'files',
      letter: 'g',
      title: 'No model files in git',
      command: 'git ls-files: no .onnx/.ort/.pb/.pt/.pth/.h5/.npy/.bin/.tflite..., nothing over 5 MB',
      run: async () => {
        const git = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        if (git.error || git.status !== 0) {
          const reason = git.error ? git.error.message : git.stderr.trim().split('\n')[0];
          console.log(`git ls-files did not run: ${reason}`);
          return { ok: 'skip', note: 'not a git checkout (or git is missing)' };
        }
        const files: TrackedFile[] = parseGitFileList(git.stdout).map((path) => {
          try {
            return { path, bytes: lstatSync(join(root, path)).size };
          } catch {
            return { path, bytes: null };
          }
        });
        const problems = checkCommittedFiles(files);
        if (problems.length === 0) {
          console.log(`${plural(files.length, 'tracked file')}, no model files, none over 5 MB`);
          return { ok: true, note: `${plural(files.length, 'tracked file')} clean` };
        }
        printLines(formatFileProblems(problems));
        return { ok: false, note: plural(problems.length, 'file') + ' that must not be in git' };
      },
    },
    {
      key: 'sizes',
      letter: 'h',
      title: 'Built file sizes',
      command: 'every built file at most the per-file limit of static hosts (--max-file-size, default 25 MiB)',
      run: async () => {
        const limit = options.maxFileSize ? parseByteSize(options.maxFileSize) : DEFAULT_MAX_BUILT_FILE_BYTES;
        if (!builtFiles) {
          const outDir = join(root, 'node_modules', '.cache', 'r2p-check', `sizes-${process.pid}`);
          try {
            const code = await runTool(bin('astro'), ['build'], { ...process.env, R2P_OUT_DIR: outDir, R2P_CACHE_DIR: `${outDir}-cache` });
            if (code !== 0) return { ok: false, note: `the build failed (exit status ${code}); sizes not checked` };
            builtFiles = listFiles(outDir).map((file) => ({ path: file, bytes: statSync(join(outDir, file)).size }));
          } finally {
            rmSync(outDir, { recursive: true, force: true });
            rmSync(`${outDir}-cache`, { recursive: true, force: true });
          }
        }
        const over = oversizedFiles(builtFiles, limit);
        if (over.length === 0) {
          const largest = [...builtFiles].sort((a, b) => b.bytes - a.bytes)[0];
          const note = `${plural(builtFiles.length, 'built file')} at most ${formatBytes(limit)}${largest ? ` (largest: ${largest.path}, ${formatBytes(largest.bytes)})` : ''}`;
          console.log(note);
          return { ok: true, note };
        }
        printLines(formatOversizedFiles(over, limit));
        return { ok: false, note: `${plural(over.length, 'built file')} over ${formatBytes(limit)}` };
      },
    },
  ];

  if (options.help) {
    console.log(
      `usage: npm run check -- [--only a,b] [--skip a,b] [--allow-drafts] [--keep-build] [--max-file-size 25MiB]\nsteps: ${steps.map((step) => `${step.key} (${step.title.toLowerCase()})`).join(', ')}`,
    );
    return 0;
  }
  const known = new Set(steps.map((step) => step.key));
  const unknown = [...options.only, ...options.skip].filter((key) => !known.has(key));
  if (unknown.length > 0) {
    console.error(`npm run check: unknown step ${unknown.join(', ')}; the steps are ${[...known].join(', ')}`);
    return 2;
  }

  const results: StepResult[] = [];
  for (const step of steps) {
    const selected = (options.only.size === 0 || options.only.has(step.key)) && !options.skip.has(step.key);
    const base = { key: step.key, letter: step.letter, title: step.title, command: step.command };
    if (!selected) {
      results.push({ ...base, status: 'skip', seconds: 0, note: 'not selected' });
      continue;
    }
    console.log(formatHeading(step));
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await step.run();
    } catch (error) {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      outcome = { ok: false, note: `crashed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
    }
    const result: StepResult = {
      ...base,
      status: outcome.ok === 'skip' ? 'skip' : outcome.ok ? 'pass' : 'fail',
      seconds: (performance.now() - started) / 1000,
      note: outcome.note,
    };
    results.push(result);
    console.log(formatResultLine(result));
  }
  console.log(formatSummary(results));
  return exitCodeFor(results);
}

process.exitCode = await main();
