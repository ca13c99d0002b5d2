/**
 * Friendly validation of the content: one readable line per problem, naming the file, the
 * field path, what was expected and what was found. It runs before every build (through the
 * r2p content-check integration), in `npm run check`, and in the tests against the fixtures in
 * tests/fixtures/bad-studies. It checks what zod alone cannot: references between studies,
 * papers and the model catalog.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import matter from 'gray-matter';
import { parse as parseYaml } from 'yaml';
import type { z } from 'astro/zod';
import { getModel } from '../models/catalog.ts';
import { bodyStartLine, checkStudyBody } from './body.ts';
import { DEMO_KIND_TASKS, paperSchema, studySchema, type Paper, type Study } from './study.ts';

/** One problem in one file. */
export interface Problem {
  file: string;
  /** The field (steps[2].role, shown as "step 3 (steps[2].role)"), or "body" for the MDX below the frontmatter. */
  path: string;
  /** 1-based line in the file, when the problem is on one line. */
  line?: number;
  message: string;
}

/** Edit distance between two short texts (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest of the candidates to a wrong value, when it is close enough to be a typo. */
export function nearest(value: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  const close = best.distance <= Math.max(2, Math.floor(best.candidate.length / 3));
  const contained = value.length >= 3 && (best.candidate.includes(value) || value.includes(best.candidate));
  return close || contained ? best.candidate : undefined;
}

const didYouMean = (value: unknown, candidates: Iterable<string>) => {
  const match = typeof value === 'string' ? nearest(value, candidates) : undefined;
  return match ? `; did you mean "${match}"?` : '';
};

/** Render a value briefly for "found ..." */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (value instanceof Date) return `the date ${value.toISOString().slice(0, 10)}`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}..."` : json;
}

/**
 * Dotted path with [index] for arrays: steps[1].role. A path inside a step also names the step
 * the way prose does, 1-based: "step 2 (steps[1].role)".
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(frontmatter)';
  const dotted = path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
  if (path[0] === 'steps' && typeof path[1] === 'number') return `step ${path[1] + 1} (${dotted})`;
  return dotted;
}

/** The zod schema at a path of studySchema, for describing a missing block. */
function schemaAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = schema;
  for (const key of path) {
    current = unwrap(current);
    const def = current?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType } | undefined;
    if (def?.type === 'object' && typeof key === 'string') current = def.shape?.[key];
    else if (def?.type === 'array' && typeof key === 'number') current = def.element;
    else return undefined;
  }
  return unwrap(current);
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let current = schema;
  for (let depth = 0; depth < 5 && current; depth++) {
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; out?: z.core.$ZodType };
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') current = def.innerType;
    else if (def.type === 'pipe') current = def.out;
    else break;
  }
  return current;
}

/** "transforms (a list of { name, detail }), shapesPreprocessing (text), constraints (optional)". */
export function describeFields(schema: z.core.$ZodType | undefined): string | undefined {
  const def = unwrap(schema)?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> } | undefined;
  if (def?.type !== 'object' || !def.shape) return undefined;
  return Object.entries(def.shape)
    .map(([key, field]) => {
      const optional = (field._zod.def as { type: string }).type === 'optional';
      const inner = unwrap(field)?._zod.def as { type: string; element?: z.core.$ZodType } | undefined;
      let kind = 'text';
      if (inner?.type === 'array') {
        const element = unwrap(inner.element)?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
        kind = element?.type === 'object' && element.shape ? `a list of { ${Object.keys(element.shape).join(', ')} }` : 'a list';
      } else if (inner?.type === 'object')
        kind = `{ ${Object.keys((inner as { shape?: Record<string, unknown> }).shape ?? {}).join(', ')} }`;
      else if (inner?.type === 'number') kind = 'a number';
      else if (inner?.type === 'enum') kind = 'one of a fixed list';
      return `${key} (${kind}${optional ? ', optional' : ''})`;
    })
    .join(', ');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key as string];
  }
  return current;
}

/** Turn zod issues into Problems with "expected ..., found ..." messages. */
export function issuesToProblems(file: string, data: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        file,
        path: formatPath([...issue.path, key]),
        message: `unexpected field "${key}" (check its spelling against src/schema/study.ts)`,
      }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest rather than "invalid input".
      const branch = issue.errors.reduce((best, next) => (next.length < best.length ? next : best));
      return issuesToProblems(
        file,
        data,
        branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })),
      );
    }
    const found = valueAt(data, issue.path);
    let message = issue.message;
    if (issue.code === 'invalid_type' && found === undefined) {
      const fields = issue.expected === 'object' ? describeFields(schemaAt(studySchema, issue.path)) : undefined;
      message = fields
        ? `the ${formatPath(issue.path)} block is missing; it needs ${fields} (see src/schema/study.ts, or the block the scaffold writes)`
        : `${message.startsWith('expected') ? message : `expected ${issue.expected}`}, but the field is missing`;
    } else if (!/found/.test(message)) {
      if (!message.startsWith('expected')) message = `expected ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
      message = `${message}, found ${describeValue(found)}`;
    }
    if (issue.code === 'invalid_value' && 'values' in issue) {
      message += didYouMean(found, (issue.values as unknown[]).map(String));
    }
    return [{ file, path: formatPath(issue.path), message }];
  });
}

/** Split an MDX/Markdown file into frontmatter data and body. */
export function readFrontmatter(source: string): { data: Record<string, unknown>; body: string } {
  // gray-matter caches by content; pass a fresh options object to avoid sharing parsed data.
  // The yaml package's YAML 1.2 core schema keeps dates as text, so 2026-02-30 is reported
  // rather than silently rolled over to 2 March as a YAML 1.1 timestamp would be.
  const parsed = matter(source, { language: 'yaml', engines: { yaml: (text: string) => parseYaml(text) as object } });
  return { data: parsed.data as Record<string, unknown>, body: parsed.content };
}

/** Ids cited in a body with <Cite id="..."/>. */
export function citedIds(body: string): string[] {
  return [...body.matchAll(/<Cite\s+id=["']([^"']+)["']/g)].map((match) => match[1] ?? '');
}

export interface ValidationContext {
  paperIds: ReadonlySet<string>;
  /** Absolute path of the study file and the site's public/ folder, for the body contract; without them the body is not checked. */
  filePath?: string;
  publicDir?: string;
  /** Names of the sample images (public/samples/<name>.png); when absent, demo.samples is not checked. */
  sampleNames?: ReadonlySet<string>;
  /** Sample file names (chelsea.png) that public/samples/CREDITS.md credits; when absent, credits are not checked. */
  creditedSamples?: ReadonlySet<string>;
}

/** Names of the sample images in a folder (file names of its .png files without the extension). */
export function readSampleNames(samplesDir: string): Set<string> | undefined {
  if (!existsSync(samplesDir)) return undefined;
  return new Set(
    readdirSync(samplesDir)
      .filter((name) => name.endsWith('.png'))
      .map((name) => name.slice(0, -'.png'.length)),
  );
}

/** File names that public/samples/CREDITS.md credits: the first cell of each table row naming a .png. */
export function readCreditedSamples(samplesDir: string): Set<string> | undefined {
  const file = join(samplesDir, 'CREDITS.md');
  if (!existsSync(file)) return undefined;
  return new Set([...readFileSync(file, 'utf8').matchAll(/^\|\s*([\w.-]+\.png)\s*\|/gm)].map((match) => match[1] ?? ''));
}

/** Validate one study file's contents. */
export function validateStudySource(file: string, source: string, context: ValidationContext): Problem[] {
  let data: Record<string, unknown>;
  let body: string;
  try {
    ({ data, body } = readFrontmatter(source));
  } catch (error) {
    return [
      {
        file,
        path: '(frontmatter)',
        message: `expected valid YAML frontmatter, found a syntax error: ${(error as Error).message.split('\n')[0]}`,
      },
    ];
  }
  const result = studySchema.safeParse(data);
  if (!result.success) return issuesToProblems(file, data, result.error.issues);
  const problems = crossCheckStudy(file, result.data, body, context);
  if (context.filePath && context.publicDir) {
    const firstLine = bodyStartLine(source);
    for (const problem of checkStudyBody(body, result.data, { filePath: context.filePath, publicDir: context.publicDir, firstLine })) {
      problems.push({ file, path: 'body', ...(problem.line ? { line: problem.line } : {}), message: problem.message });
    }
  }
  return problems;
}

/** Checks between a valid study, the bibliography and itself. */
export function crossCheckStudy(file: string, study: Study, body: string, context: ValidationContext): Problem[] {
  const problems: Problem[] = [];
  const unknownPaper = (path: string, id: string) =>
    problems.push({
      file,
      path,
      message: `expected a paper id from src/content/papers.yaml, found "${id}" (no such paper${didYouMean(id, context.paperIds)}); add the paper there first (CONTRIBUTING.md, "Adding a paper")`,
    });
  study.references.forEach((id, index) => {
    if (!context.paperIds.has(id)) unknownPaper(`references[${index}]`, id);
  });
  study.steps.forEach((step, stepIndex) =>
    step.artifacts.forEach((artifact, index) => {
      if (artifact.paper && !context.paperIds.has(artifact.paper)) {
        unknownPaper(formatPath(['steps', stepIndex, 'artifacts', index, 'paper']), artifact.paper);
      }
    }),
  );
  const nodeIds = new Set<string>();
  study.lineage.nodes.forEach((node, index) => {
    if (nodeIds.has(node.id)) {
      problems.push({ file, path: `lineage.nodes[${index}].id`, message: `expected unique node ids, found "${node.id}" twice` });
    }
    nodeIds.add(node.id);
    if (node.kind === 'paper' && !context.paperIds.has(node.paper)) unknownPaper(`lineage.nodes[${index}].paper`, node.paper);
  });
  study.lineage.edges.forEach((edge, index) => {
    for (const end of ['from', 'to'] as const) {
      if (!nodeIds.has(edge[end])) {
        problems.push({
          file,
          path: `lineage.edges[${index}].${end}`,
          message: `expected the id of a node in lineage.nodes, found "${edge[end]}"${didYouMean(edge[end], nodeIds)}`,
        });
      }
    }
  });
  const demoTasks = DEMO_KIND_TASKS[study.demo.kind];
  study.demo.models.forEach((id, index) => {
    const task = getModel(id).task;
    if (!demoTasks.includes(task)) {
      problems.push({
        file,
        path: `demo.models[${index}]`,
        message: `expected a ${demoTasks.join(' or ')} model for a ${study.demo.kind} demo, found "${id}" (${task})`,
      });
    }
  });
  const samples = context.sampleNames;
  if (samples) {
    study.demo.samples.forEach((name, index) => {
      if (samples.has(name) && context.creditedSamples && !context.creditedSamples.has(`${name}.png`)) {
        problems.push({
          file,
          path: `demo.samples[${index}]`,
          message: `public/samples/${name}.png has no row in public/samples/CREDITS.md: add one with what it shows, its size, where it comes from, its licence and its SHA-256 (CONTRIBUTING.md, "Sample images")`,
        });
      }
      if (!samples.has(name)) {
        problems.push({
          file,
          path: `demo.samples[${index}]`,
          message: `expected the name of a sample image in public/samples/ (${[...samples].sort().join(', ')}), found "${name}"${didYouMean(name, samples)}; to add a sample, see CONTRIBUTING.md, "Sample images"`,
        });
      }
    });
  }
  study.demo.standIns?.forEach((standIn, index) => {
    if (!study.demo.models.includes(standIn.model)) {
      problems.push({
        file,
        path: `demo.standIns[${index}].model`,
        message: `expected one of demo.models (${study.demo.models.join(', ')}), found "${standIn.model}": a stand-in statement is about a model the demo runs`,
      });
    }
    if (standIn.for !== study.model.name) {
      problems.push({
        file,
        path: `demo.standIns[${index}].for`,
        message: `expected this study's model.name "${study.model.name}", found "${standIn.for}": a stand-in stands in for the model the study is about`,
      });
    }
    if (study.demo.standIns!.findIndex((other) => other.model === standIn.model) !== index) {
      problems.push({
        file,
        path: `demo.standIns[${index}].model`,
        message: `expected one statement per model, found "${standIn.model}" twice`,
      });
    }
  });
  const references = new Set(study.references);
  for (const id of new Set(citedIds(body))) {
    if (!context.paperIds.has(id)) unknownPaper(`body <Cite id="${id}">`, id);
    else if (!references.has(id)) {
      problems.push({
        file,
        path: 'references',
        message: `expected every cited paper to be listed, found <Cite id="${id}"> missing from references`,
      });
    }
  }
  return problems;
}

/** Validate the bibliography file; returns the papers that parsed and the problems. */
export function validatePapersSource(file: string, source: string): { papers: Paper[]; problems: Problem[] } {
  let raw: unknown;
  try {
    raw = parseYaml(source);
  } catch (error) {
    return {
      papers: [],
      problems: [{ file, path: '(file)', message: `expected valid YAML, found: ${(error as Error).message.split('\n')[0]}` }],
    };
  }
  if (!Array.isArray(raw)) {
    return { papers: [], problems: [{ file, path: '(file)', message: `expected a list of papers, found ${describeValue(raw)}` }] };
  }
  const papers: Paper[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  raw.forEach((entry, index) => {
    const result = paperSchema.safeParse(entry);
    if (!result.success) {
      problems.push(
        ...issuesToProblems(file, entry, result.error.issues).map((problem) => ({
          ...problem,
          path: `[${index}]${problem.path === '(frontmatter)' ? '' : `.${problem.path}`}`,
        })),
      );
      return;
    }
    if (seen.has(result.data.id)) {
      problems.push({ file, path: `[${index}].id`, message: `expected unique paper ids, found "${result.data.id}" twice` });
    }
    seen.add(result.data.id);
    papers.push(result.data);
  });
  return { papers, problems };
}

export interface ContentLocation {
  /** Project root, for relative file names in messages. */
  root: string;
  studiesDir: string;
  papersFile: string;
  /** Folder of the sample images (default: <root>/public/samples). */
  samplesDir?: string;
  /** Folder served at the site root, for images in study bodies (default: <root>/public). */
  publicDir?: string;
}

/** Validate every study and the bibliography; returns all problems (empty when valid). */
export function validateContent(location: ContentLocation): Problem[] {
  const rel = (path: string) => relative(location.root, path) || basename(path);
  const { papers, problems } = validatePapersSource(rel(location.papersFile), readFileSync(location.papersFile, 'utf8'));
  const context: ValidationContext = {
    paperIds: new Set(papers.map((paper) => paper.id)),
    sampleNames: readSampleNames(location.samplesDir ?? join(location.root, 'public', 'samples')),
    creditedSamples: readCreditedSamples(location.samplesDir ?? join(location.root, 'public', 'samples')),
  };
  const files = readdirSync(location.studiesDir)
    .filter((name) => /\.mdx?$/.test(name))
    .sort();
  for (const name of files) {
    const path = join(location.studiesDir, name);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*\.mdx$/.test(name)) {
      problems.push({ file: rel(path), path: '(file name)', message: `expected a lower-case kebab-case .mdx file name, found "${name}"` });
      continue;
    }
    const publicDir = location.publicDir ?? join(location.root, 'public');
    problems.push(...validateStudySource(rel(path), readFileSync(path, 'utf8'), { ...context, filePath: path, publicDir }));
  }
  return problems;
}

/** The report printed by the build and the check command. */
export function formatProblems(problems: readonly Problem[]): string {
  const lines = problems.map((problem) =>
    problem.line ? `  ${problem.file}:${problem.line}: ${problem.message}` : `  ${problem.file}: ${problem.path}: ${problem.message}`,
  );
  return `r2p content check: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${lines.join('\n')}`;
}
