/**
 * Which variant a demo loads by default, and which ones a reader may pick: pure functions over
 * the catalog's data (no file system), so the pages, the demos and the tests agree.
 */
import { MTCNN_MODELS } from '../../inference/tasks/detect-faces.ts';
import { MODEL_CATALOG, VARIANT_KINDS, type ModelEntry, type VariantAccuracy, type VariantKind } from '../catalog.ts';

/** Files that run together as one cascade and so take one variant kind together (MTCNN's three nets). */
export const CASCADES: readonly (readonly string[])[] = [Object.values(MTCNN_MODELS)];

/** The cascade a catalog id belongs to, or null. */
export function cascadeOf(id: string): readonly string[] | null {
  return CASCADES.find((nets) => nets.includes(id)) ?? null;
}

/**
 * The accuracy a default must keep against fp32 (issue #15): the classifier keeps the same
 * top-1 on every test image; the descriptor drifts less than 0.02 and flips no verdict; the
 * detector finds the same faces with boxes and landmarks within 1 px.
 */
export const DEFAULT_BOUNDS = {
  classification: { top1Agreement: 1 },
  embedding: { maxDrift: 0.02, flippedVerdicts: 0 },
  detection: { maxErrorPx: 1 },
} as const;

/** Whether a measured accuracy stays within the default bounds. */
export function withinBounds(accuracy: VariantAccuracy | null): boolean {
  if (!accuracy) return false;
  switch (accuracy.kind) {
    case 'classification':
      return accuracy.top1Agreement >= DEFAULT_BOUNDS.classification.top1Agreement;
    case 'embedding':
      return accuracy.maxDrift < DEFAULT_BOUNDS.embedding.maxDrift && accuracy.flippedVerdicts <= DEFAULT_BOUNDS.embedding.flippedVerdicts;
    case 'detection':
      return (
        accuracy.sameFaceCount &&
        accuracy.maxBoxErrorPx <= DEFAULT_BOUNDS.detection.maxErrorPx &&
        accuracy.maxLandmarkErrorPx <= DEFAULT_BOUNDS.detection.maxErrorPx
      );
  }
}

/** Kind of an entry: fp32 for a published file, else its variant kind. */
export function variantKind(entry: ModelEntry): VariantKind {
  return entry.variant?.kind ?? 'fp32';
}

/** The parent and each of its variants, in VARIANT_KINDS order. */
export function variantFamily(parentId: string, catalog: readonly ModelEntry[] = MODEL_CATALOG): ModelEntry[] {
  const parent = catalog.find((entry) => entry.id === parentId && !entry.variant);
  if (!parent) throw new Error(`"${parentId}" is not a published (fp32) catalog entry`);
  const variants = catalog.filter((entry) => entry.variant?.parent === parentId);
  return [parent, ...variants].sort((a, b) => VARIANT_KINDS.indexOf(variantKind(a)) - VARIANT_KINDS.indexOf(variantKind(b)));
}

/** Why a variant may or may not be the default. */
export function defaultCandidacy(entry: ModelEntry): { candidate: boolean; reason: string } {
  const info = entry.variant;
  if (!info) return { candidate: true, reason: 'the fp32 parent' };
  if (entry.bytes === null) return { candidate: false, reason: 'size not pinned' };
  if (!info.accuracy) return { candidate: false, reason: 'accuracy not measured' };
  if (!withinBounds(info.accuracy)) return { candidate: false, reason: 'accuracy outside the default bounds' };
  if (info.kind === 'int8-qdq' && !(info.wasmWarmRatio !== null && info.wasmWarmRatio < 1)) {
    return { candidate: false, reason: info.wasmWarmRatio === null ? 'not yet measured on WASM' : 'not faster than fp32 on WASM' };
  }
  return { candidate: true, reason: 'within bounds' };
}

/**
 * The default of a family: the smallest file among the parent and the variants that are
 * candidates, restricted to `available` ids when given (what the site has installed).
 */
export function defaultVariant(
  parentId: string,
  available?: ReadonlySet<string>,
  catalog: readonly ModelEntry[] = MODEL_CATALOG,
): ModelEntry {
  const family = variantFamily(parentId, catalog).filter((entry) => !available || available.has(entry.id));
  const candidates = family.filter((entry) => defaultCandidacy(entry).candidate);
  const size = (entry: ModelEntry) => entry.bytes ?? entry.approxBytes ?? Infinity;
  const best = [...candidates].sort((a, b) => size(a) - size(b))[0];
  return best ?? variantFamily(parentId, catalog)[0]!;
}

/** The entry of one kind in a family (fp32 = the parent), or undefined when there is none. */
export function familyMember(parentId: string, kind: VariantKind, catalog: readonly ModelEntry[] = MODEL_CATALOG): ModelEntry | undefined {
  return variantFamily(parentId, catalog).find((entry) => variantKind(entry) === kind);
}

/**
 * Files a demo that names `id` also loads by default: its default variant when that is not the
 * file itself (for the offline manifest). Empty for ids without variants in `catalog`.
 */
export function defaultVariantIds(id: string, catalog: readonly ModelEntry[] = MODEL_CATALOG): string[] {
  const entry = catalog.find((candidate) => candidate.id === id);
  if (!entry || entry.variant || !catalog.some((candidate) => candidate.variant?.parent === id)) return [];
  // A cascade's net loads the cascade's default kind, which the demo picks for all its nets at once.
  const cascade = cascadeOf(id);
  const chosen = cascade
    ? familyMember(id, cascadeDefaultKind(cascade, undefined, catalog), catalog)
    : defaultVariant(id, undefined, catalog);
  return !chosen || chosen.id === id ? [] : [chosen.id];
}

/** The ids with each one's default variant after it (what a demo naming these ids may load). */
export function withDefaultVariants(ids: readonly string[], catalog: readonly ModelEntry[] = MODEL_CATALOG): string[] {
  return ids.flatMap((id) => [id, ...defaultVariantIds(id, catalog)]);
}

/** One precision of a cascade whose nets are separate files (MTCNN): the id of each net in that kind. */
export interface CascadeMember {
  kind: VariantKind;
  /** Catalog ids, one per net, in the order the nets were given. */
  ids: string[];
  /** Bytes of all the nets together. */
  bytes: number;
}

/**
 * The kinds a cascade can run in: those every net has (restricted to `available` ids when
 * given), fp32 first. A reader picks one kind for all the nets at once.
 */
export function cascadeMembers(
  netIds: readonly string[],
  available?: ReadonlySet<string>,
  catalog: readonly ModelEntry[] = MODEL_CATALOG,
): CascadeMember[] {
  const families = netIds.map((id) => variantFamily(id, catalog).filter((entry) => !available || available.has(entry.id)));
  return VARIANT_KINDS.flatMap((kind) => {
    const entries = families.map((family) => family.find((entry) => variantKind(entry) === kind));
    if (entries.some((entry) => !entry)) return [];
    const found = entries as ModelEntry[];
    return [
      { kind, ids: found.map((entry) => entry.id), bytes: found.reduce((sum, entry) => sum + (entry.bytes ?? entry.approxBytes ?? 0), 0) },
    ];
  });
}

/**
 * The default kind of a cascade: each net's default by the same rule as every other model
 * (defaultVariant), when all the nets agree and all have that kind; otherwise fp32, so a
 * cascade never mixes precisions by default.
 */
export function cascadeDefaultKind(
  netIds: readonly string[],
  available?: ReadonlySet<string>,
  catalog: readonly ModelEntry[] = MODEL_CATALOG,
): VariantKind {
  const kinds = new Set(netIds.map((id) => variantKind(defaultVariant(id, available, catalog))));
  const [kind] = [...kinds];
  const everyNetHasIt = cascadeMembers(netIds, available, catalog).some((member) => member.kind === kind);
  return kinds.size === 1 && kind && everyNetHasIt ? kind : 'fp32';
}
