/**
 * Benchmark sections share these shapes. `npm run bench` runs every section, prints its rows,
 * and writes src/data/benchmarks.json, which the /performance/ page renders. Only measured
 * figures go in: a section that cannot run records why instead of numbers.
 */
import type { Browser } from 'playwright-core';

export interface BenchContext {
  /** The built site, served with cross-origin isolation (multi-threaded WASM possible). */
  baseUrl: string;
  /** The same site without COOP/COEP headers (single-threaded WASM only). */
  plainBaseUrl: string;
  /** Chromium launched with WebGPU enabled (SwiftShader here). */
  browser: Browser;
  /** --quick: fewer repetitions, for a smoke run. */
  quick: boolean;
  log(line: string): void;
}

export interface BenchRow {
  /** Catalog id or a short name. */
  model: string;
  /** What ran: browser backends, native onnxruntime-node, or a peer library. */
  backend: 'wasm' | 'webgpu' | 'native' | string;
  /** WASM threads (null when not applicable). */
  threads: number | null;
  /** What was measured, e.g. "inference", "end to end 512x512", "P-Net". */
  metric: string;
  /** Model download + session creation, or the first run, in ms (null when not measured). */
  coldMs: number | null;
  /** Median of warm runs in ms. */
  warmMedianMs: number | null;
  /** 95th percentile of warm runs in ms. */
  warmP95Ms: number | null;
  /** Number of warm runs behind the median. */
  runs: number;
  /** Session creation over repeated cold loads, when measured. */
  session?: { median: number | null; p95: number | null; samples: number };
  /** First inference after session creation over repeated cold loads, when measured. */
  first?: { median: number | null; p95: number | null; samples: number };
  /** This row's warm median divided by the native (or ours-vs-peer) reference, when there is one. */
  ratio?: { to: string; value: number } | null;
  notes?: string;
  /** Cold-start rows: cache state, bytes the server sent before the first result, the figures before issue 13 and the target. */
  coldStart?: { cache: 'cold' | 'warm'; bytes: number; beforeMs?: [number, number]; targetMs?: number };
}

/** A row of the production-variants section (scripts/bench/variants.ts); ratio is to the fp32 parent. */
export interface VariantRow extends BenchRow {
  /** Catalog id of the fp32 parent. */
  parent: string;
  variant: import('../../src/models/catalog.ts').VariantKind;
  bytes: number;
  /** Accuracy against fp32, measured in this run (null for the parent itself). */
  accuracy: import('../../src/models/catalog.ts').VariantAccuracy | null;
  /** Session creation divided by the parent's, same backend. */
  sessionRatio: number | null;
}

export interface BenchSection {
  id: string;
  title: string;
  rows: BenchRow[];
  /** Plain-text findings, targets and whether they were met. */
  notes: string[];
  /** When this section was measured (sections are merged from separate runs), and the 1-minute load average then. */
  measuredAt?: string;
  loadAverage?: number;
}

export type BenchModule = (context: BenchContext) => Promise<BenchSection>;

/** Median and 95th percentile (nearest rank). */
export function stats(values: readonly number[]): { median: number | null; p95: number | null } {
  if (values.length === 0) return { median: null, p95: null };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
  return { median, p95 };
}
