/**
 * The pure half of `npm run new` (scripts/new-study.ts): slug rules, input checks, defaults and
 * the template of a new study. No file system or terminal access here, so the unit tests can
 * check that what the script writes is a valid study.
 *
 * The scaffold is a VALID study whose every text is a "TODO: ..." placeholder: it passes
 * studySchema and the cross-checks of src/schema/validate.ts, so `npm run dev` renders it at
 * once (with the draft banner) and the build, which validates drafts too, keeps working. What
 * cannot be a placeholder is kept real but marked:
 * - URLs are https://example.org/TODO (the schema wants an absolute http(s) URL);
 * - dates and the lineage year are the model's year;
 * - the demo uses real catalog models of the chosen kind (the schema only accepts catalog ids);
 * - the one reference (and the lineage paper node, and the citation in the introduction) is an
 *   existing paper of papers.yaml, chosen by demo kind or named with --paper, with a TODO
 *   comment: the bibliography is shared and published, so the scaffold never adds a
 *   placeholder paper to it.
 * `npm run check` refuses a study that is still a draft or still contains "TODO".
 */
import { MODEL_CATALOG } from '../models/catalog.ts';
import { DEMO_KIND_TASKS, DEMO_KINDS, ROLES, STEP_IDS, STEP_TITLES, type DemoKind, type Role, type StepId } from '../schema/study.ts';

/** A slug is the file name and URL segment: lower-case kebab-case, like the content check wants. */
export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Longest slug accepted: it appears in URLs, file names and headings of the demo page. */
export const SLUG_MAX_LENGTH = 60;

/**
 * Slugs refused because they read as something other than a model: words the site or the
 * tooling use (index, new, draft, template...) or that make confusing URLs (/studies/all/).
 */
export const RESERVED_SLUGS: readonly string[] = [
  'index',
  'new',
  'edit',
  'draft',
  'drafts',
  'all',
  'template',
  'example',
  'test',
  'tests',
  'todo',
  'null',
  'undefined',
  'studies',
  'demo',
  'papers',
  'references',
];

/** A lower-case kebab-case slug derived from free text, for "did you mean" hints. */
export function suggestSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
}

/** Why a slug cannot be used, or null when it can. */
export function slugProblem(slug: string): string | null {
  if (slug.trim() === '')
    return 'the slug is empty: give one such as "resnet-50" (it becomes src/content/studies/<slug>.mdx and /studies/<slug>/)';
  if (slug.length > SLUG_MAX_LENGTH) {
    return `the slug "${slug}" is ${slug.length} characters long; use at most ${SLUG_MAX_LENGTH}`;
  }
  if (!SLUG_PATTERN.test(slug)) {
    const suggestion = suggestSlug(slug);
    const hint = suggestion && suggestion !== slug && SLUG_PATTERN.test(suggestion) ? `, for example "${suggestion}"` : '';
    return `the slug "${slug}" is not lower-case kebab-case: use lower-case letters a-z, digits and single dashes between them${hint}`;
  }
  if (RESERVED_SLUGS.includes(slug)) {
    return `the slug "${slug}" is reserved (${RESERVED_SLUGS.join(', ')}); name the study after its model, for example "resnet-50"`;
  }
  return null;
}

/** The three facts a study cannot be scaffolded without, as the user typed them. */
export interface ModelAnswers {
  name?: string | undefined;
  year?: string | undefined;
  task?: string | undefined;
}

/** The flag that supplies each fact, for "missing --name" messages. */
export const MODEL_FLAGS = { name: '--name', year: '--year', task: '--task' } as const;

/** Which of name, year and task are missing (undefined or blank). */
export function missingAnswers(answers: ModelAnswers): (keyof ModelAnswers)[] {
  return (Object.keys(MODEL_FLAGS) as (keyof ModelAnswers)[]).filter((key) => (answers[key] ?? '').trim() === '');
}

/** Check one answer; returns the problem, or null when it is acceptable. */
export function answerProblem(key: keyof ModelAnswers, value: string): string | null {
  const text = value.trim();
  if (text === '') return `${MODEL_FLAGS[key]} is empty`;
  if (/[\r\n]/.test(text)) return `${MODEL_FLAGS[key]} must be a single line`;
  if (key === 'year') {
    if (!/^\d{4}$/.test(text)) return `${MODEL_FLAGS.year} must be a four-digit year such as 2015, found "${text}"`;
    const year = Number(text);
    if (year < 1950 || year > 2100) return `${MODEL_FLAGS.year} must be between 1950 and 2100, found ${year}`;
    return null;
  }
  const limit = key === 'name' ? 80 : 160;
  if (text.length > limit) return `${MODEL_FLAGS[key]} is ${text.length} characters long; use at most ${limit}`;
  return null;
}

/** Parse --demo; returns the kind or a problem naming the kinds there are. */
export function parseDemoKind(value: string): { kind: DemoKind } | { problem: string } {
  const kind = DEMO_KINDS.find((candidate) => candidate === value.trim());
  if (kind) return { kind };
  return { problem: `--demo must be one of ${DEMO_KINDS.join(', ')}; found "${value}"` };
}

/** Parse a comma-separated --models list (blank entries dropped, order kept, duplicates removed). */
export function parseList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

/** Catalog tasks per demo kind: the schema's own table. */
export const DEMO_TASKS = DEMO_KIND_TASKS;

/** Sample images (public/samples/<name>.png) offered first, per demo kind. */
export const DEFAULT_SAMPLES: Record<DemoKind, readonly string[]> = {
  'image-classification': ['chelsea', 'coffee'],
  'face-detection': ['astronaut', 'camera'],
  'face-embedding': ['astronaut', 'camera'],
};

/** The architecture paper of an existing study of the same kind: the scaffold's placeholder reference. */
export const PLACEHOLDER_PAPERS: Record<DemoKind, string> = {
  'image-classification': 'he2016resnet',
  'face-detection': 'zhang2016mtcnn',
  'face-embedding': 'schroff2015facenet',
};

/**
 * Default demo models: for each task of the kind, the catalog files the shared model mirror
 * carries (so the demo runs offline), or the first file of that task when none is mirrored.
 */
export function defaultDemoModels(kind: DemoKind): string[] {
  return DEMO_TASKS[kind].flatMap((task) => {
    const ofTask = MODEL_CATALOG.filter((entry) => entry.task === task);
    const mirrored = ofTask.filter((entry) => entry.inMirror);
    return (mirrored.length > 0 ? mirrored : ofTask.slice(0, 1)).map((entry) => entry.id);
  });
}

/** The placeholder paper: the kind's default when the bibliography has it, else its first paper. */
export function placeholderPaper(kind: DemoKind, paperIds: readonly string[]): string | undefined {
  const preferred = PLACEHOLDER_PAPERS[kind];
  return paperIds.includes(preferred) ? preferred : paperIds[0];
}

/** Everything the template needs. */
export interface ScaffoldInput {
  slug: string;
  name: string;
  year: number;
  task: string;
  demo: DemoKind;
  models: readonly string[];
  samples: readonly string[];
  /** An existing paper id of papers.yaml. */
  paper: string;
  /** YYYY-MM-DD. */
  updated: string;
}

/** A YAML scalar: JSON strings are valid YAML double-quoted scalars, so any text is safe. */
const q = (value: string) => JSON.stringify(value);

/** The outline's role for each step (the schema lets a study choose another). */
const STEP_ROLES: Record<StepId, Role> = {
  'pre-research': 'scientist',
  'paper-and-initial-implementation': 'phd-postdoc',
  'production-implementation': 'library-engineer',
  'accessible-layer': 'general-developer',
};

interface StepTemplate {
  happened: string;
  artifact: { kind: 'paper' | 'repo' | 'library'; title: string; paper?: boolean };
  who: string;
  skill: string;
  gap: string;
}

const STEP_TEMPLATES: Record<StepId, StepTemplate> = {
  'pre-research': {
    happened: 'TODO: the research the model grew from, and the problem nobody had solved yet.',
    artifact: { kind: 'paper', title: 'TODO: a prior paper the model builds on' },
    who: 'TODO: the research groups whose work came before',
    skill: 'TODO: the most theoretical skill this step needed',
    gap: 'TODO: what was missing to reach an architecture paper',
  },
  'paper-and-initial-implementation': {
    happened: 'TODO: the architecture paper and its first code or weights: who, when, what they released.',
    artifact: { kind: 'paper', title: 'TODO: the architecture paper', paper: true },
    who: 'TODO: the authors and their organisation',
    skill: 'TODO: a skill the authors needed',
    gap: 'TODO: what stopped others from using the research code directly',
  },
  'production-implementation': {
    happened: 'TODO: the production-grade libraries that made the model a library call, and what each changed.',
    artifact: { kind: 'library', title: 'TODO: a production-grade library or model zoo entry' },
    who: 'TODO: the library maintainers',
    skill: 'TODO: a skill the library engineers needed',
    gap: 'TODO: what a general developer still could not do',
  },
  'accessible-layer': {
    happened: 'TODO: the one-line API or product a general developer uses today.',
    artifact: { kind: 'library', title: 'TODO: the accessible API, package or product' },
    who: 'TODO: the developers who call it',
    skill: 'TODO: a skill a general developer needs',
    gap: 'TODO: what still stands between the developer and end users',
  },
};

function renderSteps(input: ScaffoldInput): string {
  return STEP_IDS.map((id) => {
    const step = STEP_TEMPLATES[id];
    const lines = [
      `  - id: ${id} # ${STEP_TITLES[id]}`,
      `    happened: ${q(step.happened)}`,
      '    artifacts:',
      `      - kind: ${step.artifact.kind}`,
      `        title: ${q(step.artifact.title)}`,
      `        url: https://example.org/TODO`,
      `        date: ${input.year} # TODO: YYYY, YYYY-MM or YYYY-MM-DD`,
    ];
    if (step.artifact.paper)
      lines.push(`        paper: ${input.paper} # TODO: the id of the architecture paper in src/content/papers.yaml`);
    lines.push(
      `    role: ${STEP_ROLES[id]} # one of ${ROLES.join(', ')}`,
      `    who: ${q(step.who)}`,
      '    skills:',
      `      - ${q(step.skill)}`,
      `    gap: ${q(step.gap)}`,
    );
    return lines.join('\n');
  }).join('\n');
}

/** The frontmatter of a new study, without the --- fences. */
export function renderFrontmatter(input: ScaffoldInput): string {
  const implementationId = `${input.slug}-first-implementation`;
  return `# Scaffolded by \`npm run new\`. Replace every TODO, then set status: published.
# Every field is documented in src/schema/study.ts; the walk-through is in CONTRIBUTING.md.
title: ${q(`${input.name}: TODO a subtitle that says where the model went`)}
model:
  name: ${q(input.name)}
  year: ${input.year}
  task: ${q(input.task)}
summary: ${q(`TODO: one or two sentences (at most 320 characters) on how ${input.name} went from research to production.`)}
status: draft
updated: ${input.updated}
contributors:
  - name: "TODO: your name"
steps:
${renderSteps(input)}
lineage:
  # TODO: add the architecture paper (add it to src/content/papers.yaml first), the papers it
  # builds on (two generations back), and every implementation with how it diverges.
  nodes:
    - { id: paper, kind: paper, paper: ${input.paper} } # TODO: the architecture paper's id
    - id: ${implementationId}
      kind: implementation
      label: ${q(`TODO: the first public implementation of ${input.name}`)}
      url: https://example.org/TODO
      year: ${input.year}
      framework: "TODO: framework or language"
      licence: "TODO: licence of the code or weights"
      divergence: "TODO: how it diverges from the paper (preprocessing, weights, architecture, licence)"
  edges:
    - { from: ${implementationId}, to: paper, relation: implements } # builds-on, implements, ports or wraps
modelFacts:
  trainingData:
    - dataset: "TODO: dataset name"
      size: "TODO: its size, as the source states it"
      licence: "TODO: licence or terms of use"
      notes: "TODO: anything else a reader should know, including what is unknown"
  preprocessing:
    - step: "TODO: a preprocessing step that cleans the data"
      effect: "TODO: how it changes the raw data"
  additionalModels:
    - name: "TODO: a model used to train it or needed to run it (or say there is none)"
      purpose: "TODO: what it is used for"
  updatability:
    modes: [fine-tunable] # TODO: frozen, fine-tunable, transfer-learnable, enrolment
    how: "TODO: concrete steps to update the model"
dataFacts:
  transforms:
    - name: "TODO: a transform applied to the data"
      detail: "TODO: what it does and when (training, inference or both)"
  shapesPreprocessing: "TODO: how the transforms shape the preprocessing the deployed model needs"
  moreData:
    - method: "TODO: augmentation, synthetic data, labelling, ..."
      detail: "TODO: how, and its limits"
  constraints: "TODO: ethical and legal constraints on collecting or using such data"
demo:
  # TODO: check the models (catalog ids in src/models/catalog.ts) and samples (public/samples).
  kind: ${input.demo}
  models: [${input.models.join(', ')}]
  samples: [${input.samples.join(', ')}]
references:
  - ${input.paper} # TODO: every paper the study cites, by its id in src/content/papers.yaml`;
}

/** The `##` sections every study has, in order, with the component each holds. */
export const BODY_SKELETON: readonly { heading: string; component?: string }[] = [
  { heading: 'Introduction' },
  { heading: 'The four steps', component: 'Steps' },
  { heading: 'Lineage', component: 'Lineage' },
  { heading: 'Roles and skills' },
  { heading: 'The model', component: 'ModelFacts' },
  { heading: 'The data', component: 'DataFacts' },
  { heading: 'The demo', component: 'Demo' },
  { heading: 'References', component: 'References' },
];

/** Text that MDX shows as typed: braces would start an expression and < a tag. */
export function mdxText(text: string): string {
  return text.replace(/[{}<>\\]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The MDX body: the fixed heading skeleton with its components and TODO prompts. */
export function renderBody(input: ScaffoldInput): string {
  const prose: Record<string, string> = {
    Introduction: `TODO: two or three paragraphs on what ${mdxText(input.name)} does, who made it, and the path this study follows from the research it grew from to the layer a general developer uses. Cite a source for every claim with a citation component, like this <Cite id="${input.paper}" />, and list every cited id under references in the frontmatter.`,
    'The four steps':
      'TODO: a paragraph or two on how the four steps played out for this model; the table below comes from the steps in the frontmatter.',
    Lineage:
      'TODO: the papers this model builds on, at least two generations back, and the implementations that carried it; the diagram below comes from lineage in the frontmatter.',
    'Roles and skills':
      'TODO: who did the work at each step (scientist, PhD student or postdoc, library engineer, general developer) and what each had to know.',
    'The model':
      'TODO: the training data, the preprocessing, any additional models and how the model can be updated; the facts below come from modelFacts in the frontmatter.',
    'The data':
      'TODO: the transforms, how they shape the preprocessing at inference, how to create more data, and the ethical and legal constraints; the facts below come from dataFacts.',
    'The demo':
      'TODO: which catalog model the demo runs and how it differs from the model of the paper (weights, preprocessing, licence, size).',
    References: '',
  };
  return BODY_SKELETON.map(({ heading, component }) => {
    const parts = [`## ${heading}`];
    const text = prose[heading];
    if (text) parts.push(text);
    if (component) parts.push(`<${component} />`);
    return parts.join('\n\n');
  }).join('\n\n');
}

/** The whole MDX file of a new study. */
export function renderStudy(input: ScaffoldInput): string {
  return `---\n${renderFrontmatter(input)}\n---\n\n${renderBody(input)}\n`;
}

/** Today's date as YYYY-MM-DD in UTC. */
export function isoToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
