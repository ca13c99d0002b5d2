/**
 * What the Lighthouse benchmark section (lighthouse.ts) records per page, and its targets: shared
 * with the /performance/ page, which must not import Lighthouse itself.
 */
/** Lighthouse warns that a host is slower than it expects below this benchmark index (core/gather/driver/environment.js). */
export const LIGHTHOUSE_EXPECTED_BENCHMARK_INDEX = 1000;

export const LIGHTHOUSE_TARGETS = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100, cls: 0.05 } as const;

export interface LighthousePage {
  path: string;
  scores: Record<'performance' | 'accessibility' | 'best-practices' | 'seo', number | null>;
  lcpMs: number | null;
  tbtMs: number | null;
  cls: number | null;
  fcpMs: number | null;
  domElements: number | null;
  transferKiB: number | null;
  /** Audits that cost the most, for the page's notes. */
  opportunities: string[];
  /**
   * Every run's performance score, in run order; the figures above are from the median run.
   * Lighthouse's simulated throttling scales what it observes, so runs on a busy host differ.
   */
  performanceRuns?: number[];
  /**
   * Lighthouse's own measure of the host's CPU for each run (lhr.environment.benchmarkIndex, run
   * order). Lighthouse's 4x slow-down assumes a host of at least 1000 and warns below it: the
   * lower the index, the more pessimistic that run's blocking time and score.
   */
  benchmarkIndexes?: number[];
  /** The host's one-minute load average as each run started (os.loadavg; cores: hostCores). */
  loadAverages?: number[];
  hostCores?: number;
}
