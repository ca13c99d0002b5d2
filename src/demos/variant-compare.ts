/**
 * "Compare variants on this image" (loaded on demand by src/demos/variants.ts): the same input
 * through each installed variant of the picked model, side by side.
 */
import type { VariantKind } from '../models/catalog.ts';
import type { ComparableShell } from './variants.ts';

/** What the compare table shows of one run: a short text from the demo's data-result. */
export type Summarise = (result: Record<string, unknown>) => string;

/** Short summaries of what a classification, a face comparison or a detection put on screen. */
export const summariseResult: Summarise = (result) => {
  const top = result.top5 as { label: string; probability: number }[] | undefined;
  if (top?.[0]) return `${top[0].label.split(',')[0]} ${(top[0].probability * 100).toFixed(1)}%`;
  // The face demo's verdicts and distances are matrices (faces of image A by faces of image B).
  const verdicts = result.verdicts as readonly (readonly unknown[])[] | undefined;
  const distances = result.distances as readonly (readonly number[])[] | undefined;
  if (verdicts && verdicts.length > 0) {
    return verdicts
      .flatMap((row, i) =>
        row.map((cell, j) => {
          const word = typeof cell === 'string' ? cell : (cell as { same?: boolean }).same ? 'same' : 'different';
          const distance = distances?.[i]?.[j];
          return distance === undefined ? word : `${word} (${distance.toFixed(4)})`;
        }),
      )
      .join(', ');
  }
  // A detection: the face count, then each box (rounded to whole pixels) so variants can be compared by eye.
  const faces = result.faces as { box?: { x1: number; y1: number; x2: number; y2: number } }[] | undefined;
  if (faces) {
    const count = `${faces.length} face${faces.length === 1 ? '' : 's'}`;
    const boxes = faces.flatMap(({ box }) =>
      box ? [`(${Math.round(box.x1)}, ${Math.round(box.y1)})–(${Math.round(box.x2)}, ${Math.round(box.y2)})`] : [],
    );
    return boxes.length > 0 ? `${count}: ${boxes.join('; ')}` : count;
  }
  return '—';
};

/**
 * "Compare variants on this image": run the current input through every installed variant of
 * the picked model, one after the other, and show the result and run time side by side; then
 * restore the reader's choice. Also published as data-variant-comparison on the demo root.
 */
export async function compareVariants(
  root: HTMLElement,
  shell: ComparableShell,
  select: HTMLSelectElement,
  summarise: Summarise = summariseResult,
): Promise<void> {
  const output = root.querySelector<HTMLElement>('[data-variant-compare]');
  const original = select.value;
  const kinds = [...select.options].map((option) => option.value as VariantKind);
  const rows: { kind: VariantKind; id: string; text: string; warm: string }[] = [];
  try {
    for (const kind of kinds) {
      select.value = kind;
      await shell.run();
      const result = JSON.parse(root.dataset.result ?? '{}') as Record<string, unknown>;
      const timings = result.timings as { warmMedianMs?: number | null; firstMs?: number | null } | undefined;
      const runMs = timings?.warmMedianMs ?? timings?.firstMs ?? null;
      let text: string;
      try {
        text = root.dataset.state === 'done' ? summarise(result) : `failed: ${String(result.error ?? 'see the message above')}`;
      } catch (error) {
        text = `(could not summarise: ${(error as Error).message})`;
      }
      rows.push({ kind, id: shell.selectedModel(), text, warm: runMs === null ? '—' : `${runMs.toFixed(0)} ms` });
    }
  } finally {
    select.value = original;
  }
  const table = document.createElement('table');
  table.className = 'variant-compare';
  const head = table.createTHead().insertRow();
  for (const title of ['Variant', 'Result', 'Run time (warm median, else first run)']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent =
      [...select.options].find((option) => option.value === row.kind)?.textContent?.replace(/, [\d.]+ MB.*$/, '') ?? row.kind;
    tr.append(th);
    tr.insertCell().textContent = row.text;
    tr.insertCell().textContent = row.warm;
  }
  output?.replaceChildren(table);
  root.dataset.variantComparison = JSON.stringify(rows.map(({ kind, id, text, warm }) => ({ kind, id, result: text, warm })));
}
