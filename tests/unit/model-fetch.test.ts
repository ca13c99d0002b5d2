/**
 * Model downloads in the browser runtime (src/inference/runtime/model-fetch.ts), with a fake
 * fetch and a fake Cache API: the HTTP cache is revalidated (no-cache) and bypassed once
 * (reload) after a mismatch; a cut-off download says which model, how far and what to do, and
 * nothing that failed its pin or arrived partly is stored.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fetchModel, interruptedDownloadMessage, modelRequestUrl } from '../../src/inference/runtime/model-fetch.ts';
import type { ModelEntry } from '../../src/models/catalog.ts';
import { getModel } from '../../src/models/catalog.ts';

const good = new Uint8Array(Array.from({ length: 3000 }, (_, i) => (i * 7) % 251));
const entry: ModelEntry = { ...getModel('mtcnn-pnet'), bytes: good.length, sha256: createHash('sha256').update(good).digest('hex') };
const corrupt = good.map((value, index) => (index === 1500 ? value ^ 0xff : value));

/** A Cache API with one cache, enough for fetchModel. */
function fakeCaches() {
  const store = new Map<string, Uint8Array>();
  const cache = {
    match: async (url: string) => (store.has(url) ? new Response(store.get(url)! as Uint8Array<ArrayBuffer>) : undefined),
    put: async (url: string, response: Response) => void store.set(url, new Uint8Array(await response.arrayBuffer())),
    delete: async (url: string) => store.delete(url),
  };
  return { store, storage: { open: async () => cache } as unknown as CacheStorage };
}

/** A fetch that answers from a list of bodies in turn and records the cache mode of each request. */
function fakeFetch(...bodies: (Uint8Array | ReadableStream<Uint8Array>)[]) {
  const modes: (RequestCache | undefined)[] = [];
  const impl = (async (_url: string, init?: RequestInit) => {
    modes.push(init?.cache);
    const body = bodies.shift();
    if (!body) throw new TypeError('no more answers');
    const length = body instanceof Uint8Array ? body.length : good.length;
    return new Response(body as BodyInit, { headers: { 'content-length': String(length) } });
  }) as typeof fetch;
  return { impl, modes };
}

/** A body that sends some bytes and then breaks, as a dropped connection does. */
function cutOff(bytes: number): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) controller.error(new TypeError('network error'));
      else controller.enqueue(good.slice(0, bytes));
      sent = true;
    },
  });
}

describe('model downloads', () => {
  it('revalidates with the server (cache: no-cache) and stores the checked bytes', async () => {
    const { storage, store } = fakeCaches();
    const { impl, modes } = fakeFetch(good);
    const fetched = await fetchModel(entry, { baseUrl: 'https://site.test/', cacheStorage: storage, fetchImpl: impl });
    expect(fetched.fromCache).toBe(false);
    expect(modes).toEqual(['no-cache']);
    expect(store.get(modelRequestUrl(entry, 'https://site.test/'))).toEqual(good);
  });

  it('after a mismatch, asks once more past the HTTP cache (cache: reload) and uses the good bytes', async () => {
    const { storage, store } = fakeCaches();
    const { impl, modes } = fakeFetch(corrupt, good);
    const fetched = await fetchModel(entry, { baseUrl: 'https://site.test/', cacheStorage: storage, fetchImpl: impl });
    expect(modes).toEqual(['no-cache', 'reload']);
    expect(fetched.bytes).toEqual(good);
    expect([...store.values()]).toEqual([good]);
  });

  it('refuses bytes that fail their pin twice and stores nothing', async () => {
    const { storage, store } = fakeCaches();
    const { impl } = fakeFetch(corrupt, corrupt);
    await expect(fetchModel(entry, { baseUrl: 'https://site.test/', cacheStorage: storage, fetchImpl: impl })).rejects.toThrow(
      /Refused model mtcnn-pnet/,
    );
    expect(store.size).toBe(0);
  });

  it('replaces a corrupt copy in the Cache API with a fresh download', async () => {
    const { storage, store } = fakeCaches();
    store.set(modelRequestUrl(entry, 'https://site.test/'), corrupt);
    const { impl, modes } = fakeFetch(good);
    const fetched = await fetchModel(entry, { baseUrl: 'https://site.test/', cacheStorage: storage, fetchImpl: impl });
    expect(modes).toEqual(['reload']);
    expect(fetched.bytes).toEqual(good);
    expect([...store.values()]).toEqual([good]);
  });

  it('names the model, the bytes received of the total and what to do when the connection drops; keeps nothing', async () => {
    const { storage, store } = fakeCaches();
    const { impl } = fakeFetch(cutOff(1200));
    const error = await fetchModel(entry, { baseUrl: 'https://site.test/', cacheStorage: storage, fetchImpl: impl }).catch(
      (caught: Error) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(interruptedDownloadMessage(entry, 1200, good.length, 'network error'));
    expect((error as Error).message).toMatch(
      /^The download of model mtcnn-pnet \(mtcnn\/pnet\.onnx\) stopped after 1 kB of 3 kB \(network error\)\. Nothing partial was kept\. Check the connection and press Run to try again\.$/,
    );
    expect(store.size).toBe(0);
  });

  it('writes sizes in megabytes', () => {
    expect(interruptedDownloadMessage(getModel('mtcnn-onet'), 400_000, 1_558_493, 'network error')).toMatch(
      /stopped after 0\.4 MB of 1\.6 MB/,
    );
    expect(interruptedDownloadMessage(getModel('mtcnn-onet'), 400_000, null, 'x')).toMatch(/stopped after 0\.4 MB \(x\)/);
  });
});
