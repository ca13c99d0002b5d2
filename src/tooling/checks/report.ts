/**
 * The text of `npm run check`: a heading per step, a pass/fail line, and the summary. Pure, so
 * the wording is tested; scripts/check.ts prints it.
 */

export type StepStatus = 'pass' | 'fail' | 'skip';

export interface StepResult {
  /** Short name used by --only and --skip, e.g. "lint". */
  key: string;
  /** Letter in the PR checklist, e.g. "b". */
  letter: string;
  title: string;
  /** The command or function the step runs, for the reader to run it alone. */
  command: string;
  status: StepStatus;
  seconds: number;
  /** One line: what passed, or why it failed or was skipped. */
  note: string;
}

const RULE = '━'.repeat(3);

export function formatHeading(step: Pick<StepResult, 'letter' | 'title' | 'command'>): string {
  return `\n${RULE} (${step.letter}) ${step.title}: ${step.command}`;
}

const LABEL: Record<StepStatus, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

export function formatSeconds(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${seconds.toFixed(1)} s`;
}

/** The line printed under a step's output. */
export function formatResultLine(result: StepResult): string {
  return `${LABEL[result.status]} (${result.letter}) ${result.title} in ${formatSeconds(result.seconds)}: ${result.note}`;
}

/** The closing summary: one row per step, then the verdict. */
export function formatSummary(results: readonly StepResult[]): string {
  const titleWidth = Math.max(...results.map((result) => result.title.length + 4));
  const rows = results.map(
    (result) =>
      `  ${LABEL[result.status]}  ${`(${result.letter}) ${result.title}`.padEnd(titleWidth)}  ${formatSeconds(result.seconds).padStart(9)}  ${result.note}`,
  );
  const failed = results.filter((result) => result.status === 'fail');
  const skipped = results.filter((result) => result.status === 'skip');
  const ran = results.length - skipped.length;
  const skippedText = skipped.length > 0 ? ` (${skipped.length} skipped: ${skipped.map((result) => result.key).join(', ')})` : '';
  const verdict =
    failed.length === 0
      ? `All ${ran} checks passed${skippedText}.`
      : `${failed.length} of ${ran} checks failed: ${failed.map((result) => result.key).join(', ')}${skippedText}. Fix them and run npm run check again.`;
  return `\n${RULE} Summary\n${rows.join('\n')}\n\n${verdict}`;
}

/** Non-zero when any step failed. */
export function exitCodeFor(results: readonly StepResult[]): number {
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}
