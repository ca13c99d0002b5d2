import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compile } from '@mdx-js/mdx';
import rehypeStringify from 'rehype-stringify';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { VFile } from 'vfile';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GAP_LABEL_MAX, lineageDiagram, mermaidId, mermaidText, paperShortName, stepsDiagram, truncate } from '../../src/build/diagrams.ts';
import { findChromium } from '../../src/build/find-chromium.ts';
import {
  MIN_SCALE,
  closeRenderer,
  offendingLine,
  sizeSvg,
  prerenderMermaid,
  renderMermaid,
  rendererStats,
  resetRenderer,
  type RenderedDiagram,
} from '../../src/build/mermaid-render.ts';
import rehypeDiagrams, { parseMeta, type RehypeDiagramsOptions } from '../../src/build/rehype-diagrams.ts';
import { ROLE_TITLES, STEP_TITLES, type Paper, type Study } from '../../src/schema/study.ts';

const HOSTILE = 'He "ResNet" [v1] <b>#1;';

const papers = new Map<string, Paper>([
  [
    'he2016resnet',
    {
      id: 'he2016resnet',
      title: 'Deep Residual Learning for Image Recognition',
      authors: ['Kaiming He', 'Xiangyu Zhang', 'Shaoqing Ren', 'Jian Sun'],
      year: 2016,
      venue: 'CVPR',
      arxiv: '1512.03385',
    },
  ],
  [
    'simonyan2014vgg',
    {
      id: 'simonyan2014vgg',
      title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition',
      authors: ['Karen Simonyan', 'Andrew Zisserman'],
      year: 2014,
      venue: 'arXiv preprint',
      arxiv: '1409.1556',
    },
  ],
  ['hostile', { id: 'hostile', title: HOSTILE, authors: ['Kaiming He'], year: 2016, venue: 'x; y', url: 'https://example.org' }],
]);

/** A study with just the fields the generators read (the rest of the schema does not matter here). */
function makeStudy(overrides: Partial<Study> = {}): Study {
  const step = (id: Study['steps'][number]['id'], role: Study['steps'][number]['role'], who: string, gap: string) => ({
    id,
    happened: 'Something happened.',
    artifacts: [{ kind: 'paper' as const, title: 'A paper', url: 'https://example.org', date: '2015' }],
    role,
    who,
    skills: ['a skill'],
    gap,
  });
  return {
    title: 'ResNet-34: from a CVPR paper to a browser',
    model: { name: 'ResNet-34', year: 2016, task: 'image classification' },
    summary: 'A summary.',
    status: 'published',
    updated: '2025-01-01',
    contributors: [{ name: 'A. Writer' }],
    steps: [
      step(
        'pre-research',
        'scientist',
        'Kaiming He and colleagues (Microsoft Research Asia)',
        'Turning an insight about optimising very deep networks into an architecture that trains well',
      ),
      step(
        'paper-and-initial-implementation',
        'phd-postdoc',
        'Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun',
        'Research code in Caffe; no packaging',
      ),
      step('production-implementation', 'library-engineer', 'torchvision maintainers', 'A library needs Python and a GPU'),
      step('accessible-layer', 'general-developer', 'Web developers with ONNX Runtime Web', 'End users need an app'),
    ],
    lineage: {
      nodes: [
        { id: 'vgg', kind: 'paper', paper: 'simonyan2014vgg' },
        { id: 'resnet', kind: 'paper', paper: 'he2016resnet' },
        {
          id: 'torchvision',
          kind: 'implementation',
          label: 'torchvision resnet34',
          url: 'https://pytorch.org',
          year: 2017,
          framework: 'PyTorch',
        },
        { id: 'onnx', kind: 'implementation', label: 'ONNX model zoo', url: 'https://onnx.ai', year: 2018 },
      ],
      edges: [
        { from: 'resnet', to: 'vgg', relation: 'builds-on' },
        { from: 'torchvision', to: 'resnet', relation: 'implements' },
        { from: 'onnx', to: 'torchvision', relation: 'ports' },
      ],
    },
    references: ['he2016resnet'],
    ...overrides,
  } as Study;
}

/** The text inside every quoted label of a flowchart, in source order. */
function quotedLabels(source: string): string[] {
  return [...source.matchAll(/"([^"\n]*)"/g)].map((match) => match[1] ?? '');
}

describe('text helpers', () => {
  it('escapes everything mermaid could read as syntax', () => {
    const escaped = mermaidText(HOSTILE);
    expect(escaped.replace(/#(\d+|quot|amp|lt|gt);/g, '')).not.toMatch(/["[\]<>;#]/);
    expect(escaped).toBe('He #quot;ResNet#quot; #91;v1#93; #lt;b#gt;#35;1#59;');
    expect(mermaidText('a\n  b\tc')).toBe('a b c');
  });

  it('truncates at a word boundary with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('Turning an insight about optimising very deep networks', 30);
    expect(cut.length).toBeLessThanOrEqual(30);
    expect(cut).toBe('Turning an insight about…');
  });

  it('makes safe, prefixed node ids', () => {
    expect(mermaidId('p', 'end')).toBe('p_end');
    expect(mermaidId('i', 'weird id/with "quotes"')).toBe('i_weird_id_with_quotes');
    expect(mermaidId('i', '%%')).toBe('i_node');
  });

  it('names papers by first author and year', () => {
    expect(paperShortName(papers.get('he2016resnet') as Paper)).toBe('He et al. 2016');
    expect(paperShortName(papers.get('simonyan2014vgg') as Paper)).toBe('Simonyan and Zisserman 2014');
    expect(paperShortName(papers.get('hostile') as Paper)).toBe('He 2016');
  });
});

describe('stepsDiagram', () => {
  const study = makeStudy();
  const spec = stepsDiagram(study);

  it('is a left-to-right flowchart of the four steps in order, ending at end users, laid out by dagre', () => {
    const lines = spec.source.split('\n');
    expect(lines.slice(0, 5)).toEqual(['---', 'config:', '  layout: dagre', '---', 'flowchart LR']);
    const positions = study.steps.map((step) => spec.source.indexOf(`<b>${mermaidText(STEP_TITLES[step.id])}</b>`));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const edges = lines.filter((line) => line.includes('-->')).map((line) => line.replace(/\|"[^"]*"\|/, '|'));
    expect(edges).toEqual(['  step1 -->| step2', '  step2 -->| step3', '  step3 -->| step4', '  step4 -->| users']);
  });

  it('shows the role and who in every step node', () => {
    for (const [index, step] of study.steps.entries()) {
      const node = spec.source.split('\n').find((line) => line.startsWith(`  step${index + 1}[`)) ?? '';
      expect(node).toContain(mermaidText(ROLE_TITLES[step.role]));
      expect(node).toContain(mermaidText(truncate(step.who, 64)));
    }
  });

  it('labels edges with a short form of the gap', () => {
    const labels = spec.source
      .split('\n')
      .filter((line) => line.includes('-->'))
      .map((line) => /\|"([^"]*)"\|/.exec(line)?.[1] ?? '');
    expect(labels).toHaveLength(4);
    expect(labels[0]).toMatch(/…$/);
    for (const label of labels) expect(label.replace(/#\w+;/g, 'x').length).toBeLessThanOrEqual(GAP_LABEL_MAX);
    expect(labels[2]).toBe('A library needs Python and a GPU');
  });

  it('describes every step, role and person in plain English', () => {
    expect(spec.description).toMatch(/^Four steps take ResNet-34 from research to production/);
    for (const step of study.steps) {
      expect(spec.description).toContain(STEP_TITLES[step.id]);
      expect(spec.description).toContain(ROLE_TITLES[step.role]);
      expect(spec.description).toContain(step.who);
      expect(spec.description).toContain(step.gap);
    }
    expect(spec.caption).toContain('ResNet-34');
    expect(spec.source).toContain('accTitle: ');
    expect(spec.source).toContain('accDescr: ');
  });

  it('keeps hostile text inside its labels', () => {
    const hostile = makeStudy();
    hostile.steps = hostile.steps.map((step) => ({ ...step, who: HOSTILE, gap: `${HOSTILE} | --> end` }));
    const source = stepsDiagram(hostile).source;
    expect(source).not.toContain('"ResNet"');
    expect(source).not.toContain('[v1]');
    expect(source).not.toContain('<b>#1');
    expect(source).not.toContain('| --> end');
    for (const label of quotedLabels(source)) {
      expect(label.replace(/#(\d+|quot|amp|lt|gt);/g, '').replace(/<\/?[bi]>|<br\/>/g, '')).not.toMatch(/[[\]|;<>#]/);
    }
  });
});

describe('lineageDiagram', () => {
  const study = makeStudy();
  const spec = lineageDiagram(study, papers);

  it('draws papers and implementations with different shapes, oldest at the top', () => {
    const lines = spec.source.split('\n');
    expect(lines).toContain('flowchart BT');
    expect(spec.source).toContain('  p_resnet["<b>He et al. 2016</b><br/>Deep Residual Learning for Image Recognition"]');
    expect(spec.source).toContain('  p_vgg["<b>Simonyan and Zisserman 2014</b><br/>');
    expect(spec.source).toContain('  i_torchvision("torchvision resnet34 #40;2017, PyTorch#41;")');
    expect(spec.source).toContain('  i_onnx("ONNX model zoo #40;2018#41;")');
    expect(spec.source).toContain('  class p_vgg,p_resnet paper');
    expect(spec.source).toContain('  class i_torchvision,i_onnx implementation');
  });

  it('labels every edge with its relation, from the newer node to the older', () => {
    expect(spec.source).toContain('  p_resnet -->|"builds on"| p_vgg');
    expect(spec.source).toContain('  i_torchvision -->|"implements"| p_resnet');
    expect(spec.source).toContain('  i_onnx -->|"ports"| i_torchvision');
  });

  it('describes every node and relation', () => {
    expect(spec.description).toMatch(/^Lineage of ResNet-34: 2 papers and 2 implementations/);
    expect(spec.description).toContain('Deep Residual Learning for Image Recognition');
    expect(spec.description).toContain('Very Deep Convolutional Networks for Large-Scale Image Recognition');
    expect(spec.description).toContain('torchvision resnet34 (2017, PyTorch)');
    expect(spec.description).toContain('ONNX model zoo (2018)');
    expect(spec.description).toMatch(
      /He et al\. 2016, “Deep Residual Learning for Image Recognition” builds on Simonyan and Zisserman 2014/,
    );
    expect(spec.description).toContain('torchvision resnet34 (2017, PyTorch) implements He et al. 2016');
    expect(spec.description).toContain('ONNX model zoo (2018) ports torchvision resnet34 (2017, PyTorch)');
  });

  it('mentions nodes without edges too', () => {
    const loose = makeStudy();
    loose.lineage = {
      ...loose.lineage,
      nodes: [
        ...loose.lineage.nodes,
        { id: 'alone', kind: 'implementation', label: 'Lonely port', url: 'https://example.org', year: 2020 },
      ],
    };
    expect(lineageDiagram(loose, papers).description).toContain('Not connected to the others: Lonely port (2020).');
  });

  it('escapes hostile titles, labels and node ids', () => {
    const hostile = makeStudy();
    hostile.lineage = {
      nodes: [
        { id: 'end', kind: 'paper', paper: 'hostile' },
        {
          id: 'weird id/with "quotes"',
          kind: 'implementation',
          label: HOSTILE,
          url: 'https://example.org',
          year: 2019,
          framework: 'C++ {fast}; #1',
        },
        { id: 'weird id with quotes', kind: 'implementation', label: 'second', url: 'https://example.org', year: 2020 },
      ],
      edges: [
        { from: 'weird id/with "quotes"', to: 'end', relation: 'implements' },
        { from: 'weird id with quotes', to: 'weird id/with "quotes"', relation: 'wraps' },
      ],
    };
    const result = lineageDiagram(hostile, papers);
    const nodeLines = result.source.split('\n').filter((line) => /^ {2}[pi]_\w+[[(]"/.test(line));
    expect(nodeLines).toHaveLength(3);
    for (const line of nodeLines) expect(line).toMatch(/^ {2}[pi]_\w+(\["[^"]*"\]|\("[^"]*"\))$/);
    expect(result.source).toContain('  i_weird_id_with_quotes -->|"implements"| p_end');
    expect(result.source).toContain('  i_weird_id_with_quotes_2 -->|"wraps"| i_weird_id_with_quotes');
    expect(result.source).not.toContain('[v1]');
    expect(result.source).not.toContain('<b>#1');
    expect(result.source).not.toContain('{fast}');
    expect(result.description).toContain(HOSTILE);
  });

  it('fails on an unknown paper id, naming the node and the paper', () => {
    const broken = makeStudy();
    broken.lineage = {
      ...broken.lineage,
      nodes: [...broken.lineage.nodes, { id: 'mystery-node', kind: 'paper', paper: 'nobody2099' }],
    };
    expect(() => lineageDiagram(broken, papers)).toThrow(
      /Lineage node "mystery-node" .* refers to paper "nobody2099", which is not in the bibliography/,
    );
  });

  it('fails on an edge to an unknown node', () => {
    const broken = makeStudy();
    broken.lineage = { ...broken.lineage, edges: [{ from: 'resnet', to: 'alexnet', relation: 'builds-on' }] };
    expect(() => lineageDiagram(broken, papers)).toThrow(/Lineage edge 1 .* goes to "alexnet", which is not a lineage node id/);
  });

  it('is deterministic', () => {
    const again = lineageDiagram(makeStudy(), new Map([...papers].reverse()));
    expect(again).toEqual(spec);
    expect(stepsDiagram(makeStudy())).toEqual(stepsDiagram(makeStudy()));
  });
});

describe('parseMeta', () => {
  it('reads quoted and bare values', () => {
    expect(parseMeta('caption="A \\"quoted\\" caption" id=flow description=\'Text\'')).toEqual({
      caption: 'A "quoted" caption',
      id: 'flow',
      description: 'Text',
    });
    expect(parseMeta(undefined)).toEqual({});
  });
});

const fakeRender = async (sources: string[]): Promise<RenderedDiagram[]> =>
  sources.map((source, index) => ({
    light: `<svg id="l${index}"><text>${source.length}</text></svg>`,
    dark: `<svg id="d${index}"></svg>`,
  }));

async function markdownToHtml(
  markdown: string,
  render: NonNullable<RehypeDiagramsOptions['render']>,
): Promise<{ html: string; file: VFile }> {
  const file = new VFile({ value: markdown, path: path.join(process.cwd(), 'src/content/test.md') });
  const result = await unified()
    .use(remarkParse)
    .use(remarkRehype, { allowDangerousHtml: true })
    .use(rehypeDiagrams, { render })
    .use(rehypeStringify, { allowDangerousHtml: true })
    .process(file);
  return { html: String(result.value), file: result };
}

describe('rehypeDiagrams', () => {
  const markdown = [
    '# Title',
    '',
    '```mermaid caption="Steps & <gaps>" id="flow"',
    'flowchart LR',
    '  a["A <b>"] --> b',
    '```',
    '',
    '```js',
    'let x = 1;',
    '```',
    '',
  ].join('\n');

  it('replaces mermaid blocks with the figure markup', async () => {
    const { html } = await markdownToHtml(markdown, fakeRender);
    expect(html).toContain('<figure class="diagram" id="flow" data-diagram="static">');
    expect(html).toContain(
      '<div class="diagram-svg diagram-light" role="group" aria-label="Steps &#x26; <gaps>" tabindex="0"><svg id="l0">',
    );
    expect(html).toContain(
      '<div class="diagram-svg diagram-dark" role="group" aria-label="Steps &#x26; <gaps>" tabindex="0"><svg id="d0">',
    );
    expect(html).toContain('<figcaption>Steps &#x26; &#x3C;gaps></figcaption>');
    expect(html).toContain(
      '<details class="diagram-text"><summary>Text description</summary><pre class="diagram-source"><code>flowchart LR\n  a["A &#x3C;b>"] --> b\n</code></pre></details>',
    );
    expect(html).toContain('<code class="language-js">');
    expect(html).not.toContain('language-mermaid');
  });

  it('emits the client fallback without Chromium, with a default caption', async () => {
    const { html } = await markdownToHtml('```mermaid\nflowchart LR\n  a --> b\n```\n', async () => null);
    expect(html).toContain('<figure class="diagram" data-diagram="client">');
    expect(html).toContain('<pre class="mermaid">flowchart LR\n  a --> b\n</pre>');
    expect(html).toContain('<figcaption>Diagram</figcaption>');
  });

  it('picks up a block Shiki already highlighted, and warns that its caption is lost', async () => {
    const render = vi.fn(fakeRender);
    const tree = {
      type: 'root' as const,
      children: [
        {
          type: 'element' as const,
          tagName: 'pre',
          properties: { className: ['astro-code'], dataLanguage: 'mermaid' },
          children: [
            {
              type: 'element' as const,
              tagName: 'code',
              properties: {},
              children: [
                {
                  type: 'element' as const,
                  tagName: 'span',
                  properties: { className: ['line'] },
                  children: [{ type: 'text' as const, value: 'flowchart LR' }],
                },
                { type: 'text' as const, value: '\n' },
                {
                  type: 'element' as const,
                  tagName: 'span',
                  properties: { className: ['line'] },
                  children: [{ type: 'text' as const, value: '  a --> b' }],
                },
              ],
            },
          ],
        },
      ],
    };
    const file = new VFile({ path: '/x/page.md' });
    await rehypeDiagrams({ render })(tree, file);
    expect(render).toHaveBeenCalledWith(['flowchart LR\n  a --> b\n'], expect.anything());
    expect(file.messages.map((message) => message.ruleId)).toEqual(['highlighted-mermaid']);
    expect(tree.children[0]).toMatchObject({ tagName: 'figure' });
  });

  it('uses the Diagram component in MDX', async () => {
    const file = new VFile({
      value: `${markdown}\n<Aside>\n\n\`\`\`mermaid\nflowchart TB\n  x --> y\n\`\`\`\n\n</Aside>\n`,
      path: path.join(process.cwd(), 'src/content/studies/test.mdx'),
    });
    const compiled = String(await compile(file, { rehypePlugins: [[rehypeDiagrams, { render: fakeRender }]] }));
    expect(compiled).toContain('import R2pMermaidDiagram from "../../components/Diagram.astro";');
    expect(compiled).toMatch(
      /_jsx\(R2pMermaidDiagram, \{\s*spec: \{\s*"source": "flowchart LR\\n {2}a\[\\"A <b>\\"\] --> b\\n",\s*"caption": "Steps & <gaps>",\s*"description": ""\s*\},\s*rendered: \{\s*"light": "<svg id=\\"l0\\">/,
    );
    expect(compiled).toContain('id: "flow"');
    expect(compiled).toMatch(/spec: \{\s*"source": "flowchart TB\\n {2}x --> y\\n"/);
    expect(compiled).not.toContain('language-mermaid');
  });

  it('passes null to the component without Chromium', async () => {
    const file = new VFile({
      value: '```mermaid\nflowchart LR\n  a --> b\n```\n',
      path: path.join(process.cwd(), 'src/pages/x.mdx'),
    });
    const compiled = String(await compile(file, { rehypePlugins: [[rehypeDiagrams, { render: async () => null }]] }));
    expect(compiled).toContain('import R2pMermaidDiagram from "../components/Diagram.astro";');
    expect(compiled).toMatch(/rendered: null/);
  });
});

describe('render helpers', () => {
  it('finds the source line a parse error points at from its excerpt', () => {
    const source = 'flowchart LR\n  a --> b\n  b[[unclosed\n  c --> d\n';
    const message = "Parse error on line 5:\n...-> b  b[[unclosed\n--------------------^\nExpecting 'SQE', got '1'";
    expect(offendingLine(source, message)).toBe('\n  at source line 3: b[[unclosed');
    expect(offendingLine(source, 'Parse error on line 2: something')).toBe('\n  at source line 2: a --> b');
    expect(offendingLine(source, 'No diagram type detected')).toBe('');
  });

  it('keeps wide diagrams readable: a min-width of MIN_SCALE times the natural width', () => {
    const svg = '<svg id="x" width="100%" style="max-width: 1000.5px;" viewBox="0 0 1000.5 200"></svg>';
    expect(sizeSvg(svg)).toBe(
      `<svg id="x" width="100%" style="max-width: 1000.5px; min-width: ${Math.round(1000.5 * MIN_SCALE)}px;" viewBox="0 0 1000.5 200"></svg>`,
    );
  });
});

describe('renderMermaid without Chromium', () => {
  it('warns once and returns null', async () => {
    await resetRenderer();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const options = { executablePath: null, cache: false };
      expect(await renderMermaid(['flowchart LR\n  a --> b'], options)).toBeNull();
      expect(await renderMermaid(['flowchart LR\n  c --> d'], options)).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('No Chromium found (set R2P_CHROMIUM)');
    } finally {
      warn.mockRestore();
      await resetRenderer();
    }
  });
});

const chromium = findChromium();
const skipBrowser = chromium === null && !process.env.CI;

describe.skipIf(skipBrowser)('renderMermaid with Chromium', () => {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'r2p-mermaid-test-'));
  afterAll(async () => {
    await closeRenderer();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('finds a Chromium (a missing browser fails under CI)', () => {
    expect(chromium).not.toBeNull();
  });

  it('renders a diagram with hostile text in both themes with distinct ids, then serves it from the cache', async () => {
    const hostile = makeStudy();
    hostile.lineage = {
      nodes: [
        { id: 'paper', kind: 'paper', paper: 'hostile' },
        {
          id: 'impl',
          kind: 'implementation',
          label: 'impl <i>x</i>',
          url: 'https://example.org',
          year: 2019,
          framework: 'C++',
        },
      ],
      edges: [{ from: 'impl', to: 'paper', relation: 'implements' }],
    };
    const spec = lineageDiagram(hostile, papers);
    const launches = rendererStats().launches;
    const [result] = (await renderMermaid([spec.source], { cacheDir, labels: [spec.caption] })) ?? [];
    expect(result).toBeDefined();
    const { light, dark } = result as RenderedDiagram;
    const decode = (svg: string) =>
      svg
        .replace(/<desc[\s\S]*?<\/desc>/, '')
        .replace(/<[^>]+>/g, '')
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
    for (const svg of [light, dark]) {
      expect(svg).toMatch(/^<svg /);
      expect(decode(svg)).toContain(HOSTILE);
      expect(decode(svg)).toContain('impl <i>x</i> (2019, C++)');
      expect(decode(svg)).toContain('implements');
    }
    const ids = (svg: string) => [...svg.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1] ?? '');
    const lightIds = ids(light);
    const darkIds = ids(dark);
    expect(lightIds.length).toBeGreaterThan(3);
    expect(lightIds.every((id) => id.includes(lightIds[0] ?? '?'))).toBe(true);
    expect(darkIds.every((id) => id.includes(darkIds[0] ?? '?'))).toBe(true);
    expect(lightIds.filter((id) => darkIds.includes(id))).toEqual([]);
    expect(light).not.toEqual(dark);
    expect(light).toMatch(/style="max-width: [\d.]+px; min-width: \d+px;/);

    const again = await renderMermaid([spec.source, spec.source], { cacheDir });
    expect(again?.[0]).toEqual(result);
    expect(again?.[1]?.light).not.toEqual(light); // the second copy gets its own ids
    expect(again?.[1]?.light.replaceAll(`${lightIds[0]}-2`, lightIds[0] ?? '')).toEqual(light);
    expect(rendererStats().launches - launches).toBeLessThanOrEqual(1);

    // The same source renders to the same SVG every time (no random ids or rough.js jitter).
    const fresh = await renderMermaid([stepsDiagram(makeStudy()).source, spec.source], { cache: false });
    const freshAgain = await renderMermaid([spec.source, stepsDiagram(makeStudy()).source], { cache: false });
    expect(freshAgain?.[1]).toEqual(fresh?.[0]);
    expect(freshAgain?.[0]).toEqual(result);
  }, 120_000);

  it('fails with a message that names the diagram and the offending line', async () => {
    const broken = 'flowchart LR\n  a --> b\n  b[[unclosed\n';
    await expect(renderMermaid([broken], { cacheDir, labels: ['the diagram "Broken"'] })).rejects.toThrow(
      /Mermaid could not render the diagram "Broken": Parse error on line \d+[\s\S]*at source line 3: b\[\[unclosed/,
    );
  }, 60_000);

  it('prerenders ahead: a later or concurrent renderMermaid() waits for it instead of drawing again', async () => {
    const sources = [stepsDiagram(makeStudy()).source.replace('End users', 'Prerendered users'), 'flowchart LR\n  ahead --> of-time\n'];
    const before = rendererStats();
    const ahead = prerenderMermaid(sources, { cacheDir });
    // Asked while the prerender is under way: waits for the same SVGs.
    const during = await renderMermaid(sources, { cacheDir });
    expect(await ahead).toBe(4);
    const after = rendererStats();
    expect(after.prerendered - before.prerendered).toBe(4);
    expect(after.rendered - before.rendered).toBe(0);
    expect(during?.[1]?.light).toContain('of-time');
    // Everything is cached now: a second prerender has nothing to do.
    expect(await prerenderMermaid(sources, { cacheDir })).toBe(0);
    expect(await renderMermaid(sources, { cacheDir })).toEqual(during);
  }, 120_000);

  it('leaves a broken diagram to the caller, whose error names it', async () => {
    const broken = 'flowchart LR\n  x --> y\n  y[[still unclosed\n';
    expect(await prerenderMermaid([broken, 'flowchart LR\n  fine --> too\n'], { cacheDir })).toBe(2);
    await expect(renderMermaid([broken], { cacheDir, labels: ['the diagram "Broken ahead"'] })).rejects.toThrow(
      /Mermaid could not render the diagram "Broken ahead"[\s\S]*at source line 3: y\[\[still unclosed/,
    );
  }, 60_000);

  it("renders authors' blocks through the rehype plugin", async () => {
    const file = new VFile({
      value: '```mermaid caption="Tiny"\nflowchart LR\n  alpha --> beta\n```\n',
      path: path.join(process.cwd(), 'src/content/tiny.md'),
    });
    const result = await unified()
      .use(remarkParse)
      .use(remarkRehype)
      .use(rehypeDiagrams, { render: (sources, options) => renderMermaid(sources, { ...options, cacheDir }) })
      .use(rehypeStringify, { allowDangerousHtml: true })
      .process(file);
    const html = String(result.value);
    expect(html).toMatch(/<div class="diagram-svg diagram-light"[^>]*><svg id="r2p-[0-9a-f]{10}-l"/);
    expect(html).toMatch(/<div class="diagram-svg diagram-dark"[^>]*><svg id="r2p-[0-9a-f]{10}-d"/);
    expect(html).toContain('alpha');
    expect(html).toContain('<figcaption>Tiny</figcaption>');
  }, 60_000);
});
