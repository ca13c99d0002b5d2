/**
 * The /papers/ page's grouping: what kind of source each bibliography entry is, read from its
 * venue, and where in each study it is cited (the section around its first <Cite />).
 */
import GithubSlugger from 'github-slugger';
import type { Paper } from '../schema/study.ts';

export const SOURCE_KINDS = ['paper', 'code', 'weights', 'data', 'web'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const SOURCE_KIND_TITLES: Record<SourceKind, string> = {
  paper: 'Papers and reports',
  code: 'Code and libraries',
  weights: 'Model weights',
  data: 'Data sets',
  web: 'Web pages, documentation, law and news',
};

/**
 * The kind of a source from its venue: model weights (a model repository or card, released model
 * files), data sets, software (code and libraries), web pages, documentation, issue threads,
 * law and news; anything else (journals, conferences, preprints, reports) is a paper.
 */
export function sourceKind(paper: Pick<Paper, 'venue'>): SourceKind {
  const venue = paper.venue;
  if (/model (repository|card|files)|weights/i.test(venue)) return 'weights';
  if (/dataset|data set/i.test(venue) && !/preprint/i.test(venue)) return 'data';
  if (/^Software\b(?! documentation)/i.test(venue)) return 'code';
  if (/^(Web page|News|GitHub issue|Official Journal|Software documentation)/i.test(venue)) return 'web';
  return 'paper';
}

/**
 * For one study body: the id of the section (## or ###, as Astro slugs headings) in which each
 * paper is first cited with <Cite id="..." />.
 */
export function citingSections(body: string): Map<string, string> {
  const slugger = new GithubSlugger();
  const sections = new Map<string, string>();
  let current: string | undefined;
  let fenced = false;
  for (const line of body.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      const text = heading[1]!
        .replace(/`([^`]*)`/g, '$1')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/[*_]/g, '');
      const slug = slugger.slug(text);
      if (/^#{2,3}\s/.test(line)) current = slug;
      continue;
    }
    for (const match of line.matchAll(/<Cite\s+id=["']([^"']+)["']/g)) {
      if (current && !sections.has(match[1]!)) sections.set(match[1]!, current);
    }
  }
  return sections;
}
