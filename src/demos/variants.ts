/**
 * The reader's choice of production variant in a demo (?variant=fp32|fp16|int8|int8-qdq), the
 * fall-back to the fp32 parent when a variant cannot be used, and "compare variants on this
 * image". The picker markup and the table of installed variants come from
 * src/components/demo/VariantPicker.astro; the shell asks selectVariant() which catalog file to
 * load for the model the reader picked.
 */
import { VARIANT_KINDS, type VariantKind } from '../models/catalog.ts';
import { VARIANT_LABELS } from '../models/variants/describe.ts';

/** One installed member of a family, as VariantPicker.astro writes it. */
export interface VariantOption {
  kind: VariantKind;
  id: string;
  bytes: number;
}

/** Per parent id: its installed members (fp32 first) and the default kind. */
export type VariantTable = Record<string, { members: VariantOption[]; defaultKind: VariantKind }>;

/** ?variant=: a known kind, null when absent, 'invalid' for anything else. */
export function parseVariantParam(search: string): VariantKind | null | 'invalid' {
  const value = new URLSearchParams(search).get('variant');
  if (value === null || value === '') return null;
  return (VARIANT_KINDS as readonly string[]).includes(value) ? (value as VariantKind) : 'invalid';
}

/** The member to run for a parent and a requested kind, with a note when the request cannot be met. */
export function resolveVariant(
  table: VariantTable,
  parentId: string,
  requested: VariantKind | null | 'invalid',
): { id: string; kind: VariantKind; note: string | null } {
  const family = table[parentId];
  if (!family || family.members.length === 0) return { id: parentId, kind: 'fp32', note: null };
  const byKind = (kind: VariantKind) => family.members.find((member) => member.kind === kind);
  const fallback = byKind(family.defaultKind) ?? family.members[0]!;
  if (requested === null) return { id: fallback.id, kind: fallback.kind, note: null };
  if (requested === 'invalid') {
    return {
      id: fallback.id,
      kind: fallback.kind,
      note: `Unknown variant: use one of ${VARIANT_KINDS.join(', ')}. Using ${fallback.kind}.`,
    };
  }
  const member = byKind(requested);
  if (member) return { id: member.id, kind: member.kind, note: null };
  return {
    id: fallback.id,
    kind: fallback.kind,
    note: `The ${requested} variant of ${parentId} is not installed on this site; using ${fallback.kind}.`,
  };
}

/** The picker of a demo root, or null when the demo has none. */
function picker(root: HTMLElement): { select: HTMLSelectElement; table: VariantTable; note: HTMLElement | null } | null {
  const select = root.querySelector<HTMLSelectElement>('select[data-variant]');
  const json = root.querySelector('script[data-variant-table]')?.textContent;
  if (!select || !json) return null;
  return { select, table: JSON.parse(json) as VariantTable, note: root.querySelector<HTMLElement>('[data-variant-note]') };
}

function say(note: HTMLElement | null, text: string | null): void {
  if (!note) return;
  note.hidden = text === null;
  note.textContent = text ?? '';
}

/** Fill the variant select with the installed members of one parent, keeping a kind when it exists. */
function fill(select: HTMLSelectElement, table: VariantTable, parentId: string, kind: VariantKind): void {
  const members = table[parentId]?.members ?? [];
  select.replaceChildren(
    ...members.map((member) => {
      const option = document.createElement('option');
      option.value = member.kind;
      option.textContent = `${member.kind}: ${VARIANT_LABELS[member.kind]}, ${(member.bytes / 1e6).toFixed(1)} MB${member.kind === table[parentId]!.defaultKind ? ' (default)' : ''}`;
      return option;
    }),
  );
  select.value = members.some((member) => member.kind === kind) ? kind : (table[parentId]?.defaultKind ?? 'fp32');
  select.disabled = members.length < 2;
}

const initialised = new WeakSet<HTMLElement>();

/**
 * The catalog id to load for the picked model: the variant selected in the picker (first call:
 * from ?variant=, else the default). Without a picker, the model itself.
 */
export function selectVariant(root: HTMLElement, parentId: string): string {
  const found = picker(root);
  if (!found || !parentId) return parentId;
  const { select, table, note } = found;
  if (!initialised.has(root)) {
    initialised.add(root);
    const chosen = resolveVariant(table, parentId, parseVariantParam(location.search));
    fill(select, table, parentId, chosen.kind);
    say(note, chosen.note);
    select.dataset.parent = parentId;
  } else if (select.dataset.parent !== parentId) {
    fill(select, table, parentId, select.value as VariantKind);
    select.dataset.parent = parentId;
  }
  return resolveVariant(table, parentId, select.value as VariantKind).id;
}

/** The kind of variant an id is in the picker's table (fp32 when unknown). */
export function variantKindOf(root: HTMLElement, id: string): VariantKind {
  const table = picker(root)?.table ?? {};
  for (const family of Object.values(table)) {
    const member = family.members.find((candidate) => candidate.id === id);
    if (member) return member.kind;
  }
  return 'fp32';
}

/**
 * After a failed load of a variant, switch the picker to the fp32 parent and say why; returns
 * true when it did (the caller runs again), false when the failed file was already fp32.
 */
export function fallBackToParent(root: HTMLElement, failedId: string, reason: string): boolean {
  const found = picker(root);
  if (!found) return false;
  const kind = variantKindOf(root, failedId);
  if (kind === 'fp32') return false;
  found.select.value = 'fp32';
  if (found.select.value !== 'fp32') return false;
  say(found.note, `The ${kind} variant could not be used (${reason}); running the fp32 parent file instead.`);
  return true;
}

/** What the compare table shows of one run: a short text from the demo's data-result. */
export type Summarise = (result: Record<string, unknown>) => string;

/** Short summaries of what a classification, a face comparison or a detection put on screen. */
export const summariseResult: Summarise = (result) => {
  const top = result.top5 as { label: string; probability: number }[] | undefined;
  if (top?.[0]) return `${top[0].label.split(',')[0]} ${(top[0].probability * 100).toFixed(1)}%`;
  // The face demo's verdicts and distances are matrices (faces of image A by faces of image B).
  const verdicts = result.verdicts as readonly (readonly unknown[])[] | undefined;
  const distances = result.distances as readonly (readonly number[])[] | undefined;
  if (Array.isArray(verdicts) && verdicts.length > 0) {
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
  const faces = result.faces as unknown[] | undefined;
  if (faces) return `${faces.length} face${faces.length === 1 ? '' : 's'}`;
  return '—';
};

/** The shell surface "compare" needs. */
export interface ComparableShell {
  run(): Promise<void>;
  selectedModel(): string;
}

/**
 * "Compare variants on this image": run the current input through every installed variant of
 * the picked model, one after the other, and show size, result and warm time side by side;
 * then restore the reader's choice.
 */
export function mountVariantCompare(root: HTMLElement, shell: ComparableShell, summarise: Summarise = summariseResult): void {
  const button = root.querySelector<HTMLButtonElement>('[data-compare-variants]');
  const output = root.querySelector<HTMLElement>('[data-variant-compare]');
  const found = picker(root);
  if (!button || !output || !found) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    if (root.dataset.state !== 'done') {
      say(found.note, 'Run the demo on an image first; then compare the variants on it.');
      return;
    }
    const { select } = found;
    const original = select.value;
    const kinds = [...select.options].map((option) => option.value as VariantKind);
    const rows: { kind: VariantKind; id: string; text: string; warm: string }[] = [];
    button.disabled = true;
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
        rows.push({
          kind,
          id: shell.selectedModel(),
          text,
          warm: runMs === null ? '—' : `${runMs.toFixed(0)} ms`,
        });
      }
    } finally {
      select.value = original;
      button.disabled = false;
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
      th.textContent = `${row.kind}: ${VARIANT_LABELS[row.kind]}`;
      tr.append(th);
      tr.insertCell().textContent = row.text;
      tr.insertCell().textContent = row.warm;
    }
    output.replaceChildren(table);
    const comparison = rows.map(({ kind, id, text, warm }) => ({ kind, id, result: text, warm }));
    root.dataset.variantComparison = JSON.stringify(comparison);
  });
}
