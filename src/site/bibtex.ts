/**
 * BibTeX for a study's references, through citation-js (CSL-JSON in, BibTeX out) rather than a
 * hand-written formatter.
 */
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import type { Paper, Study } from '../schema/study.ts';

/** An author written in braces, "{PyTorch team}", is an organisation: its name is never split. */
export function isOrganisation(name: string): boolean {
  return /^\{.*\}$/.test(name.trim());
}

/** An author's name for display: braces of organisations removed. */
export function displayName(name: string): string {
  return isOrganisation(name) ? name.trim().slice(1, -1) : name;
}

/**
 * Split "Given Names Family" into CSL name parts, keeping lower-case particles with the family
 * name; organisations stay whole (CSL "literal").
 */
export function splitName(name: string): { given: string; family: string } | { literal: string } {
  if (isOrganisation(name)) return { literal: displayName(name) };
  const parts = name.trim().split(/\s+/);
  if (parts.length === 1) return { given: '', family: parts[0] ?? name };
  let familyStart = parts.length - 1;
  while (familyStart > 1 && /^(van|von|der|den|de|del|da|di|le|la)$/.test(parts[familyStart - 1] ?? '')) familyStart--;
  return { given: parts.slice(0, familyStart).join(' '), family: parts.slice(familyStart).join(' ') };
}

/** A paper as CSL-JSON. */
export function paperToCsl(paper: Paper): Record<string, unknown> {
  const preprint = !paper.doi && Boolean(paper.arxiv) && /arxiv/i.test(paper.venue);
  const software = /software|repository|blog|documentation|web page|website/i.test(paper.venue);
  return {
    id: paper.id,
    'citation-key': paper.id,
    type: software
      ? 'webpage'
      : preprint
        ? 'article'
        : /journal|letters|transactions/i.test(paper.venue)
          ? 'article-journal'
          : 'paper-conference',
    title: paper.title,
    author: paper.authors.map(splitName),
    issued: { 'date-parts': [[paper.year]] },
    'container-title': paper.venue,
    ...(paper.doi ? { DOI: paper.doi } : {}),
    URL: paper.url ?? (paper.arxiv ? `https://arxiv.org/abs/${paper.arxiv}` : paper.doi ? `https://doi.org/${paper.doi}` : undefined),
    ...(paper.arxiv ? { number: `arXiv:${paper.arxiv}` } : {}),
  };
}

/** BibTeX for these papers, in the given order. */
export function toBibtex(papers: readonly Paper[]): string {
  return new Cite(papers.map(paperToCsl)).format('bibtex', { format: 'text' }) as string;
}

/** Short author-year label: "He et al. 2016", "Simonyan and Zisserman 2015". */
export function citationLabel(paper: Paper): string {
  const families = paper.authors.map((author) => {
    const parts = splitName(author);
    return 'literal' in parts ? parts.literal : parts.family;
  });
  const who = families.length === 1 ? families[0] : families.length === 2 ? `${families[0]} and ${families[1]}` : `${families[0]} et al.`;
  return `${who} ${paper.year}`;
}

/**
 * Citation labels that are unique within one page: papers whose author-year label collides get
 * a letter after the year ("He et al. 2016a", "He et al. 2016b"), lettered in the order of their
 * titles (the usual author-date convention), so the same set of papers always gets the same
 * letters wherever they are shown. Papers whose label is already unique keep it unchanged.
 */
export function citationLabels(papers: readonly Paper[]): Map<string, string> {
  const unique = [...new Map(papers.map((paper) => [paper.id, paper])).values()];
  const groups = new Map<string, Paper[]>();
  for (const paper of unique) {
    const base = citationLabel(paper);
    groups.set(base, [...(groups.get(base) ?? []), paper]);
  }
  const labels = new Map<string, string>();
  for (const [base, group] of groups) {
    if (group.length === 1) {
      labels.set(group[0]!.id, base);
      continue;
    }
    const ordered = [...group].sort((a, b) => a.title.localeCompare(b.title, 'en') || a.id.localeCompare(b.id, 'en'));
    ordered.forEach((paper, index) => labels.set(paper.id, `${base}${letterSuffix(index)}`));
  }
  return labels;
}

/**
 * The labels of one study page: every paper it lists in `references` or shows as a lineage node,
 * lettered together so the inline citations, the lineage diagram and the reference list agree.
 * Ids missing from the bibliography are skipped here; the content check reports them.
 */
export function studyCitationLabels(study: Pick<Study, 'references' | 'lineage'>, papers: ReadonlyMap<string, Paper>): Map<string, string> {
  const ids = [...study.references, ...study.lineage.nodes.flatMap((node) => (node.kind === 'paper' ? [node.paper] : []))];
  return citationLabels(ids.flatMap((id) => (papers.has(id) ? [papers.get(id)!] : [])));
}

/** a, b, ..., z, then aa, ab, ...: enough letters for any number of same-author-year papers. */
function letterSuffix(index: number): string {
  const letter = String.fromCharCode(97 + (index % 26));
  return index < 26 ? letter : `${letterSuffix(Math.floor(index / 26) - 1)}${letter}`;
}

/** The best link for a paper. */
export function paperUrl(paper: Paper): string {
  return paper.url ?? (paper.arxiv ? `https://arxiv.org/abs/${paper.arxiv}` : `https://doi.org/${paper.doi}`);
}
