import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  embeddingModelInfo,
  ENROLMENT_DB,
  EnrolmentError,
  EnrolmentStore,
  openIndexedDbStorage,
  type EmbeddingModelInfo,
  type EnrolmentStorage,
} from '../../src/inference/enrolment.ts';
import { getModel } from '../../src/models/catalog.ts';

const DLIB = embeddingModelInfo(getModel('dlib-face-resnet-v1'));
const FACENET = embeddingModelInfo(getModel('facenet512'));

/** A deterministic unit-ish vector of `dim` values around a seed. */
function vector(dim: number, seed: number, jitter = 0): Float32Array {
  return Float32Array.from({ length: dim }, (_, i) => Math.sin(seed * 7.3 + i * 0.37) * 0.1 + jitter * Math.cos(i + seed));
}

let dbCounter = 0;
const opened: EnrolmentStorage[] = [];

const backends: [string, () => Promise<EnrolmentStorage>][] = [
  ['in-memory storage', async () => createMemoryStorage()],
  [
    'IndexedDB storage (fake-indexeddb)',
    async () => {
      const storage = await openIndexedDbStorage(`${ENROLMENT_DB}-test-${++dbCounter}`);
      opened.push(storage);
      return storage;
    },
  ],
];

afterEach(() => {
  for (const storage of opened.splice(0)) storage.close();
});

it('reads model facts from the catalog', () => {
  expect(DLIB).toEqual({ id: 'dlib-face-resnet-v1', dimension: 128, threshold: 0.6 });
  expect(FACENET).toEqual({ id: 'facenet512', dimension: 512, threshold: 1.04 });
  expect(() => embeddingModelInfo(getModel('mtcnn-onet'))).toThrow(/not a face embedder/);
});

describe.each(backends)('EnrolmentStore on %s', (_label, makeStorage) => {
  async function makeStore(): Promise<EnrolmentStore> {
    let clock = 1000;
    let ids = 0;
    return new EnrolmentStore(await makeStorage(), { now: () => (clock += 10), newId: () => `id-${++ids}` });
  }

  it('enrols, lists (oldest first) and keeps embeddings intact', async () => {
    const store = await makeStore();
    const ada = await store.enrol('  Ada   Lovelace ', [vector(128, 1), vector(128, 2)], DLIB);
    await store.enrol('Grace', vector(128, 3), DLIB);
    expect(ada).toMatchObject({ id: 'id-1', name: 'Ada Lovelace', modelId: 'dlib-face-resnet-v1', dimension: 128 });
    const list = await store.list();
    expect(list.map((i) => i.name)).toEqual(['Ada Lovelace', 'Grace']);
    expect(list[0]!.embeddings).toHaveLength(2);
    expect(list[0]!.embeddings[1]).toBeInstanceOf(Float32Array);
    expect(Array.from(list[0]!.embeddings[1]!)).toEqual(Array.from(vector(128, 2)));
  });

  it('adds further embeddings to an existing name of the same model (case-insensitive)', async () => {
    const store = await makeStore();
    const first = await store.enrol('Ada', vector(128, 1), DLIB);
    const second = await store.enrol('ada', [vector(128, 4)], DLIB);
    expect(second.id).toBe(first.id);
    expect(second.embeddings).toHaveLength(2);
    expect(second.updatedAt).toBeGreaterThan(first.updatedAt);
    const third = await store.addEmbeddings(first.id, vector(128, 5), DLIB);
    expect(third.embeddings).toHaveLength(3);
    expect(await store.list()).toHaveLength(1);
  });

  it('identifies the nearest identity, or "unknown" above the threshold', async () => {
    const store = await makeStore();
    await store.enrol('Ada', [vector(128, 1), vector(128, 2)], DLIB);
    await store.enrol('Grace', vector(128, 3), DLIB);
    const ada = await store.identify(vector(128, 2, 0.01), DLIB);
    expect(ada).toMatchObject({ name: 'Ada', known: true, identityId: 'id-1' });
    expect(ada.distance).toBeLessThan(0.6);
    const grace = await store.identify(vector(128, 3, 0.005), DLIB);
    expect(grace).toMatchObject({ name: 'Grace', known: true, identityId: 'id-2' });
    const stranger = await store.identify(vector(128, 9, 0.2), DLIB);
    expect(stranger.known).toBe(false);
    expect(stranger.name).toBe('unknown');
    expect(stranger.distance).toBeGreaterThan(0.6);
    // A custom threshold overrides the model's.
    expect((await store.identify(vector(128, 9, 0.2), DLIB, 100)).known).toBe(true);
  });

  it('never compares embeddings across models', async () => {
    const store = await makeStore();
    await store.enrol('Ada', vector(128, 1), DLIB);
    const fn = await store.enrol('Ada', vector(512, 1), FACENET);
    expect(fn.id).not.toBe('id-1');
    expect(await store.list()).toHaveLength(2);
    expect(await store.list('facenet512')).toHaveLength(1);
    const onlyDlib = await store.identify(vector(128, 1), DLIB);
    expect(onlyDlib).toMatchObject({ name: 'Ada', identityId: 'id-1', distance: 0 });
    const onlyFacenet = await store.identify(vector(512, 1), FACENET);
    expect(onlyFacenet.identityId).toBe(fn.id);
    // An empty gallery for a model with nothing enrolled.
    const other: EmbeddingModelInfo = { id: 'other', dimension: 128, threshold: 0.6 };
    expect(await store.identify(vector(128, 1), other)).toMatchObject({ name: 'unknown', nearest: null, identityId: null });
  });

  it('gives clear errors for an empty name, a wrong length, bad values and a model mismatch', async () => {
    const store = await makeStore();
    await expect(store.enrol('   ', vector(128, 1), DLIB)).rejects.toThrow(/name given is empty/);
    await expect(store.enrol('Ada', vector(512, 1), DLIB)).rejects.toThrow(/512 values; model "dlib-face-resnet-v1" produces 128/);
    await expect(store.enrol('Ada', [vector(128, 1), vector(127, 1)], DLIB)).rejects.toThrow(/Embedding 2 of 2 has 127 values/);
    await expect(store.enrol('Ada', [], DLIB)).rejects.toThrow(/at least one embedding/);
    const nan = vector(128, 1);
    nan[5] = NaN;
    await expect(store.enrol('Ada', nan, DLIB)).rejects.toThrow(/non-finite value at index 5/);
    const ada = await store.enrol('Ada', vector(128, 1), DLIB);
    await expect(store.addEmbeddings(ada.id, vector(512, 1), FACENET)).rejects.toThrow(/enrolled with model "dlib-face-resnet-v1"/);
    await expect(store.addEmbeddings(ada.id, vector(512, 1), FACENET)).rejects.toMatchObject({ code: 'model-mismatch' });
    await expect(store.addEmbeddings('nope', vector(128, 1), DLIB)).rejects.toBeInstanceOf(EnrolmentError);
    await expect(store.identify(vector(512, 1), DLIB)).rejects.toThrow(/query embedding has 512 values/);
    expect(await store.list()).toHaveLength(1);
  });

  it('renames, deletes and clears, and identify sees every change', async () => {
    const store = await makeStore();
    const ada = await store.enrol('Ada', vector(128, 1), DLIB);
    const grace = await store.enrol('Grace', vector(128, 3), DLIB);
    expect((await store.identify(vector(128, 1), DLIB)).name).toBe('Ada');
    await store.rename(ada.id, 'Countess');
    expect((await store.identify(vector(128, 1), DLIB)).name).toBe('Countess');
    await expect(store.rename(ada.id, '')).rejects.toThrow(/empty/);
    expect(await store.delete(ada.id)).toBe(true);
    expect(await store.delete(ada.id)).toBe(false);
    const after = await store.identify(vector(128, 1), DLIB);
    expect(after.nearest).toBe('Grace');
    expect(after.known).toBe(false);
    expect((await store.list()).map((i) => i.id)).toEqual([grace.id]);
    await store.clear();
    expect(await store.list()).toEqual([]);
    expect((await store.identify(vector(128, 3), DLIB)).nearest).toBeNull();
  });

  it('returns copies: mutating a result does not change the store', async () => {
    const store = await makeStore();
    const ada = await store.enrol('Ada', vector(128, 1), DLIB);
    ada.embeddings[0]![0] = 99;
    ada.embeddings.push(vector(128, 2));
    const [stored] = await store.list('dlib-face-resnet-v1');
    expect(stored!.embeddings).toHaveLength(1);
    expect(stored!.embeddings[0]![0]).toBeCloseTo(vector(128, 1)[0]!, 7);
  });
});

describe('IndexedDB persistence', () => {
  it('keeps identities across connections in database "r2p-enrolment"', async () => {
    expect(ENROLMENT_DB).toBe('r2p-enrolment');
    const first = await openIndexedDbStorage();
    const store = new EnrolmentStore(first);
    await store.clear();
    const ada = await store.enrol('Ada', [vector(128, 1), vector(128, 2)], DLIB);
    first.close();
    const second = await openIndexedDbStorage();
    const reopened = new EnrolmentStore(second);
    const list = await reopened.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: ada.id, name: 'Ada', modelId: 'dlib-face-resnet-v1' });
    expect(list[0]!.embeddings[1]).toBeInstanceOf(Float32Array);
    expect((await reopened.identify(vector(128, 2), DLIB)).distance).toBe(0);
    expect(ada.id).toMatch(/^[0-9a-f]{32}$/);
    await reopened.clear();
    second.close();
  });
});
