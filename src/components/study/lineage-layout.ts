/**
 * The lineage figure's layout: each node in a row by generation (the oldest work in the top row,
 * each newer node one row below the lowest node it builds on, implements, ports or wraps), the
 * kind it shows in the legend (paper, code, weights or library), and its links to older nodes.
 * Pure functions, so the figure renders as plain HTML that fits any column.
 */
import type { LineageNode, Study } from '../../schema/study.ts';

export const LINEAGE_KINDS = ['paper', 'code', 'weights', 'library'] as const;
export type LineageKind = (typeof LINEAGE_KINDS)[number];

export const LINEAGE_KIND_TITLES: Record<LineageKind, string> = {
  paper: 'Paper',
  code: 'Code',
  weights: 'Weights',
  library: 'Library',
};

type Edge = Study['lineage']['edges'][number];

/**
 * What an implementation node ships, from its own fields: weights when it is a model hub page or
 * a repository of models (`…/models`, `…-models`, "Model Zoo", "weights" in the label); a library
 * when it is a package a developer installs (PyPI, npm, a `.js` package, "Applications", a
 * `-pytorch` or `pytorch-` package) or wraps another node; code (a research repository) otherwise.
 */
export function lineageKind(node: LineageNode, edges: readonly Edge[]): LineageKind {
  if (node.kind === 'paper') return 'paper';
  const url = new URL(node.url);
  const repo = url.pathname.split('/')[2] ?? '';
  if (url.hostname === 'huggingface.co' || /(^|-)models?$/i.test(repo) || /\b(weights|model zoo|models)\b/i.test(node.label))
    return 'weights';
  const packaged = /\b(PyPI|npm|Applications)\b|\.js\b|-pytorch\b|\bpytorch-|torchvision|\btimm\b/i;
  if (packaged.test(node.label) || packaged.test(repo) || edges.some((edge) => edge.from === node.id && edge.relation === 'wraps'))
    return 'library';
  return 'code';
}

/**
 * Generation of every node: 0 for a node that relates to no older node, otherwise one more than
 * the highest generation among the nodes it points to. `concurrent-with` links are siblings and
 * do not count. A cycle (which the content checks forbid) is cut where it is found.
 */
export function lineageGenerations(nodes: readonly LineageNode[], edges: readonly Edge[]): Map<string, number> {
  const older = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.relation === 'concurrent-with') continue;
    older.set(edge.from, [...(older.get(edge.from) ?? []), edge.to]);
  }
  const generation = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = generation.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const parents = older.get(id) ?? [];
    const value = parents.length ? 1 + Math.max(...parents.map(visit)) : 0;
    visiting.delete(id);
    generation.set(id, value);
    return value;
  };
  for (const node of nodes) visit(node.id);
  return generation;
}

/** Nodes in rows by generation, oldest row first; papers before implementations within a row. */
export function lineageRows<T extends LineageNode>(nodes: readonly T[], edges: readonly Edge[]): T[][] {
  const generation = lineageGenerations(nodes, edges);
  const rows: T[][] = [];
  for (const node of nodes) {
    const row = generation.get(node.id) ?? 0;
    (rows[row] ??= []).push(node);
  }
  return rows.filter(Boolean).map((row) => row.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'paper' ? -1 : 1)));
}
