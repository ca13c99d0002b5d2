/**
 * npm run bench [-- --quick] [-- --only=coldstart,threads,face-descriptor,classifier,mtcnn,facenet,scaling,teach] [-- --reuse-build] [-- --no-write]
 *
 * Builds the site, serves it twice (with and without cross-origin isolation), launches the
 * system Chromium with WebGPU, runs every benchmark section, prints the figures, and writes
 * src/data/benchmarks.json for the /performance/ page with the machine it ran on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { startStaticServer } from '../static-server.ts';
import { launchChromium, requireChromium } from '../../tests/helpers/browser.ts';
import type { BenchContext, BenchModule, BenchRow, BenchSection } from './types.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const only = args
  .find((arg) => arg.startsWith('--only='))
  ?.slice(7)
  .split(',');
const quick = flag('--quick');
const root = process.cwd();
const distDir = resolve(root, process.env.R2P_OUT_DIR ?? 'dist');

const SECTIONS: Record<string, string> = {
  coldstart: './coldstart.ts',
  threads: './threads.ts',
  'face-descriptor': './face-descriptor.ts',
  classifier: './classifier.ts',
  mtcnn: './mtcnn.ts',
  facenet: './facenet.ts',
  scaling: './scaling.ts',
  variants: './variants.ts',
  lighthouse: './lighthouse.ts',
  teach: './teach.ts',
};

function packageVersion(name: string): string {
  try {
    const require = createRequire(join(root, 'package.json'));
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    try {
      const require = createRequire(join(root, 'package.json'));
      let dir = require.resolve(name);
      while (!existsSync(join(dir, 'package.json'))) dir = join(dir, '..');
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  }
}

function format(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function printSection(section: BenchSection): void {
  console.log(`\n## ${section.title}`);
  const header = ['model', 'backend', 'threads', 'metric', 'session med', 'first med', 'warm med', 'warm p95', 'runs', 'ratio'];
  const lines = section.rows.map((row: BenchRow) => [
    row.model,
    row.backend,
    row.threads === null ? '—' : String(row.threads),
    row.metric,
    format(row.session?.median),
    format(row.first?.median ?? row.coldMs),
    format(row.warmMedianMs),
    format(row.warmP95Ms),
    String(row.runs),
    row.ratio ? `${row.ratio.value.toFixed(2)}x vs ${row.ratio.to}` : '—',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const print = (cells: string[]) => console.log(cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  print(header);
  lines.forEach(print);
  for (const note of section.notes) console.log(`- ${note}`);
}

if (!requireChromium()) throw new Error('The benchmarks need Chromium (set R2P_CHROMIUM).');
if (!flag('--reuse-build') || !existsSync(join(distDir, 'index.html'))) {
  console.log('bench: building the site ...');
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
// Other work on the machine slows every figure: record the load, and the page shows it.
const loadAtStart = loadavg()[0]!;
const isolated = await startStaticServer(distDir);
const plain = await startStaticServer(distDir, { isolated: false });
const browser = await launchChromium();
const context: BenchContext = {
  baseUrl: isolated.url,
  plainBaseUrl: plain.url,
  browser,
  quick,
  log: (line) => console.log(line),
};

const sections: BenchSection[] = [];
try {
  for (const [id, path] of Object.entries(SECTIONS)) {
    if (only && !only.includes(id)) continue;
    if (!existsSync(new URL(path, import.meta.url))) {
      sections.push({ id, title: id, rows: [], notes: ['Not measured: this benchmark section is not implemented yet.'] });
      continue;
    }
    console.log(`\nbench: ${id} ...`);
    const started = performance.now();
    try {
      const module = (await import(path)) as { default: BenchModule };
      const load = loadavg()[0]!;
      const section = await module.default(context);
      section.measuredAt = new Date().toISOString();
      section.loadAverage = Number(Math.max(load, loadavg()[0]!).toFixed(1));
      sections.push(section);
      printSection(section);
    } catch (error) {
      console.error(`bench: ${id} failed: ${(error as Error).stack ?? error}`);
      sections.push({ id, title: id, rows: [], notes: [`Not measured: the run failed (${(error as Error).message.split('\n')[0]}).`] });
    }
    console.log(`bench: ${id} took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
} finally {
  await browser.close();
  await isolated.close();
  await plain.close();
}

const cpu = cpus()[0];
const report = {
  measuredAt: new Date().toISOString(),
  quick,
  machine: {
    cpu: cpu?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeMemoryGiB: Math.round(freemem() / 2 ** 30),
    loadAverage: `${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end (1-minute; above the core count means a loaded machine)`,
    os: `${platform()} ${release()}`,
    node: process.version,
    chromium: browser.version(),
    gpu: 'none (WebGPU through SwiftShader, software)',
    onnxruntimeWeb: packageVersion('onnxruntime-web'),
    onnxruntimeNode: packageVersion('onnxruntime-node'),
  },
  sections,
};
if (!flag('--no-write')) {
  // Merge with sections measured earlier when only some were run this time.
  const file = join(root, 'src/data/benchmarks.json');
  if (only && existsSync(file)) {
    const previous = JSON.parse(readFileSync(file, 'utf8')) as typeof report;
    report.sections = [...previous.sections.filter((section) => !only.includes(section.id)), ...sections];
  }
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nbench: wrote ${file}`);
}
