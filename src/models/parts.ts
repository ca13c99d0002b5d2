/**
 * Model files larger than a static host accepts are served in parts. Cloudflare Pages refuses
 * files over 25 MiB, so every pinned file larger than MODEL_PART_BYTES is also installed as
 * consecutive parts of at most that size, the build serves the parts instead of the whole file,
 * and the browser fetches the parts, joins them and verifies the whole file's sha256 from the
 * catalog as for any other model. The part size is fixed (not the check's configurable limit)
 * so that every build of the catalog names the same parts.
 *
 * Pure and browser-safe: the installer, the build integration and the runtime all use it.
 */
import type { ModelEntry } from './catalog.ts';

/** 25 MiB: the smallest per-file cap among common static hosts (Cloudflare Pages). */
export const MODEL_PART_BYTES = 25 * 1024 * 1024;

/** Whether this entry is served in parts (only files with a pinned size can be). */
export function isServedInParts(entry: Pick<ModelEntry, 'bytes'>, partBytes = MODEL_PART_BYTES): boolean {
  return entry.bytes !== null && entry.bytes > partBytes;
}

export interface ModelPart {
  /** Path below the models folder, e.g. "resnet50-keras/resnet50-imagenet.onnx.part-1-of-4". */
  file: string;
  /** Byte range of the whole file this part holds: [start, end). */
  start: number;
  end: number;
}

/** The parts of an entry, in order (empty when it is served whole). */
export function modelParts(entry: Pick<ModelEntry, 'bytes' | 'file'>, partBytes = MODEL_PART_BYTES): ModelPart[] {
  if (!isServedInParts(entry, partBytes)) return [];
  const total = entry.bytes!;
  const count = Math.ceil(total / partBytes);
  return Array.from({ length: count }, (_, i) => ({
    file: `${entry.file}.part-${i + 1}-of-${count}`,
    start: i * partBytes,
    end: Math.min(total, (i + 1) * partBytes),
  }));
}

/** URL of each part, with the whole file's pin in the query (as the whole file's URL has). */
export function partRequestUrls(entry: ModelEntry, baseUrl: string): string[] {
  return modelParts(entry).map((part) => {
    const url = new URL(`models/${part.file}`, baseUrl);
    url.searchParams.set('sha256', entry.sha256);
    return url.href;
  });
}

/**
 * Fetch every part and answer as if the whole file had been fetched: a Response whose body
 * streams the parts in order and whose content-length is the whole size. When the first part
 * fails, its own response comes back (a 404 then reads as "not installed"); a later failure
 * errors the stream with a message naming the part. The caller verifies the whole sha256.
 */
export async function fetchInParts(entry: ModelEntry, baseUrl: string, fetchImpl: typeof fetch = fetch): Promise<Response> {
  const urls = partRequestUrls(entry, baseUrl);
  const first = await fetchImpl(urls[0]!);
  if (!first.ok || !first.body) return first;
  let index = 0;
  let reader = first.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (!done) {
          controller.enqueue(value);
          return;
        }
        index++;
        if (index === urls.length) {
          controller.close();
          return;
        }
        const next = await fetchImpl(urls[index]!);
        if (!next.ok || !next.body) {
          controller.error(new Error(`part ${index + 1} of ${urls.length} of ${entry.id} (${urls[index]}) answered HTTP ${next.status}`));
          return;
        }
        reader = next.body.getReader();
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-length': String(entry.bytes), 'content-type': 'application/octet-stream' },
  });
}
