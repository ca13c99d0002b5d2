/**
 * Numbers the studies quote from the site's own code and catalog, by name. A study writes
 * <CodeValue name="mtcnn.thresholds" /> instead of typing "0.6, 0.7 and 0.7", so the prose says
 * what the demo does even after someone changes a default; tests/unit/content-quality.test.ts
 * checks that every name exists and that the demo sections type none of these numbers by hand.
 *
 * Pure data (no Astro), so the content tests read the same values the pages render.
 */
import { DEFAULT_DETECT_OPTIONS } from '../inference/tasks/detect-faces.ts';
import { getModel, type FaceVerification } from '../models/catalog.ts';

export interface CodeValue {
  /** The value as prose shows it. */
  text: string;
  /** The numbers in it, for the content test that looks for stale hand-typed copies. */
  numbers: readonly number[];
  /** Where the value lives, shown as the tooltip so a reader can find it. */
  source: string;
}

/** "0.6, 0.7 and 0.7" */
function listText(values: readonly number[]): string {
  const parts = values.map(String);
  return parts.length < 2 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function verificationOf(modelId: string): FaceVerification {
  const verification = getModel(modelId).verification;
  if (!verification) throw new Error(`Catalog entry "${modelId}" has no verification settings.`);
  return verification;
}

function inputSide(modelId: string): number {
  const shape = getModel(modelId).inputs[0]?.shape ?? [];
  const numeric = shape.filter((dim): dim is number => typeof dim === 'number' && dim > 3);
  if (numeric.length < 2 || numeric[0] !== numeric[1]) throw new Error(`Catalog entry "${modelId}" has no square image input.`);
  return numeric[0]!;
}

/** "(v - 127.5) / 128": the per-channel scaling of an image model, when all channels share it. */
function standardisation(modelId: string): CodeValue {
  const { mean, std, scale } = getModel(modelId).preprocessing ?? {};
  if (!mean || !std || new Set(mean).size !== 1 || new Set(std).size !== 1 || scale !== 1) {
    throw new Error(`Catalog entry "${modelId}" has no single per-channel standardisation.`);
  }
  return { text: `(v - ${mean[0]}) / ${std[0]}`, numbers: [mean[0]!, std[0]!], source: `${CATALOG}, ${modelId} preprocessing` };
}

const DETECT = 'src/inference/tasks/detect-faces.ts, DEFAULT_DETECT_OPTIONS';
const CATALOG = 'src/models/catalog.ts';

function build(): Record<string, CodeValue> {
  const detect = DEFAULT_DETECT_OPTIONS;
  const dlib = verificationOf('dlib-face-resnet-v1');
  const facenet = verificationOf('facenet512');
  const dlibSide = inputSide('dlib-face-resnet-v1');
  const facenetSide = inputSide('facenet512');
  return {
    'mtcnn.minFaceSize': { text: String(detect.minFaceSize), numbers: [detect.minFaceSize], source: `${DETECT}.minFaceSize` },
    'mtcnn.scaleFactor': { text: String(detect.scaleFactor), numbers: [detect.scaleFactor], source: `${DETECT}.scaleFactor` },
    'mtcnn.thresholds': { text: listText(detect.thresholds), numbers: [...detect.thresholds], source: `${DETECT}.thresholds` },
    'mtcnn.nmsPerScale': { text: String(detect.nmsPerScale), numbers: [detect.nmsPerScale], source: `${DETECT}.nmsPerScale` },
    'mtcnn.nmsUnion': { text: String(detect.nmsUnion), numbers: [detect.nmsUnion], source: `${DETECT}.nmsUnion` },
    'mtcnn.nmsMin': { text: String(detect.nmsMin), numbers: [detect.nmsMin], source: `${DETECT}.nmsMin` },
    'dlib.threshold': {
      text: String(dlib.threshold),
      numbers: [dlib.threshold],
      source: `${CATALOG}, dlib-face-resnet-v1 verification.threshold`,
    },
    'dlib.inputSize': { text: `${dlibSide}x${dlibSide}`, numbers: [dlibSide], source: `${CATALOG}, dlib-face-resnet-v1 inputs` },
    'facenet512.threshold': {
      text: String(facenet.threshold),
      numbers: [facenet.threshold],
      source: `${CATALOG}, facenet512 verification.threshold`,
    },
    'facenet512.inputSize': { text: `${facenetSide}x${facenetSide}`, numbers: [facenetSide], source: `${CATALOG}, facenet512 inputs` },
    'facenet512.standardisation': standardisation('facenet512'),
  };
}

/** Every quotable value, by name. */
export const CODE_VALUES: Readonly<Record<string, CodeValue>> = Object.freeze(build());

/** The value called `name`, or an error that lists the names there are. */
export function codeValue(name: string): CodeValue {
  const value = CODE_VALUES[name];
  if (!value) throw new Error(`<CodeValue name="${name}" />: unknown name. Known: ${Object.keys(CODE_VALUES).join(', ')}.`);
  return value;
}
