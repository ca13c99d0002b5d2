/**
 * Studies ready to publish: no `status: draft` and no "TODO" left in a study file. Drafts are
 * for work in progress on a branch (`npm run dev` shows them); a pull request merges finished
 * studies. With allowDrafts (npm run check -- --allow-drafts) drafts are skipped entirely, so a
 * contributor can run every other check on a work in progress; published studies are still
 * checked for TODOs.
 */
import { readFrontmatter } from '../../schema/validate.ts';

/** One study file. */
export interface StudySource {
  /** Name shown in messages, e.g. src/content/studies/resnet-50.mdx. */
  file: string;
  source: string;
}

export interface PublishProblem {
  file: string;
  /** 1-based line, when the problem is on one line. */
  line?: number;
  message: string;
}

export interface PublishOptions {
  /** Skip draft studies instead of reporting them. */
  allowDrafts?: boolean;
  /** TODO lines reported per file before "and N more". */
  maxTodoLines?: number;
}

/** A placeholder marker: the word TODO in capitals (prose "to do" is fine). */
export const TODO_PATTERN = /\bTODO\b/;

/** The status field of a study, or undefined when there is none or the frontmatter is not YAML. */
export function studyStatus(source: string): string | undefined {
  try {
    const status = readFrontmatter(source).data.status;
    return typeof status === 'string' ? status : undefined;
  } catch {
    return /^status:\s*['"]?([a-z]+)/m.exec(source)?.[1];
  }
}

/** Lines (1-based) that contain a TODO marker, with their text. */
export function todoLines(source: string): { line: number; text: string }[] {
  return source.split(/\r?\n/).flatMap((text, index) => (TODO_PATTERN.test(text) ? [{ line: index + 1, text: text.trim() }] : []));
}

const excerpt = (text: string) => (text.length > 90 ? `${text.slice(0, 87)}...` : text);

/** Problems that keep these studies from being merged. */
export function checkPublishable(studies: readonly StudySource[], options: PublishOptions = {}): PublishProblem[] {
  const maxTodoLines = options.maxTodoLines ?? 5;
  const problems: PublishProblem[] = [];
  for (const { file, source } of studies) {
    const status = studyStatus(source);
    if (status === 'draft') {
      if (options.allowDrafts) continue;
      const line = source.split(/\r?\n/).findIndex((text) => /^status:/.test(text)) + 1;
      problems.push({
        file,
        ...(line > 0 ? { line } : {}),
        message:
          'status is draft: finish the study and set status: published (drafts show only in npm run dev; run npm run check -- --allow-drafts to check the rest of a work in progress)',
      });
    }
    const todos = todoLines(source);
    todos
      .slice(0, maxTodoLines)
      .forEach(({ line, text }) => problems.push({ file, line, message: `TODO left in the study: ${excerpt(text)}` }));
    if (todos.length > maxTodoLines) {
      const more = todos.length - maxTodoLines;
      problems.push({ file, message: `and ${more} more line${more === 1 ? '' : 's'} with TODO` });
    }
  }
  return problems;
}

/** file:line: message */
export function formatPublishProblems(problems: readonly PublishProblem[]): string[] {
  return problems.map((problem) => `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`);
}
