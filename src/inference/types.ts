/**
 * Types shared by the pure maths, the task modules and the runtime. Nothing here touches a
 * browser or Node API, so the same task code runs in the Web Worker (onnxruntime-web) and in
 * Node tests and benchmarks (onnxruntime-node).
 */

/** An RGBA image in memory: row-major, 4 bytes a pixel, exactly as ImageData holds it. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** A float32 tensor as plain data, independent of any onnxruntime flavour. */
export interface TensorData {
  data: Float32Array;
  dims: readonly number[];
}

/** Runs one catalog model. The worker implements it with onnxruntime-web, tests with onnxruntime-node. */
export interface ModelRunner {
  run(modelId: string, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
}

/** An axis-aligned box in image pixel coordinates (x2, y2 exclusive edges, as floats). */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A 2-D point in image pixel coordinates. */
export type Point = readonly [number, number];

/**
 * Image resampling that a browser does natively (OffscreenCanvas) and Node does with the pure
 * bilinear kernel in math/image.ts. The face cascade takes one of these so the browser never
 * runs a per-pixel JavaScript loop where the canvas can do the work.
 */
export interface ImageOps {
  /** Scale the whole image to width x height. */
  resize(image: RgbaImage, width: number, height: number): RgbaImage | Promise<RgbaImage>;
  /**
   * Crop `box` (which may extend past the image; outside pixels are black) and scale it to
   * width x height.
   */
  cropResize(image: RgbaImage, box: Box, width: number, height: number): RgbaImage | Promise<RgbaImage>;
}
