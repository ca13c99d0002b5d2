/**
 * Calibration inputs for the int8 static (QDQ) variants of MTCNN's three nets, taken from the
 * real cascade: each net is calibrated on exactly what detectFaces feeds it. P-Net sees every
 * level of each image's pyramid (the site's own pyramidScales / pyramidLevelSize), R-Net the
 * batched 24x24 crops of P-Net's surviving candidates, O-Net the 48x48 crops of R-Net's
 * survivors. A recording ModelRunner sits between detectFaces and the fp32 nets and keeps a
 * copy of every feed, so no stage is re-implemented here. Pure over a ModelRunner and ImageOps:
 * the calibration script runs it on onnxruntime-node, the unit tests on a scripted runner.
 */
import { detectFaces, MTCNN_MODELS, type DetectOptions } from '../../inference/tasks/detect-faces.ts';
import type { ImageOps, ModelRunner, TensorData } from '../../inference/types.ts';
import type { NamedImage } from './evaluation-images.ts';

export type MtcnnNet = keyof typeof MTCNN_MODELS;

/** Per net: the feeds it was given, in cascade order, and a name for each (for the table's record). */
export type MtcnnCalibrationFeeds = Record<MtcnnNet, { names: string[]; feeds: Record<string, TensorData>[] }>;

const NET_OF_ID = new Map<string, MtcnnNet>(Object.entries(MTCNN_MODELS).map(([net, id]) => [id, net as MtcnnNet]));

/** The MTCNN net a catalog id is (mtcnn-pnet -> pnet), or null for any other id. */
export function mtcnnNetOf(id: string): MtcnnNet | null {
  return NET_OF_ID.get(id) ?? null;
}

/** A runner that passes every call through to `inner` and first reports a copy of its feeds. */
export function recordingRunner(inner: ModelRunner, record: (id: string, feeds: Record<string, TensorData>) => void): ModelRunner {
  return {
    run(id, feeds) {
      // Copies: a caller may reuse its buffers after the run.
      record(
        id,
        Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, { data: tensor.data.slice(), dims: [...tensor.dims] }])),
      );
      return inner.run(id, feeds);
    },
  };
}

/**
 * Run the cascade (fp32 nets through `runner`) on each image and collect what each net was fed.
 * Names say where a feed came from: "astronaut pnet 359x359", "astronaut rnet 31 crops".
 */
export async function mtcnnCalibrationFeeds(
  images: readonly NamedImage[],
  runner: ModelRunner,
  ops: ImageOps,
  options: Partial<DetectOptions> = {},
): Promise<MtcnnCalibrationFeeds> {
  const collected: MtcnnCalibrationFeeds = {
    pnet: { names: [], feeds: [] },
    rnet: { names: [], feeds: [] },
    onet: { names: [], feeds: [] },
  };
  for (const { name, image } of images) {
    const recorder = recordingRunner(runner, (id, feeds) => {
      const net = mtcnnNetOf(id);
      if (!net) throw new Error(`the cascade asked for ${id}, which is not one of the MTCNN nets`);
      const dims = feeds.input?.dims;
      if (!dims) throw new Error(`${id} was run without an "input" tensor`);
      collected[net].names.push(net === 'pnet' ? `${name} pnet ${dims[3]}x${dims[2]}` : `${name} ${net} ${dims[0]} crops`);
      collected[net].feeds.push(feeds);
    });
    await detectFaces(image, recorder, ops, options);
  }
  return collected;
}
