/**
 * Quality rules for every study on disk (src/content/studies/*.mdx), the ones a careful reader
 * notices first: no paragraph said twice, citation labels that tell papers apart, numbers about
 * the demo quoted from the code rather than typed, and no words glued together by the way Astro
 * drops a line break next to an element.
 *
 * Each rule is a small function tested twice: on the studies, and on a fixture that breaks it
 * (tests/fixtures/content-quality/), so a rule that can never fail is caught.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { citationLabel, studyCitationLabels } from '../../src/site/bibtex.ts';
import { CODE_VALUES } from '../../src/site/code-values.ts';
import { lineageDiagram } from '../../src/build/diagrams.ts';
import { paperSchema, studySchema, type Paper, type Study } from '../../src/schema/study.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STUDIES_DIR = join(ROOT, 'src', 'content', 'studies');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'content-quality');

// ---------------------------------------------------------------------------------------------
// Loading

interface LoadedStudy {
  file: string;
  study: Study;
  body: string;
}

/** A study file; fixtures skip the schema, since they only carry the fields a rule reads. */
function loadStudy(path: string, validate = true): LoadedStudy {
  const parsed = matter(readFileSync(path, 'utf8'), { language: 'yaml' });
  const study = validate ? studySchema.parse(parsed.data) : (parsed.data as Study);
  return { file: relative(ROOT, path), study, body: parsed.content };
}

function studiesOnDisk(): LoadedStudy[] {
  return readdirSync(STUDIES_DIR)
    .filter((name) => name.endsWith('.mdx'))
    .sort()
    .map((name) => loadStudy(join(STUDIES_DIR, name)));
}

function loadPapers(): Map<string, Paper> {
  const raw = parseYaml(readFileSync(join(ROOT, 'src', 'content', 'papers.yaml'), 'utf8')) as unknown[];
  return new Map(raw.map((entry) => paperSchema.parse(entry)).map((paper) => [paper.id, paper]));
}

// ---------------------------------------------------------------------------------------------
// Prose: paragraphs from the body and from the frontmatter's free-text fields

interface Paragraph {
  where: string;
  text: string;
}

/** Frontmatter fields that hold prose (the rest are names, ids, URLs and dates). */
const PROSE_KEYS = new Set([
  'happened',
  'gap',
  'who',
  'divergence',
  'notes',
  'effect',
  'purpose',
  'how',
  'detail',
  'shapesPreprocessing',
  'constraints',
]);

function frontmatterParagraphs(value: unknown, path: string, out: Paragraph[]): Paragraph[] {
  if (Array.isArray(value)) value.forEach((item, index) => frontmatterParagraphs(item, `${path}[${index}]`, out));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const where = path ? `${path}.${key}` : key;
      if (typeof child === 'string' && PROSE_KEYS.has(key)) {
        child.split(/\n\s*\n/).forEach((text, index) => out.push({ where: `${where}#${index + 1}`, text }));
      } else frontmatterParagraphs(child, where, out);
    }
  }
  return out;
}

/** Body paragraphs: blocks between blank lines, without headings, tables, code or lone components. */
function bodyParagraphs(body: string): Paragraph[] {
  return body
    .replace(/^```[\s\S]*?^```/gm, '')
    .split(/\n\s*\n/)
    .map((text, index) => ({ where: `body paragraph ${index + 1}`, text: text.trim() }))
    .filter(({ text }) => text && !text.startsWith('#') && !text.startsWith('|') && !/^<[A-Z][A-Za-z]*[^>]*\/>$/.test(text));
}

function studyParagraphs(loaded: LoadedStudy): Paragraph[] {
  return [...frontmatterParagraphs(loaded.study, '', []), ...bodyParagraphs(loaded.body)];
}

const NUMBER_WORDS: Record<string, string> = {
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
};

/** Text as a reader compares it: no tags or markdown, lower case, number words as digits. */
function normaliseProse(text: string): string {
  return text
    .replace(/<[A-Z][A-Za-z]*[^>]*\/>/g, ' ')
    .replace(/[*_`>#]/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^a-z0-9.%]+/g, ' ')
    .replace(/\b[a-z]+\b/g, (word) => NUMBER_WORDS[word] ?? word)
    .replace(/\.(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function sentences(text: string): string[] {
  return text
    .replace(/<[A-Z][A-Za-z]*[^>]*\/>/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z*_`"(])/)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}

function shingles(words: string[], size: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + size <= words.length; i += 1) out.add(words.slice(i, i + size).join(' '));
  return out;
}

/** Paragraphs that say the same thing twice, word for word once normalised (at least 8 words). */
function duplicateParagraphs(paragraphs: Paragraph[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { where, text } of paragraphs) {
    const key = normaliseProse(text);
    if (key.split(' ').length < 8) continue;
    const first = seen.get(key);
    if (first) problems.push(`${where} repeats ${first}: "${text.slice(0, 80)}…"`);
    else seen.set(key, where);
  }
  return problems;
}

/** Words too common to show that two sentences say the same thing. */
const STOPWORDS = new Set(
  'the a an of and or to in on for with by is are was were be as at that this it its from which their they than not but'.split(' '),
);

/** Three-word sequences of a sentence, without those made only of stop words. */
function contentTrigrams(words: string[]): Set<string> {
  return new Set([...shingles(words, 3)].filter((gram) => !gram.split(' ').every((word) => STOPWORDS.has(word))));
}

interface Sentence {
  where: string;
  sentence: string;
  words: string[];
}

function sentencesOf(paragraphs: Paragraph[]): Sentence[] {
  return paragraphs.flatMap(({ where, text }) =>
    sentences(text).map((sentence) => ({ where, sentence, words: normaliseProse(sentence).split(' ').filter(Boolean) })),
  );
}

/**
 * Whether two sentences say the same thing: half the four-word sequences of the shorter one
 * recur in the other (a copy), or they share `minShared` three-word phrases (a paraphrase that
 * keeps the facts: "only three of the 1,000 ILSVRC classes are people categories").
 */
function sameSentence(a: Sentence, b: Sentence, minShared: number): boolean {
  if (a.words.length < 10 || b.words.length < 10) return false;
  const [small, large] = a.words.length <= b.words.length ? [a, b] : [b, a];
  const smallGrams = shingles(small.words, 4);
  const largeGrams = shingles(large.words, 4);
  let copied = 0;
  for (const gram of smallGrams) if (largeGrams.has(gram)) copied += 1;
  if (smallGrams.size && copied / smallGrams.size >= 0.5) return true;
  const other = contentTrigrams(b.words);
  return [...contentTrigrams(a.words)].filter((gram) => other.has(gram)).length >= minShared;
}

/**
 * Sentences said twice on the page a reader reads top to bottom: between two body paragraphs
 * (7 shared phrases), and between the ethics text of the frontmatter (dataFacts.constraints,
 * rendered under "Ethical and legal constraints") and the body (5). The frontmatter's tables
 * summarise what the body explains, so they are compared with nothing but the ethics text.
 */
function repeatedSentences(paragraphs: Paragraph[]): string[] {
  const body = sentencesOf(paragraphs.filter(({ where }) => where.startsWith('body')));
  const ethics = sentencesOf(paragraphs.filter(({ where }) => where.includes('constraints')));
  const problems: string[] = [];
  const report = (first: Sentence, second: Sentence) =>
    problems.push(`${second.where} repeats a sentence of ${first.where}: "${second.sentence.replace(/\s+/g, ' ').slice(0, 90)}…"`);
  body.forEach((a, i) => {
    for (const b of body.slice(i + 1)) if (a.where !== b.where && sameSentence(a, b, 7)) report(a, b);
  });
  for (const a of ethics) for (const b of body) if (sameSentence(a, b, 5)) report(a, b);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Citations

/** Labels shared by two different papers on one page. */
function ambiguousLabels(labels: Map<string, string>): string[] {
  const byLabel = new Map<string, string[]>();
  for (const [id, label] of labels) byLabel.set(label, [...(byLabel.get(label) ?? []), id]);
  return [...byLabel].filter(([, ids]) => ids.length > 1).map(([label, ids]) => `"${label}" names ${ids.join(', ')}`);
}

/** Runs of <Cite /> tags with only white space between them that cite one paper twice. */
function repeatedAdjacentCitations(body: string): string[] {
  const problems: string[] = [];
  for (const run of body.matchAll(/<Cite\b[^>]*\/>(?:\s*<Cite\b[^>]*\/>)+/g)) {
    const ids = [...run[0].matchAll(/\bid=["']([^"']+)["']/g)].map((match) => match[1]!);
    const twice = ids.filter((id, index) => ids.indexOf(id) !== index);
    if (twice.length) problems.push(`cites ${[...new Set(twice)].join(', ')} twice in a row: ${run[0].replace(/\s+/g, ' ')}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Numbers the demo uses

/** The body's `## The demo` section, up to the next `##` heading. */
function demoSection(body: string): string {
  const match = /^## The demo\s*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(body);
  return match?.[1] ?? '';
}

const SETTING_WORDS = /\b(thresholds?|(?:scale|pyramid) factor|factor|minimum face(?: size)?|IoU|distance)\b/gi;

/**
 * Settings typed by hand in a demo section: a number within a few words after "threshold",
 * "factor", "minimum face", "IoU" or "distance". The demo section must quote these through
 * <CodeValue name="..." />, so they follow the code; other sections may describe other software's
 * settings in plain numbers.
 */
function handTypedSettings(demoText: string): string[] {
  const text = demoText.replace(/<CodeValue\b[^>]*\/>/g, ' CODEVALUE ').replace(/<Cite\b[^>]*\/>/g, ' ');
  const problems: string[] = [];
  for (const match of text.matchAll(SETTING_WORDS)) {
    const after = text.slice(match.index + match[0].length, match.index + match[0].length + 40);
    const number = /^(?:\s+(?!CODEVALUE)[A-Za-z'’-]+){0,3}?\s+(?:of\s+|at\s+|=\s*|below\s+)?(\d+(?:\.\d+)?)(?![\dx])/.exec(after);
    if (number && !/^\s*CODEVALUE/.test(after))
      problems.push(`"${match[0]}${after.slice(0, number.index + number[0].length)}" types ${number[1]} by hand`);
  }
  return problems;
}

/** Every number the code exports for prose to quote. */
const CODE_NUMBERS = new Set(Object.values(CODE_VALUES).flatMap((value) => value.numbers));

/**
 * Sentences anywhere in a study that attribute settings to this site's demo and type decimals
 * that the code does not use: the stale copy this test exists for ("0.7, 0.8 and 0.8 in the
 * reference run" while the code says 0.6/0.7/0.7).
 */
function staleDemoNumbers(paragraphs: Paragraph[], known: ReadonlySet<number> = CODE_NUMBERS): string[] {
  const problems: string[] = [];
  for (const { where, text } of paragraphs) {
    for (const sentence of sentences(text)) {
      if (!/\b(the demo|this site|the site|our (?:demo|cascade))\b/i.test(sentence)) continue;
      if (!/\b(thresholds?|factor|minimum face|suppression|IoU)\b/i.test(sentence)) continue;
      const typed = sentence.replace(/<CodeValue\b[^>]*\/>/g, ' ').replace(/\(v - [\d.]+\) \/ [\d.]+/g, ' ');
      for (const match of typed.matchAll(/(?<![\d.])(\d\.\d+)(?![\d.])/g)) {
        const value = Number(match[1]);
        if (!known.has(value)) problems.push(`${where}: "${sentence.slice(0, 100)}…" types ${match[1]}, which the code does not use`);
      }
    }
  }
  return problems;
}

const CODE_VALUE_NAME = /<CodeValue\s+name=["']([^"']+)["']\s*\/>/g;

// ---------------------------------------------------------------------------------------------
// Astro templates: words glued together where a line break meets an element

const INLINE_TAGS = new Set(['a', 'abbr', 'b', 'cite', 'code', 'data', 'em', 'i', 'kbd', 'output', 'small', 'span', 'strong', 'time']);

type Token = { kind: 'text'; value: string } | { kind: 'open' | 'close' | 'self'; name: string } | { kind: 'brace'; value: '{' | '}' };

/** The template of an .astro file as text, tags and braces (frontmatter, scripts and styles removed). */
function tokenise(source: string): Token[] {
  let template = source.startsWith('---') ? source.slice(source.indexOf('\n---', 3) + 4) : source;
  template = template.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const tokens: Token[] = [];
  let text = '';
  const flush = () => {
    if (text) tokens.push({ kind: 'text', value: text });
    text = '';
  };
  for (let i = 0; i < template.length; i += 1) {
    const char = template[i]!;
    if (char === '<' && /[A-Za-z/!]/.test(template[i + 1] ?? '')) {
      flush();
      // Scan to the closing '>' outside quotes and braces (attributes hold both).
      let j = i + 1;
      let depth = 0;
      let quote = '';
      for (; j < template.length; j += 1) {
        const c = template[j]!;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'" || c === '`') quote = c;
        else if (c === '{') depth += 1;
        else if (c === '}') depth -= 1;
        else if (c === '>' && depth === 0) break;
      }
      const raw = template.slice(i, j + 1);
      const name = (/^<\/?([A-Za-z][\w.-]*)/.exec(raw)?.[1] ?? '').toLowerCase();
      tokens.push({ kind: raw.startsWith('</') ? 'close' : raw.endsWith('/>') ? 'self' : 'open', name });
      i = j;
    } else if (char === '{' || char === '}') {
      flush();
      tokens.push({ kind: 'brace', value: char });
    } else text += char;
  }
  flush();
  return tokens;
}

const isInlineStart = (token: Token | undefined) =>
  !!token && ((token.kind === 'open' && INLINE_TAGS.has(token.name)) || (token.kind === 'brace' && token.value === '{'));
const isInlineEnd = (token: Token | undefined) =>
  !!token &&
  (((token.kind === 'close' || token.kind === 'self') && INLINE_TAGS.has(token.name)) || (token.kind === 'brace' && token.value === '}'));

/**
 * Places where Astro drops the space a reader expects: like JSX, it removes white space that
 * contains a line break when it touches an element or an expression, so "by r2p editors ·" on one
 * line and "<a>Demo</a>" on the next render as "·Demo". Write {' '} at the end of the line.
 */
function gluedInlineBoundaries(source: string): string[] {
  const tokens = tokenise(source);
  const problems: string[] = [];
  /** The source of the expression that starts at tokens[start] (a '{'), up to its '}'. */
  const expression = (start: number) => {
    let source = '';
    for (let i = start + 1; i < tokens.length; i += 1) {
      const token = tokens[i]!;
      if (token.kind === 'brace' && token.value === '}') break;
      source += token.kind === 'text' ? token.value : '<>';
    }
    return source.trim();
  };
  /** An expression that prints a plain value ({installed.size}), not a conditional whose output may start with punctuation. */
  const printsValue = (start: number) => /^[\w$.()[\]'"`, ]+$/.test(expression(start));
  /** The start of the expression that ends at tokens[end] (a '}'). */
  const openingOf = (end: number) => {
    for (let i = end - 1; i >= 0; i -= 1) if (tokens[i]!.kind === 'brace' && (tokens[i] as { value: string }).value === '{') return i;
    return -1;
  };
  tokens.forEach((token, index) => {
    if (token.kind !== 'text') return;
    const before = tokens[index - 1];
    const after = tokens[index + 1];
    // A separator written flush against a link: "RSS ·<a>Model catalog</a>".
    if (/[·•|]$/.test(token.value) && after?.kind === 'open' && INLINE_TAGS.has(after.name)) {
      problems.push(`"…${token.value.trim().slice(-30)}" is written flush against <${after.name}>`);
    }
    const trailing = /([A-Za-z0-9·.,;:!?)\]"'’])([ \t]*\n\s*)$/.exec(token.value);
    const startsValue = after?.kind === 'brace' ? printsValue(index + 1) : isInlineStart(after);
    if (trailing && token.value.trim() && startsValue) {
      problems.push(
        `"…${token.value.trim().slice(-30)}" then a line break, then ${after!.kind === 'brace' ? 'an expression' : `<${(after as { name: string }).name}>`}: the space is lost`,
      );
    }
    const leading = /^([ \t]*\n\s*)([A-Za-z0-9(])/.exec(token.value);
    // {' '} before the line break already prints the space.
    const printedSpace = before?.kind === 'brace' && /^(['"`]) \1$/.test(expression(openingOf(index - 1)));
    if (leading && isInlineEnd(before) && !printedSpace) {
      problems.push(
        `${before!.kind === 'brace' ? 'an expression' : `</${(before as { name: string }).name}>`}, a line break, then "${token.value.trim().slice(0, 30)}…": the space is lost`,
      );
    }
  });
  return problems;
}

function astroFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return astroFiles(path);
    return entry.name.endsWith('.astro') ? [path] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// The rules on every study on disk

const studies = studiesOnDisk();
const papers = loadPapers();

describe('studies on disk', () => {
  it('finds the studies to check', () => {
    expect(studies.length).toBeGreaterThan(0);
  });
});

describe.each(studies.map((loaded) => [loaded.file, loaded] as const))('%s', (_file, loaded) => {
  const paragraphs = studyParagraphs(loaded);

  it('says no paragraph twice', () => {
    expect(duplicateParagraphs(paragraphs)).toEqual([]);
  });

  it('repeats no sentence from another paragraph', () => {
    expect(repeatedSentences(paragraphs)).toEqual([]);
  });

  it('gives every cited paper its own label, shared by the inline citations and the reference list', () => {
    const labels = studyCitationLabels(loaded.study, papers);
    expect(ambiguousLabels(labels)).toEqual([]);
    for (const id of loaded.study.references) expect(labels.get(id), id).toBeTruthy();
  });

  it('labels the papers of the lineage diagram as the text does, and draws concurrent work without an arrow', () => {
    const labels = studyCitationLabels(loaded.study, papers);
    const source = lineageDiagram(loaded.study, papers).source;
    for (const node of loaded.study.lineage.nodes) {
      if (node.kind === 'paper') expect(source, node.paper).toContain(labels.get(node.paper)!.replace(/\s+/g, ' '));
    }
    const concurrent = loaded.study.lineage.edges.filter((edge) => edge.relation === 'concurrent-with').length;
    expect(source.match(/ -\.-\|"is concurrent with"\| /g)?.length ?? 0).toBe(concurrent);
  });

  it('never cites the same paper twice in a row', () => {
    expect(repeatedAdjacentCitations(loaded.body)).toEqual([]);
  });

  it('quotes only numbers the code exports', () => {
    const names = [...loaded.body.matchAll(CODE_VALUE_NAME)].map((match) => match[1]!);
    for (const name of names) expect(CODE_VALUES[name], `<CodeValue name="${name}" />`).toBeDefined();
  });

  it('types no demo setting by hand in its demo section', () => {
    const section = demoSection(loaded.body);
    expect(section.length).toBeGreaterThan(0);
    expect(handTypedSettings(section)).toEqual([]);
  });

  it('attributes to the demo no number the code does not use', () => {
    expect(staleDemoNumbers(paragraphs)).toEqual([]);
  });
});

describe('Astro templates', () => {
  const files = astroFiles(join(ROOT, 'src'));
  it.each(files.map((path) => relative(ROOT, path)))('%s keeps the spaces between inline elements', (file) => {
    expect(gluedInlineBoundaries(readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Each rule fails on a fixture that breaks it

describe('the rules catch what they are for', () => {
  const broken = loadStudy(join(FIXTURES, 'broken-study.mdx'), false);
  const paragraphs = studyParagraphs(broken);

  it('finds a duplicated paragraph', () => {
    expect(duplicateParagraphs(paragraphs)).toEqual([expect.stringMatching(/repeats/)]);
  });

  it('finds a sentence repeated in other words ("3" for "three")', () => {
    expect(repeatedSentences(paragraphs).join('\n')).toMatch(/people categories/);
  });

  it('finds two papers with one label, and letters tell them apart', () => {
    const same = (id: string, title: string): Paper => ({
      id,
      title,
      authors: ['Kaiming He', 'Xiangyu Zhang', 'Shaoqing Ren'],
      year: 2016,
      venue: 'Test venue',
      url: 'https://example.org',
    });
    const pair = [same('b-paper', 'Identity Mappings'), same('a-paper', 'Deep Residual Learning')];
    const plain = new Map(pair.map((paper) => [paper.id, citationLabel(paper)]));
    expect(ambiguousLabels(plain)).toEqual(['"He et al. 2016" names b-paper, a-paper']);
    const lettered = studyCitationLabels(
      { references: pair.map((paper) => paper.id), lineage: { nodes: [], edges: [] } },
      new Map(pair.map((paper) => [paper.id, paper])),
    );
    expect(ambiguousLabels(lettered)).toEqual([]);
    expect(lettered.get('a-paper')).toBe('He et al. 2016a');
    expect(lettered.get('b-paper')).toBe('He et al. 2016b');
  });

  it('finds the same citation twice in a row', () => {
    expect(repeatedAdjacentCitations(broken.body)).toEqual([expect.stringMatching(/he2016resnet twice/)]);
  });

  it('finds thresholds typed by hand in the demo section', () => {
    expect(handTypedSettings(demoSection(broken.body)).join('\n')).toMatch(/0\.7/);
  });

  it('finds a stale copy of the detector thresholds anywhere in the study', () => {
    expect(staleDemoNumbers(paragraphs).join('\n')).toMatch(/types 0\.8/);
  });

  it('finds a space that Astro drops', () => {
    const template = readFileSync(join(FIXTURES, 'glued-footer.astro'), 'utf8');
    expect(gluedInlineBoundaries(template)).toHaveLength(3);
  });
});
