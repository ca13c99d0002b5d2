/**
 * Large models served in parts (src/models/parts.ts), the runtime joining them
 * (fetchModel in src/inference/runtime/model-fetch.ts), and the built-file size check
 * (src/tooling/checks/built-file-sizes.ts).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getModel, MODEL_CATALOG, type ModelEntry } from '../../src/models/catalog.ts';
import { isServedInParts, MODEL_PART_BYTES, modelParts, partRequestUrls } from '../../src/models/parts.ts';
import { fetchModel } from '../../src/inference/runtime/model-fetch.ts';
import {
  DEFAULT_MAX_BUILT_FILE_BYTES,
  formatOversizedFiles,
  oversizedFiles,
  parseByteSize,
} from '../../src/tooling/checks/built-file-sizes.ts';

const BASE = 'https://r2p.test/';

describe('model parts', () => {
  it('splits a pinned file over 25 MiB into consecutive parts of at most 25 MiB', () => {
    const resnet = getModel('resnet50-keras-imagenet');
    const parts = modelParts(resnet);
    expect(parts.map((part) => part.file)).toEqual([1, 2, 3, 4].map((i) => `resnet50-keras/resnet50-imagenet.onnx.part-${i}-of-4`));
    expect(parts[0]!.start).toBe(0);
    parts.forEach((part, i) => {
      expect(part.end - part.start).toBeLessThanOrEqual(MODEL_PART_BYTES);
      if (i > 0) expect(part.start).toBe(parts[i - 1]!.end);
    });
    expect(parts.at(-1)!.end).toBe(resnet.bytes);
  });

  it('serves whole every file at most 25 MiB and every file of unpinned size', () => {
    expect(isServedInParts(getModel('dlib-face-resnet-v1'))).toBe(false);
    expect(isServedInParts(getModel('facenet512'))).toBe(false); // bytes null
    expect(modelParts({ bytes: MODEL_PART_BYTES, file: 'x' })).toEqual([]);
    expect(modelParts({ bytes: MODEL_PART_BYTES + 1, file: 'x' })).toHaveLength(2);
  });

  it('every default-sized catalog variant that the demos default to is served whole', () => {
    for (const entry of MODEL_CATALOG.filter((candidate) => candidate.variant?.kind === 'int8'))
      expect(isServedInParts(entry), entry.id).toBe(false);
  });

  it('puts the whole file pin in every part URL', () => {
    const resnet = getModel('resnet50-keras-imagenet');
    expect(partRequestUrls(resnet, BASE)[1]).toBe(
      `${BASE}models/resnet50-keras/resnet50-imagenet.onnx.part-2-of-4?sha256=${resnet.sha256}`,
    );
  });

  it('fetchModel fetches a file over 25 MiB in parts and verifies the whole sha256', async () => {
    const bytes = MODEL_PART_BYTES + 10;
    const content = new Uint8Array(bytes).fill(3);
    const entry: ModelEntry = {
      ...getModel('mtcnn-pnet'),
      id: 'big',
      file: 'big.onnx',
      bytes,
      sha256: createHash('sha256').update(content).digest('hex'),
    };
    const requested: string[] = [];
    const fetchImpl = (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      requested.push(url.pathname);
      if (url.pathname.endsWith('part-1-of-2')) return new Response(content.slice(0, MODEL_PART_BYTES));
      if (url.pathname.endsWith('part-2-of-2')) return new Response(content.slice(MODEL_PART_BYTES));
      return new Response('', { status: 404 });
    }) as typeof fetch;
    const fetched = await fetchModel(entry, { baseUrl: BASE, cacheStorage: null, fetchImpl });
    expect(fetched.bytes.length).toBe(bytes);
    expect(requested).toEqual(['/models/big.onnx.part-1-of-2', '/models/big.onnx.part-2-of-2']);

    const corrupt = { ...entry, sha256: 'f'.repeat(64) };
    await expect(fetchModel(corrupt, { baseUrl: BASE, cacheStorage: null, fetchImpl })).rejects.toThrow(/Refused model big .*sha256/);
  });

  it('reports a missing first part as a missing model and a missing later part by number', async () => {
    const bytes = MODEL_PART_BYTES + 10;
    const entry: ModelEntry = { ...getModel('mtcnn-pnet'), id: 'big', file: 'big.onnx', bytes, sha256: '0'.repeat(64) };
    const none = (async () => new Response('', { status: 404 })) as typeof fetch;
    await expect(fetchModel(entry, { baseUrl: BASE, cacheStorage: null, fetchImpl: none })).rejects.toThrow(/not installed on this site/);
    const firstOnly = (async (input: string | URL | Request) =>
      String(input).includes('part-1-of-2') ? new Response(new Uint8Array(10)) : new Response('', { status: 404 })) as typeof fetch;
    await expect(fetchModel(entry, { baseUrl: BASE, cacheStorage: null, fetchImpl: firstOnly })).rejects.toThrow(
      /part 2 of 2 of big .* HTTP 404/,
    );
  });
});

describe('built file sizes', () => {
  it('parses sizes with units', () => {
    expect(parseByteSize('25MiB')).toBe(DEFAULT_MAX_BUILT_FILE_BYTES);
    expect(parseByteSize('100 MB')).toBe(100_000_000);
    expect(parseByteSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('1234')).toBe(1234);
    expect(() => parseByteSize('big')).toThrow(/not a size/);
  });

  it('lists every file over the limit, largest first, with a hint', () => {
    const files = [
      { path: 'index.html', bytes: 10_000 },
      { path: 'ort/ort-wasm-simd-threaded.asyncify.wasm', bytes: 26_800_000 },
      { path: 'models/resnet50-keras/resnet50-imagenet.onnx', bytes: 102_578_212 },
      { path: 'models/x.onnx', bytes: DEFAULT_MAX_BUILT_FILE_BYTES },
    ];
    const over = oversizedFiles(files);
    expect(over.map((file) => file.path)).toEqual([
      'models/resnet50-keras/resnet50-imagenet.onnx',
      'ort/ort-wasm-simd-threaded.asyncify.wasm',
    ]);
    const lines = formatOversizedFiles(over, DEFAULT_MAX_BUILT_FILE_BYTES);
    expect(lines[0]).toMatch(/resnet50-imagenet\.onnx: 97\.8 MiB, over the 25\.0 MiB limit by 72\.8 MiB \(a model: run "npm run models"/);
    expect(lines[1]).toMatch(/WebAssembly runtime/);
    expect(oversizedFiles(files, 200_000_000)).toEqual([]);
  });
});
