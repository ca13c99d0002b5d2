/**
 * Mermaid diagrams generated from a study's frontmatter: the four steps from research to
 * production, and the lineage of papers and implementations. Pure functions (no I/O) that return
 * the mermaid source, a caption and a plain-English text alternative; src/build/mermaid-render.ts
 * turns the source into SVG at build time and src/components/Diagram.astro shows all three.
 *
 * Every piece of text that comes from content goes through `mermaidText`, so quotes, brackets,
 * `<`, `#`, `;` and friends in titles or names never change the meaning of the diagram: they are
 * written as mermaid entity codes (`#35;` for `#`), which mermaid decodes back when it draws.
 */
import type { Paper, Study } from '../schema/study.ts';
import { ROLE_TITLES, STEP_IDS, STEP_TITLES } from '../schema/study.ts';
import { citationLabel, studyCitationLabels } from '../site/bibtex.ts';
import { ROLE_PROFILES } from '../site/roles.ts';

/** A diagram ready to render: mermaid source, the caption under it and its text alternative. */
export type DiagramSpec = {
  /** Mermaid source. */
  source: string;
  /** The caption shown under the diagram. */
  caption: string;
  /** A plain-English description of everything the diagram shows (the text alternative). */
  description: string;
};

/** Longest edge label in the steps diagram, in characters, before it is cut with an ellipsis. */
export const GAP_LABEL_MAX = 48;
/** Longest "who" line in a step node. */
export const WHO_LABEL_MAX = 64;
/** Longest paper title shown in a lineage node. */
export const TITLE_LABEL_MAX = 60;

/** Characters that mermaid's flowchart grammar or its HTML labels could read as syntax. */
const ESCAPED: Record<string, string> = {
  '#': '#35;',
  '"': '#quot;',
  '&': '#amp;',
  '<': '#lt;',
  '>': '#gt;',
  ';': '#59;',
  '`': '#96;',
  '[': '#91;',
  ']': '#93;',
  '{': '#123;',
  '}': '#125;',
  '(': '#40;',
  ')': '#41;',
  '|': '#124;',
  '%': '#37;',
  '\\': '#92;',
};

/** Collapse runs of white space (including newlines) into single spaces and trim. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Text as mermaid shows it literally inside a quoted label, an edge label or an accessibility
 * line: on one line, with every character that could be syntax written as an entity code.
 */
export function mermaidText(text: string): string {
  return oneLine(text).replace(/[#"&<>;`[\]{}()|%\\]/g, (char) => ESCAPED[char] ?? char);
}

/**
 * Shorten text to at most `max` characters, cutting at a word boundary when one is near the end
 * and adding an ellipsis. Trailing punctuation before the ellipsis is dropped.
 */
export function truncate(text: string, max: number): string {
  const clean = oneLine(text);
  if (clean.length <= max) return clean;
  const hard = clean.slice(0, max - 1);
  const space = hard.lastIndexOf(' ');
  const cut = space >= max * 0.6 ? hard.slice(0, space) : hard;
  return `${cut.replace(/[\s,;:.\-–—(/]+$/u, '')}…`;
}

/**
 * A mermaid node id from any text: letters, digits and underscores only, with a prefix so that
 * it never starts with a digit or collides with a keyword (`end`, `graph`, `style`, ...).
 */
export function mermaidId(prefix: string, raw: string): string {
  const body = raw.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `${prefix}_${body || 'node'}`;
}

/**
 * "He et al. 2016", "Simonyan and Zisserman 2014" or "LeCun 1998": the site's citation label,
 * or the page's lettered label ("He et al. 2016b") when `labels` has one for this paper.
 */
export function paperShortName(paper: Paper, labels?: ReadonlyMap<string, string>): string {
  return oneLine(labels?.get(paper.id) ?? citationLabel(paper));
}

/** The lines every generated diagram starts with: its accessible title and description. */
function accessibility(spec: Omit<DiagramSpec, 'source'>): string[] {
  return [`  accTitle: ${mermaidText(spec.caption)}`, `  accDescr: ${mermaidText(spec.description)}`];
}

/** Join sentences into one paragraph. */
function sentences(parts: string[]): string {
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
}

/** End a sentence with a full stop unless it already ends with punctuation. */
function period(text: string): string {
  const clean = oneLine(text);
  return /[.!?…]$/u.test(clean) ? clean : `${clean}.`;
}

/** The home page's diagram: the four steps and the role that typically works at each. */
export function overviewDiagram(): DiagramSpec {
  return {
    source: [
      'flowchart LR',
      ...STEP_IDS.map((step, index) => `  s${index}["${STEP_TITLES[step]}<br/><i>${ROLE_PROFILES[index]!.title}</i>"]`),
      '  s0 -->|"ideas become an architecture"| s1',
      '  s1 -->|"research code becomes a library"| s2',
      '  s2 -->|"a library becomes an API"| s3',
    ].join('\n'),
    caption: 'The four steps from research to product, and the role that typically works at each.',
    description: `Four steps in order: ${STEP_IDS.map((step, index) => `${STEP_TITLES[step]} (typically ${ROLE_PROFILES[index]!.title})`).join(', then ')}.`,
  };
}

/**
 * The four steps from research to production as a left-to-right flowchart. Each node shows the
 * step title, the role and who did the work; each edge carries a short form of the gap that had
 * to be bridged to reach the next step, and the last step's gap leads to an "End users" node.
 */
export function stepsDiagram(study: Study): DiagramSpec {
  const name = oneLine(study.model.name);
  const caption = `From research to production: the four steps of ${name}`;
  const steps = study.steps;

  const spoken = steps.map((step, index) => {
    const title = STEP_TITLES[step.id];
    const role = ROLE_TITLES[step.role];
    const lead = index === 0 ? '' : index === steps.length - 1 ? 'Finally, ' : 'Then ';
    return `${lead}${index + 1}. ${title}, by ${oneLine(step.who)} (${role}); the gap to ${
      index === steps.length - 1 ? 'reach end users' : 'the next step'
    }: ${period(step.gap)}`;
  });
  const description = sentences([
    `${steps.length === 4 ? 'Four' : String(steps.length)} steps take ${name} from research to production, left to right.`,
    ...spoken,
  ]);

  // A straight chain looks the same with dagre as with mermaid 12's default (ELK), and dagre
  // draws it twice as fast (60 against 120 ms per theme here), which halves its share of the build.
  const lines = ['---', 'config:', '  layout: dagre', '---', 'flowchart LR', ...accessibility({ caption, description })];
  steps.forEach((step, index) => {
    const label = [
      `<b>${mermaidText(STEP_TITLES[step.id])}</b>`,
      mermaidText(ROLE_TITLES[step.role]),
      `<i>${mermaidText(truncate(step.who, WHO_LABEL_MAX))}</i>`,
    ].join('<br/>');
    lines.push(`  step${index + 1}["${label}"]`);
  });
  lines.push('  users(["End users"])');
  steps.forEach((step, index) => {
    const to = index === steps.length - 1 ? 'users' : `step${index + 2}`;
    lines.push(`  step${index + 1} -->|"${mermaidText(truncate(step.gap, GAP_LABEL_MAX))}"| ${to}`);
  });
  lines.push('  classDef audience stroke-dasharray: 4 3', '  class users audience');
  return { source: `${lines.join('\n')}\n`, caption, description };
}

/** How each relation reads in a sentence and on an edge ("from" relation "to"). */
const RELATION_TEXT: Record<Study['lineage']['edges'][number]['relation'], string> = {
  'builds-on': 'builds on',
  implements: 'implements',
  ports: 'ports',
  wraps: 'wraps',
  'concurrent-with': 'is concurrent with',
};

type ResolvedNode = {
  /** The node id in the study. */
  id: string;
  /** The mermaid node id. */
  mermaid: string;
  kind: 'paper' | 'implementation';
  /** The node text in the diagram, already escaped (may contain <br/>). */
  label: string;
  /** A short plain name for sentences. */
  name: string;
  /** A fuller plain description for the list of nodes. */
  long: string;
};

/**
 * The lineage of papers and implementations as a bottom-to-top flowchart: every edge points
 * from the newer node up to the older one it builds on, implements, ports or wraps, so the oldest
 * work sits at the top. Papers are rectangles ("He et al. 2016" and a short title);
 * implementations are rounded ("torchvision (2017, PyTorch)") with a dashed border.
 *
 * Throws when a paper node names a paper that is not in `papers`, or an edge names a node that
 * does not exist, so that the build fails with a message that says where to look.
 */
export function lineageDiagram(study: Study, papers: Map<string, Paper>): DiagramSpec {
  const name = oneLine(study.model.name);
  const caption = `Lineage of ${name}: the papers and implementations it comes from`;
  const used = new Set<string>();
  const nodes = new Map<string, ResolvedNode>();
  const labels = studyCitationLabels(study, papers);

  for (const node of study.lineage.nodes) {
    let mermaid = mermaidId(node.kind === 'paper' ? 'p' : 'i', node.id);
    for (let n = 2; used.has(mermaid); n += 1) mermaid = `${mermaidId(node.kind === 'paper' ? 'p' : 'i', node.id)}_${n}`;
    used.add(mermaid);

    if (node.kind === 'paper') {
      const paper = papers.get(node.paper);
      if (!paper) {
        throw new Error(
          `Lineage node "${node.id}" of study "${oneLine(study.title)}" refers to paper "${node.paper}", which is not in the bibliography (src/content/papers.yaml).`,
        );
      }
      const short = paperShortName(paper, labels);
      const title = truncate(paper.title, TITLE_LABEL_MAX);
      nodes.set(node.id, {
        id: node.id,
        mermaid,
        kind: 'paper',
        label: `<b>${mermaidText(short)}</b><br/>${mermaidText(title)}`,
        name: `${short}, “${title}”`,
        long: `the paper “${oneLine(paper.title)}” by ${short.replace(/ \d{4}[a-z]*$/, '')} (${paper.year})`,
      });
    } else {
      const details = [String(node.year), node.framework ? oneLine(node.framework) : undefined].filter(Boolean).join(', ');
      const label = `${oneLine(node.label)} (${details})`;
      nodes.set(node.id, {
        id: node.id,
        mermaid,
        kind: 'implementation',
        label: mermaidText(label),
        name: label,
        long: `the implementation ${label}`,
      });
    }
  }

  const known = [...nodes.keys()].map((id) => `"${id}"`).join(', ');
  const edges = study.lineage.edges.map((edge, index) => {
    const from = nodes.get(edge.from);
    const to = nodes.get(edge.to);
    for (const [end, id, found] of [
      ['from', edge.from, from],
      ['to', edge.to, to],
    ] as const) {
      if (!found) {
        throw new Error(
          `Lineage edge ${index + 1} of study "${oneLine(study.title)}" goes ${end} "${id}", which is not a lineage node id (known: ${known}).`,
        );
      }
    }
    return {
      from: from as ResolvedNode,
      to: to as ResolvedNode,
      relation: RELATION_TEXT[edge.relation],
      concurrent: edge.relation === 'concurrent-with',
    };
  });

  const all = [...nodes.values()];
  const paperCount = all.filter((node) => node.kind === 'paper').length;
  const implementationCount = all.length - paperCount;
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const connected = new Set(edges.flatMap((edge) => [edge.from.id, edge.to.id]));
  const loose = all.filter((node) => !connected.has(node.id));
  const description = sentences([
    `Lineage of ${name}: ${count(paperCount, 'paper', 'papers')} and ${count(implementationCount, 'implementation', 'implementations')}, oldest at the top.`,
    `The nodes are ${all.map((node) => node.long).join('; ')}.`,
    `${edges.map((edge) => `${edge.from.name} ${edge.relation} ${edge.to.name}`).join('; ')}.`,
    loose.length ? `Not connected to the others: ${loose.map((node) => node.name).join('; ')}.` : '',
  ]);

  // Wider text than mermaid's default, so "Simonyan and Zisserman 2014" stays on one line.
  const lines = [
    '---',
    'config:',
    '  flowchart:',
    '    wrappingWidth: 200',
    '---',
    'flowchart BT',
    ...accessibility({ caption, description }),
  ];
  for (const node of all) {
    lines.push(node.kind === 'paper' ? `  ${node.mermaid}["${node.label}"]` : `  ${node.mermaid}("${node.label}")`);
  }
  // Concurrent work is a sibling, not an ancestor: a dotted line without an arrowhead.
  for (const edge of edges) {
    lines.push(`  ${edge.from.mermaid} ${edge.concurrent ? '-.-' : '-->'}|"${edge.relation}"| ${edge.to.mermaid}`);
  }
  lines.push('  classDef paper stroke-width: 2px', '  classDef implementation stroke-dasharray: 5 3');
  const ofKind = (kind: ResolvedNode['kind']) => all.filter((node) => node.kind === kind).map((node) => node.mermaid);
  for (const kind of ['paper', 'implementation'] as const) {
    const ids = ofKind(kind);
    if (ids.length) lines.push(`  class ${ids.join(',')} ${kind}`);
  }
  return { source: `${lines.join('\n')}\n`, caption, description };
}
