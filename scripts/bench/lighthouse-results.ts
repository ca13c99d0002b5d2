/**
 * What the Lighthouse benchmark section (lighthouse.ts) records per page, and its targets: shared
 * with the /performance/ page, which must not import Lighthouse itself.
 */
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
  /** The host's one-minute load average as each run started (os.loadavg; cores: hostCores). */
  loadAverages?: number[];
  hostCores?: number;
}
