/**
 * A build of a study with deliberate mistakes fails with one readable line per problem: file,
 * field path, what was expected and what was found. Runs the real `astro build` against the
 * fixture folder (it stops at validation, before rendering anything).
 */
import { spawnSync } from 'node:child_process';
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
