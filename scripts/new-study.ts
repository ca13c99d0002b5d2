/**
 * npm run new -- <slug> [--name "ResNet-50"] [--year 2015] [--task "image classification"]
 *                       [--demo image-classification] [--models id1,id2] [--paper he2016resnet]
 *
 * Scaffolds src/content/studies/<slug>.mdx: a draft study with every section of the schema
 * and every heading of the body, each marked TODO. The file is a valid study from the start, so
 * `npm run dev` shows it (with the draft banner) and builds keep working; `npm run check`
 * refuses it until the TODOs are gone and its status is published. In a terminal the script
 * asks for a missing model name, year and task; elsewhere it lists the missing flags.
 * R2P_STUDIES_DIR and R2P_PAPERS_FILE point it at other folders, as they do the build.
 * The templates live in src/tooling/scaffold.ts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface, type Interface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { contentLocation } from '../src/integrations/content-location.ts';
import {
  answerProblem,
  DEFAULT_SAMPLES,
  defaultDemoModels,
  isoToday,
  MODEL_FLAGS,
  missingAnswers,
  parseDemoKind,
  parseList,
  placeholderPaper,
  renderStudy,
  slugProblem,
  type ModelAnswers,
} from '../src/tooling/scaffold.ts';
import { DEMO_KINDS, type DemoKind } from '../src/schema/study.ts';
import { formatProblems, validatePapersSource, validateStudySource } from '../src/schema/validate.ts';

const USAGE = `usage: npm run new -- <slug> [options]

  <slug>                 lower-case kebab-case file name and URL, e.g. resnet-50
  --name "ResNet-50"     the model's name
  --year 2015            the year of its architecture paper
  --task "image classification"
                         what the model does
  --demo <kind>          demo kind: ${DEMO_KINDS.join(', ')} (default image-classification)
  --models id1,id2       catalog ids the demo runs (default: mirrored models of the demo's tasks)
  --paper <id>           the architecture paper, when src/content/papers.yaml already has it
  -h, --help             this text

example: npm run new -- resnet-50 --name "ResNet-50" --year 2015 --task "image classification"`;

class UsageError extends Error {}

function fail(message: string, showUsage = false): never {
  throw new UsageError(showUsage ? `${message}\n\n${USAGE}` : message);
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Lines typed in the terminal; buffered, so answers typed ahead of a prompt are not lost. */
interface Terminal {
  rl: Interface;
  lines: AsyncIterator<string>;
}

/** Ask until the answer passes its check; throws when the terminal closes (Ctrl-D, Ctrl-C). */
async function ask(terminal: Terminal, prompt: string, check: (answer: string) => string | null, fallback?: string): Promise<string> {
  for (;;) {
    terminal.rl.setPrompt(fallback ? `${prompt} [${fallback}]: ` : `${prompt}: `);
    terminal.rl.prompt();
    const line = await terminal.lines.next();
    if (line.done) throw new Error('closed');
    const raw = line.value.trim();
    const answer = raw === '' && fallback !== undefined ? fallback : raw;
    const problem = check(answer);
    if (!problem) return answer;
    console.log(`  ${problem}`);
  }
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        year: { type: 'string' },
        task: { type: 'string' },
        demo: { type: 'string' },
        models: { type: 'string' },
        paper: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail(`npm run new: ${(error as Error).message}`, true);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length === 0) fail('npm run new: give the slug of the new study, for example: npm run new -- resnet-50', true);
  if (positionals.length > 1) {
    fail(`npm run new: expected one slug, found ${positionals.length} (${positionals.join(' ')}); quote a value that has spaces`, true);
  }
  const slug = positionals[0] ?? '';
  const slugError = slugProblem(slug);
  if (slugError) fail(`npm run new: ${slugError}. Nothing was written.`);

  const location = contentLocation(root);
  const target = join(location.studiesDir, `${slug}.mdx`);
  const fromCwd = relative(process.cwd(), target);
  const shown = fromCwd && !fromCwd.startsWith('..') ? fromCwd : target;
  const exists = () => fail(`npm run new: ${shown} already exists; edit it, or choose another slug. Nothing was written.`);
  if (existsSync(target)) exists();

  const { papers, problems: paperProblems } = validatePapersSource(
    relative(root, location.papersFile),
    readFileSync(location.papersFile, 'utf8'),
  );
  if (paperProblems.length > 0) fail(`npm run new: the bibliography has problems; fix them first.\n${formatProblems(paperProblems)}`);
  const paperIds = papers.map((paper) => paper.id);

  // Flags first: a wrong flag is reported before any question is asked.
  const answers: ModelAnswers = { name: values.name, year: values.year, task: values.task };
  for (const key of Object.keys(MODEL_FLAGS) as (keyof ModelAnswers)[]) {
    const value = answers[key];
    if (value === undefined || value.trim() === '') continue;
    const problem = answerProblem(key, value);
    if (problem) fail(`npm run new: ${problem}`);
  }
  let demo: DemoKind | undefined;
  if (values.demo !== undefined) {
    const result = parseDemoKind(values.demo);
    if ('problem' in result) fail(`npm run new: ${result.problem}`);
    demo = result.kind;
  }
  if (values.paper !== undefined && !paperIds.includes(values.paper)) {
    fail(
      `npm run new: --paper "${values.paper}" is not in ${relative(root, location.papersFile)}; add the paper there first (see CONTRIBUTING.md), or leave --paper out.`,
    );
  }

  const missing = missingAnswers(answers);
  if (missing.length > 0 || demo === undefined) {
    if (!process.stdin.isTTY) {
      if (missing.length > 0) {
        const flags = missing.map((key) => MODEL_FLAGS[key]);
        fail(
          `npm run new: missing ${flags.join(', ')} (not asking, because this is not an interactive terminal). Pass them, for example:\n` +
            `  npm run new -- ${slug} --name "ResNet-50" --year 2015 --task "image classification"`,
        );
      }
    } else {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const terminal: Terminal = { rl, lines: rl[Symbol.asyncIterator]() };
      rl.on('SIGINT', () => rl.close());
      try {
        console.log(`New study ${slug}: a few facts about the model (the rest of the file is TODO placeholders).`);
        if (missing.includes('name'))
          answers.name = await ask(terminal, 'Model name, e.g. ResNet-50', (answer) => answerProblem('name', answer));
        if (missing.includes('year'))
          answers.year = await ask(terminal, 'Year of the architecture paper, e.g. 2015', (answer) => answerProblem('year', answer));
        if (missing.includes('task'))
          answers.task = await ask(terminal, 'What it does, e.g. image classification', (answer) => answerProblem('task', answer));
        if (demo === undefined) {
          const kind = await ask(
            terminal,
            `Demo kind (${DEMO_KINDS.join(', ')})`,
            (answer) => {
              const result = parseDemoKind(answer);
              return 'problem' in result ? result.problem : null;
            },
            'image-classification',
          );
          demo = kind as DemoKind;
        }
      } catch {
        fail('npm run new: cancelled. Nothing was written.');
      } finally {
        rl.close();
      }
    }
  }
  demo ??= 'image-classification';

  const paper = values.paper ?? placeholderPaper(demo, paperIds);
  if (!paper) fail(`npm run new: ${relative(root, location.papersFile)} has no papers; a study needs at least one reference.`);
  const source = renderStudy({
    slug,
    name: (answers.name ?? '').trim(),
    year: Number(answers.year),
    task: (answers.task ?? '').trim(),
    demo,
    models: values.models !== undefined ? parseList(values.models) : defaultDemoModels(demo),
    samples: DEFAULT_SAMPLES[demo],
    paper,
    updated: isoToday(),
  });

  // The scaffold must pass the same validator as the build, or the site would stop building.
  const problems = validateStudySource(shown, source, { paperIds: new Set(paperIds) });
  if (problems.length > 0) fail(`npm run new: the new study would not validate, so nothing was written.\n${formatProblems(problems)}`);

  mkdirSync(location.studiesDir, { recursive: true });
  try {
    writeFileSync(target, source, { encoding: 'utf8', flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') exists();
    throw error;
  }

  console.log(`Created ${shown} (status: draft).

Next:
  1. npm run dev, then open http://127.0.0.1:4321/studies/${slug}/ (drafts show in dev only, with a banner).
  2. Replace every TODO: the frontmatter fields are documented in src/schema/study.ts; the
     body keeps its ## headings and components. Add new papers to src/content/papers.yaml
     and cite them with <Cite id="..." />.
  3. Set status: published and run npm run check before opening the pull request.
See CONTRIBUTING.md, "Adding a study".`);
}

try {
  await main();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
