/**
 * The reader's choice of production variant in a demo (?variant=fp32|fp16|int8|int8-qdq), the
 * fall-back to the fp32 parent when a variant cannot be used, and "compare variants on this
 * image". The picker markup and the table of installed variants come from
 * src/components/demo/VariantPicker.astro; the shell asks selectVariant() which catalog file to
 * load for the model the reader picked.
 */
import { VARIANT_KINDS, type VariantKind } from '../models/catalog.ts';
import { compareVariants } from './variant-compare.ts';
import { variantOptionLabel } from '../models/variants/describe.ts';

/** One installed member of a family, as VariantPicker.astro writes it. */
export interface VariantOption {
  kind: VariantKind;
  id: string;
  bytes: number;
  /** What the kind is, in a few words (VARIANT_LABELS, written at build time). */
  label: string;
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
      option.textContent = variantOptionLabel(member, table[parentId]!.defaultKind);
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

/** The shell surface "compare" needs. */
export interface ComparableShell {
  run(): Promise<void>;
  selectedModel(): string;
}

/**
 * Fill the picker, show "Compare variants on this image" when the demo has one, and run the
 * comparison (src/demos/variant-compare.ts) on click.
 */
export function mountVariantCompare(root: HTMLElement, shell: ComparableShell): void {
  const button = root.querySelector<HTMLButtonElement>('[data-compare-variants]');
  const found = picker(root);
  if (!button || !found) return;
  shell.selectedModel(); // fills the picker (from ?variant= or the default) before the first run
  button.hidden = false;
  button.addEventListener('click', async () => {
    if (root.dataset.state !== 'done') {
      say(found.note, 'Run the demo on an image first; then compare the variants on it.');
      return;
    }
    button.disabled = true;
    try {
      await compareVariants(root, shell, found.select);
    } finally {
      button.disabled = false;
    }
  });
}
