/**
 * A build of a study with deliberate mistakes fails with one readable line per problem: file,
 * field path, what was expected and what was found. Runs the real `astro build` against the
 * fixture folder (it stops at validation, before rendering anything), and the real
 * `npm run check -- --content` against the contributor-mistake fixtures and a stand-in study.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('astro build of malformed studies', () => {
  it('exits non-zero and names every file, field and expectation', () => {
    const result = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
      env: {
        ...process.env,
        R2P_STUDIES_DIR: 'tests/fixtures/bad-studies',
        R2P_PAPERS_FILE: 'tests/fixtures/papers.yaml',
        R2P_OUT_DIR: 'node_modules/.cache/r2p-bad-build',
        R2P_CACHE_DIR: 'node_modules/.cache/r2p-bad-build-cache',
      },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status).not.toBe(0);
    expect(output).toContain('r2p content check: 12 problems');
    expect(output).toMatch(
      /tests\/fixtures\/bad-studies\/unknown-role\.mdx: step 3 \(steps\[2\]\.role\): expected one of "scientist", .*found "data-wizard"/,
    );
    expect(output).toMatch(/bad-url\.mdx: step 3 \(steps\[2\]\.artifacts\[0\]\.url\): expected an absolute http\(s\) URL/);
    expect(output).toMatch(
      /wrong-date\.mdx: step 2 \(steps\[1\]\.artifacts\[0\]\.date\): expected a date written as YYYY, YYYY-MM or YYYY-MM-DD, found "December 2015"/,
    );
    expect(output).toMatch(/unknown-paper\.mdx: lineage\.nodes\[0\]\.paper: expected a paper id/);
    expect(output).toMatch(/missing-step\.mdx: step 3 \(steps\[2\]\.id\): expected step 3 to be "production-implementation"/);
    expect(output).toMatch(/steps-out-of-order\.mdx: step 2 \(steps\[1\]\.id\): expected step 2 to be "paper-and-initial-implementation"/);
    expect(output).toMatch(
      /unknown-sample\.mdx: demo\.samples\[1\]: expected the name of a sample image in public\/samples\/ .*found "unicorn"/,
    );
  });
});

/** Run `npm run check -- <args>` (the real script) against a studies folder. */
function runCheck(args: string[], studiesDir: string, papersFile: string) {
  const result = spawnSync(process.execPath, ['scripts/check.ts', ...args], {
    env: { ...process.env, R2P_STUDIES_DIR: studiesDir, R2P_PAPERS_FILE: papersFile },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('npm run check -- --content', () => {
  it('fails each contributor mistake with the source file, the field or line, and the fix', () => {
    const dir = 'tests/fixtures/contributor-mistakes';
    const { status, output } = runCheck(['--content'], dir, 'tests/fixtures/papers.yaml');
    expect(status).not.toBe(0);
    const names = readdirSync(dir).filter((name) => name.endsWith('.mdx'));
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const name of names) expect(output, name).toContain(`${dir}/${name}`);
    expect(output).toMatch(/missing-image\.mdx:\d+: image "\.\/residual-block\.png" not found next to the study/);
    expect(output).toMatch(/missing-public-image\.mdx:\d+: image "\/images\/fixture-net\/roles\.png" not found/);
    expect(output).toMatch(/impossible-date\.mdx: updated: expected a day that exists in that month .*found "2026-02-30"/);
    expect(output).toMatch(/missing-data-facts\.mdx: dataFacts: the dataFacts block is missing; it needs transforms/);
    expect(output).toMatch(/stray-brace\.mdx:\d+: a literal "\{" in prose starts an MDX expression.*&#123;/);
    expect(output).toMatch(/step-id-typo\.mdx: step 3 \(steps\[2\]\.id\): .*did you mean "production-implementation"\?/);
    expect(output).toMatch(/demo-twice\.mdx:\d+: <Demo \/> is used 2 times/);
    expect(output).toMatch(/missing-data-section\.mdx: body: missing heading "## The data"/);
    expect(output).toMatch(/unknown-sample\.mdx: demo\.samples\[1\]: .*found "kitten"/);
    expect(output).toMatch(/stand-in-for-another-model\.mdx: demo\.standIns\[0\]\.for: expected this study's model\.name "FixtureNet"/);
    // The build stops at the same validation, before any bundler or manifest stack trace.
    expect(output).not.toMatch(/UNRESOLVED_IMPORT|at .*\.ts:\d+:\d+\)/);
    expect(output).toMatch(/FAIL\s+\(e\) Build and internal links/);
  });
});

const STAND_IN_MODEL = 'public/models/resnet50-keras/resnet50-imagenet.onnx';

describe.runIf(existsSync(STAND_IN_MODEL) || process.env.CI === 'true')('a study that reuses a model as a stand-in for another', () => {
  it('publishes with its own stand-in line and no second catalog entry', () => {
    const { status, output } = runCheck(['--content', '--keep-build'], 'tests/fixtures/stand-in-study', 'src/content/papers.yaml');
    const kept = /Build kept in (\S+)/.exec(output)?.[1];
    try {
      expect(status, output.slice(-3000)).toBe(0);
      expect(kept).toBeTruthy();
      const page = readFileSync(join(kept!, 'studies', 'vgg-16', 'index.html'), 'utf8');
      const notice = /<details[^>]*data-stand-in="resnet50-keras-imagenet"[^>]*>([\s\S]*?)<\/details>/.exec(page)?.[1] ?? '';
      expect(notice).toMatch(/This is not VGG-16[ .]/);
      expect(notice).toMatch(/ResNet-50 runs in its place\./);
      expect(notice).toContain('no VGG-16 file is in the catalog');
      expect(notice).not.toMatch(/ResNet-34/);
      // --content builds drafts too, so a work in progress gets its page and links checked.
      expect(existsSync(join(kept!, 'studies', 'draft-net', 'index.html'))).toBe(true);
      // A figure next to the study (./vgg-16/blocks.png) is built into the page and served.
      const figure =
        /<img[^>]*src="([^"]+)"[^>]*alt="Three blocks of 3x3 convolutions/.exec(page) ??
        /<img[^>]*alt="Three blocks of 3x3 convolutions[^>]*src="([^"]+)"/.exec(page);
      expect(figure?.[1]).toBeTruthy();
      expect(existsSync(join(kept!, decodeURIComponent(figure![1]!.split('?')[0]!)))).toBe(true);
      const catalog = readFileSync(join(kept!, 'catalog', 'index.html'), 'utf8');
      expect(catalog.match(/<section[^>]*id="resnet50-keras-imagenet"/g)).toHaveLength(1);
      // Booleans, so a failure does not print the whole page.
      expect(/Stands in for VGG-16 in the <a href="\/studies\/vgg-16\/"[^>]*>/.test(catalog)).toBe(true);
      expect(/Stands in for ResNet-34/.test(catalog)).toBe(false);
    } finally {
      if (kept) rmSync(kept, { recursive: true, force: true });
    }
  });
});

describe('npm run check -- --allow-drafts', () => {
  it('says how many drafts it skipped instead of "none a draft"', () => {
    const { status, output } = runCheck(
      ['--only', 'publish', '--allow-drafts'],
      'tests/fixtures/good-studies',
      'tests/fixtures/papers.yaml',
    );
    expect(status, output).toBe(0);
    expect(output).toMatch(/1 study, 1 draft skipped \(--allow-drafts\), no TODO in the published ones/);
    expect(output).not.toMatch(/none a draft/);
  });
});
