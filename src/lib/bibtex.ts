/**
 * BibTeX for a study's references, through citation-js (CSL-JSON in, BibTeX out) rather than a
 * hand-written formatter.
 */
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import type { Paper } from '../schema/study.ts';

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

/** The best link for a paper. */
export function paperUrl(paper: Paper): string {
  return paper.url ?? (paper.arxiv ? `https://arxiv.org/abs/${paper.arxiv}` : `https://doi.org/${paper.doi}`);
}
