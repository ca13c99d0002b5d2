/**
 * The pure checks behind `npm run check` (src/tooling/checks/*.ts): internal links and anchors on
 * small HTML fixtures, drafts and TODOs in studies, model files in git, and the report.
 */
import { describe, expect, it } from 'vitest';
import { checkCommittedFiles, extensionOf, MAX_FILE_BYTES, parseGitFileList } from '../../src/tooling/checks/committed-files.ts';
import { checkSiteLinks, extractPage, formatLinkProblems, resolveFile, servedPath, srcsetUrls } from '../../src/tooling/checks/links.ts';
import { checkPublishable, formatPublishProblems, studyStatus, todoLines } from '../../src/tooling/checks/publish.ts';
import { exitCodeFor, formatResultLine, formatSummary, type StepResult } from '../../src/tooling/checks/report.ts';

const page = (body: string, head = '') => `<!doctype html><html><head><title>t</title>${head}</head><body>${body}</body></html>`;

/** A tiny built site: home, a study with anchors, the papers page, a stylesheet and an image. */
function site(overrides: Record<string, string> = {}) {
  const pages: Record<string, string> = {
    'index.html': page(
      '<a href="/studies/resnet/">study</a> <a href="/studies/resnet/#lineage">lineage</a> <a href="papers/#he2016">paper</a>',
      '<link rel="stylesheet" href="/_astro/site.css"><link rel="canonical" href="https://r2p.example/">',
    ),
    'studies/resnet/index.html': page(
      '<h2 id="lineage">Lineage</h2><a href="#lineage">here</a><a href="#top">top</a><a href="#">nothing</a>' +
        '<img src="../../samples/cat.png" srcset="/samples/cat.png 1x, /samples/cat@2x.png 2x" alt="">' +
        '<a href="https://arxiv.org/abs/1512.03385#missing">external</a><a href="mailto:a@b.c">mail</a>' +
        '<a href="/studies/resnet/references.bib">bib</a><a name="legacy"></a><a href="#legacy">legacy</a>' +
        '<svg><use href="#icon"></use><symbol id="icon"></symbol></svg>',
    ),
    'papers/index.html': page('<ol><li id="he2016">He et al.</li></ol><a href="/">home</a><a href="/papers">self without slash</a>'),
    ...overrides,
  };
  const files = [...Object.keys(pages), '_astro/site.css', 'samples/cat.png', 'samples/cat@2x.png', 'studies/resnet/references.bib'];
  return { files, pages: new Map(Object.entries(pages)) };
}

const ORIGINS = { origins: ['https://r2p.example'] };

describe('link and anchor check', () => {
  it('accepts a site whose links and anchors all resolve', () => {
    const { files, pages } = site();
    expect(checkSiteLinks(files, pages, ORIGINS)).toEqual([]);
  });

  it('reports a broken anchor on another page, naming the page, the link and the missing id', () => {
    const { files, pages } = site({ 'roles/index.html': page('<a href="/papers/#he2017">a paper</a>') });
    expect(checkSiteLinks([...files, 'roles/index.html'], pages, ORIGINS)).toEqual([
      { page: 'roles/index.html', link: 'a[href]="/papers/#he2017"', message: 'has no element with id "he2017" on papers/index.html' },
    ]);
  });

  it('reports a broken anchor on the same page', () => {
    const { files, pages } = site({ 'about/index.html': page('<h2 id="intro">Intro</h2><a href="#introduction">Intro</a>') });
    const problems = checkSiteLinks([...files, 'about/index.html'], pages, ORIGINS);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe('has no element with id "introduction" on this page');
  });

  it('reports links and resources that point to no built file, including same-origin absolute URLs', () => {
    const { files, pages } = site({
      'about/index.html': page(
        '<a href="/speakers/">speakers</a><img src="missing.png" alt=""><script src="/_astro/gone.js"></script>',
        '<meta property="og:image" content="https://r2p.example/og/about.png"><link rel="alternate" href="/rss.xml">',
      ),
    });
    const problems = checkSiteLinks([...files, 'about/index.html'], pages, ORIGINS);
    expect(problems.map((problem) => problem.link).sort()).toEqual([
      'a[href]="/speakers/"',
      'img[src]="missing.png"',
      'link[href]="/rss.xml"',
      'meta[og:image]="https://r2p.example/og/about.png"',
      'script[src]="/_astro/gone.js"',
    ]);
    expect(problems.find((problem) => problem.link.startsWith('img'))?.message).toBe(
      'points to /about/missing.png, which is not a built file',
    );
  });

  it('ignores other origins and non-web schemes, and checks srcset candidates', () => {
    const { files, pages } = site({
      'x/index.html': page(
        '<a href="https://example.com/nope#x">x</a><a href="//cdn.example.com/a.js">cdn</a><a href="javascript:void(0)">js</a>' +
          '<a href="tel:123">tel</a><img src="data:image/png;base64,AAAA" srcset="/samples/cat.png 1x, /samples/dog.png 2x" alt="">',
      ),
    });
    const problems = checkSiteLinks([...files, 'x/index.html'], pages, ORIGINS);
    expect(problems).toEqual([
      { page: 'x/index.html', link: 'img[srcset]="/samples/dog.png"', message: expect.stringMatching(/not a built file/) },
    ]);
  });

  it('decodes percent-encoded paths and fragments, and honours <base href>', () => {
    const { files, pages } = site({
      'a b/index.html': page('<h2 id="é">e</h2><a href="#%C3%A9">e</a>'),
      'y/index.html': page('<a href="/a%20b/#%C3%A9">encoded</a><a href="studies/resnet/#lineage">based</a>', '<base href="/">'),
    });
    expect(checkSiteLinks([...files, 'a b/index.html', 'y/index.html'], pages, ORIGINS)).toEqual([]);
  });

  it('respects a base path', () => {
    const pages = new Map([
      ['index.html', page('<a href="/r2p/papers/">in</a><a href="/elsewhere/">out</a>')],
      ['papers/index.html', page('')],
    ]);
    const problems = checkSiteLinks(['index.html', 'papers/index.html'], pages, { base: '/r2p/' });
    expect(problems.map((problem) => problem.message)).toEqual(["points outside the site's base path /r2p/"]);
  });

  it('groups a broken link that appears on many pages', () => {
    const problems = ['a', 'b', 'c', 'd', 'e'].map((name) => ({
      page: `${name}/index.html`,
      link: 'a[href]="/rss.xml"',
      message: 'points to /rss.xml, which is not a built file',
    }));
    expect(formatLinkProblems(problems)).toEqual([
      'a[href]="/rss.xml" points to /rss.xml, which is not a built file (on a/index.html, b/index.html, c/index.html and 2 more pages)',
    ]);
  });

  it('maps files to URLs and URLs to files', () => {
    expect(servedPath('index.html')).toBe('/');
    expect(servedPath('studies/resnet/index.html')).toBe('/studies/resnet/');
    expect(servedPath('404.html')).toBe('/404.html');
    const files = new Set(['index.html', 'papers/index.html', 'rss.xml', 'about.html']);
    expect(resolveFile('/', files)).toBe('index.html');
    expect(resolveFile('/papers/', files)).toBe('papers/index.html');
    expect(resolveFile('/papers', files)).toBe('papers/index.html');
    expect(resolveFile('/about', files)).toBe('about.html');
    expect(resolveFile('/rss.xml', files)).toBe('rss.xml');
    expect(resolveFile('/speakers/', files)).toBeNull();
  });

  it('extracts ids and links, including template content and srcset', () => {
    const info = extractPage(page('<template><a href="/t/" id="in-template">t</a></template><p id="p">x</p>'));
    expect([...info.ids].sort()).toEqual(['in-template', 'p']);
    expect(info.links).toEqual([{ where: 'a[href]', url: '/t/' }]);
    expect(srcsetUrls('a.png 1x, b.png 480w,c.png')).toEqual(['a.png', 'b.png', 'c.png']);
  });
});

const study = (status: string, extra = '') => `---\ntitle: A study\nstatus: ${status}\n---\n\n## Introduction\n\nText.${extra}\n`;

describe('publish check: drafts and TODOs', () => {
  it('accepts a finished, published study', () => {
    expect(checkPublishable([{ file: 'a.mdx', source: study('published') }])).toEqual([]);
  });

  it('refuses a draft, naming the line of its status', () => {
    const problems = checkPublishable([{ file: 'a.mdx', source: study('draft') }]);
    expect(problems).toEqual([{ file: 'a.mdx', line: 3, message: expect.stringMatching(/status is draft.*set status: published/) }]);
    expect(formatPublishProblems(problems)[0]).toMatch(/^a\.mdx:3: status is draft/);
  });

  it('refuses TODO text in a published study, with line numbers, and caps the list', () => {
    const source = study('published', '\n\nTODO: one\n\nTODO two\n' + 'TODO\n'.repeat(10));
    const problems = checkPublishable([{ file: 'a.mdx', source }], { maxTodoLines: 2 });
    expect(problems.map((problem) => problem.line)).toEqual([10, 12, undefined]);
    expect(problems[0]?.message).toBe('TODO left in the study: TODO: one');
    expect(problems[2]?.message).toBe('and 10 more lines with TODO');
  });

  it('does not flag "todo" in prose or words that contain it', () => {
    expect(todoLines('a to-do list\nTODOS\nmastodon\ntodo')).toEqual([]);
    expect(todoLines('x\n  url: https://example.org/TODO')).toEqual([{ line: 2, text: 'url: https://example.org/TODO' }]);
  });

  it('skips drafts entirely when drafts are allowed', () => {
    const studies = [
      { file: 'draft.mdx', source: study('draft', '\nTODO') },
      { file: 'done.mdx', source: study('published', '\nTODO') },
    ];
    expect(checkPublishable(studies, { allowDrafts: true }).map((problem) => problem.file)).toEqual(['done.mdx']);
  });

  it('reads the status even from broken YAML', () => {
    expect(studyStatus(study('draft'))).toBe('draft');
    expect(studyStatus('---\ntitle: [unclosed\nstatus: draft\n---\n')).toBe('draft');
    expect(studyStatus('no frontmatter')).toBeUndefined();
  });
});

describe('committed files check', () => {
  it('refuses model and weight files by extension, whatever the case', () => {
    const files = ['a.onnx', 'b.ORT', 'c.pb', 'd.pt', 'e.pth', 'f.h5', 'g.npy', 'h.bin', 'i.tflite', 'j.safetensors'].map((path) => ({
      path: `models/${path}`,
      bytes: 10,
    }));
    expect(checkCommittedFiles(files).map((problem) => problem.path)).toEqual(files.map((file) => file.path));
    expect(checkCommittedFiles([{ path: 'x.onnx', bytes: 10 }])[0]?.message).toMatch(/model or weight file \(\.onnx\).*npm run models/);
  });

  it('refuses files over 5 MB and anything in installed folders', () => {
    const problems = checkCommittedFiles([
      { path: 'public/samples/huge.png', bytes: MAX_FILE_BYTES + 1 },
      { path: 'public/samples/ok.png', bytes: MAX_FILE_BYTES },
      { path: 'public/models/labels/imagenet.txt', bytes: 100 },
    ]);
    expect(problems.map((problem) => problem.path)).toEqual(['public/samples/huge.png', 'public/models/labels/imagenet.txt']);
    expect(problems[0]?.message).toMatch(/5\.0 MB, over the 5\.0 MB limit/);
    expect(problems[1]?.message).toMatch(/in public\/models\//);
  });

  it('accepts ordinary source files, and files deleted from the working tree', () => {
    const files = [
      'src/models/catalog.ts',
      'README.md',
      'public/samples/cat.png',
      'package-lock.json',
      'binary.txt',
      'onnx.md',
      '.bin',
    ].map((path) => ({ path, bytes: 1000 }));
    expect(checkCommittedFiles([...files, { path: 'gone.txt', bytes: null }])).toEqual([]);
  });

  it('parses git ls-files -z output and extensions', () => {
    expect(parseGitFileList('a.ts\0dir/b c.onnx\0')).toEqual(['a.ts', 'dir/b c.onnx']);
    expect(extensionOf('dir.v2/model.ONNX')).toBe('.onnx');
    expect(extensionOf('dir.v2/Makefile')).toBe('');
    expect(extensionOf('.gitignore')).toBe('');
  });
});

describe('check report', () => {
  const result = (key: string, status: StepResult['status']): StepResult => ({
    key,
    letter: 'a',
    title: key,
    command: key,
    status,
    seconds: 1.25,
    note: `${key} note`,
  });

  it('passes only when no step failed; skipped steps do not fail', () => {
    expect(exitCodeFor([result('lint', 'pass'), result('links', 'skip')])).toBe(0);
    expect(exitCodeFor([result('lint', 'pass'), result('format', 'fail')])).toBe(1);
  });

  it('prints a pass/fail line and a summary that names the failed steps', () => {
    expect(formatResultLine(result('lint', 'fail'))).toBe('FAIL (a) lint in 1.3 s: lint note');
    const summary = formatSummary([result('types', 'pass'), result('lint', 'fail'), result('links', 'skip')]);
    expect(summary).toMatch(/PASS {2}\(a\) types/);
    expect(summary).toMatch(/1 of 2 checks failed: lint \(1 skipped: links\)/);
    expect(formatSummary([result('types', 'pass')])).toMatch(/All 1 checks passed\./);
  });
});
