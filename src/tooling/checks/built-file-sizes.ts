/**
 * Built files a static host would refuse. Hosts cap the size of a single file (Cloudflare Pages:
 * 25 MiB; GitHub Pages: 100 MB; Netlify and Vercel: larger), so `npm run check` lists every
 * built file over a per-file limit, 25 MiB unless `--max-file-size` or R2P_MAX_FILE_SIZE says
 * otherwise. Pure: the caller lists the build.
 */

/** 25 MiB, Cloudflare Pages' per-file cap: the strictest of the common static hosts. */
export const DEFAULT_MAX_BUILT_FILE_BYTES = 25 * 1024 * 1024;

export interface BuiltFile {
  /** Path relative to the build folder, "/" separators. */
  path: string;
  bytes: number;
}

/** Parse a size such as "25MiB", "100MB", "26214400" or "1.5 GiB" into bytes. */
export function parseByteSize(text: string): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i);
  if (!match) throw new Error(`"${text}" is not a size: write a number of bytes, or a number with B, KB, KiB, MB, MiB, GB or GiB`);
  const units: Record<string, number> = { b: 1, kb: 1e3, kib: 2 ** 10, mb: 1e6, mib: 2 ** 20, gb: 1e9, gib: 2 ** 30 };
  return Math.round(Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]!);
}

/** Files over the limit, largest first. */
export function oversizedFiles(files: readonly BuiltFile[], limit = DEFAULT_MAX_BUILT_FILE_BYTES): BuiltFile[] {
  return files.filter((file) => file.bytes > limit).sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
}

/** A readable size: MiB when at least 1 MiB, else KiB or bytes. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** One line per oversized file, with a hint for the files the project knows how to shrink. */
export function formatOversizedFiles(files: readonly BuiltFile[], limit: number): string[] {
  return files.map((file) => {
    const hint = file.path.startsWith('models/')
      ? ' (a model: run "npm run models" so it is installed in parts, which the build serves instead)'
      : file.path.endsWith('.wasm')
        ? ' (a WebAssembly runtime: serve a smaller onnxruntime-web build)'
        : '';
    return `${file.path}: ${formatBytes(file.bytes)}, over the ${formatBytes(limit)} limit by ${formatBytes(file.bytes - limit)}${hint}`;
  });
}
