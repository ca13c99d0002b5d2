/**
 * The arithmetic of the int8 variants, as pure functions over plain arrays.
 *
 * Weights: symmetric per output channel (zero point 0), scale = max|w| / 127 so the int8 range
 * is -127..127 (the -128 code is left unused, as in ONNX Runtime's and TensorRT's symmetric
 * weight quantisation). Activations: asymmetric uint8 over a calibrated [min, max] widened to
 * include 0, which keeps 0 (ReLU's floor, zero padding) exactly representable. Rounding is
 * half to even everywhere, as ONNX's QuantizeLinear specifies, so results do not depend on who
 * computes them. Scales are float32 because that is how ONNX stores them.
 */

/** Round half to even, as ONNX QuantizeLinear does. */
export function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Size and stride of the channel axis in a row-major tensor of the given shape. */
function axisGeometry(shape: readonly number[], axis: number): { channels: number; inner: number } {
  if (axis < 0 || axis >= shape.length) throw new Error(`axis ${axis} is out of range for shape [${shape.join(', ')}]`);
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { channels, inner };
}

/** Per-channel symmetric int8 scales: float32(max|w| / 127), or 1 for an all-zero channel. */
export function perChannelSymmetricScales(values: Float32Array, shape: readonly number[], axis: number): Float32Array {
  const { channels, inner } = axisGeometry(shape, axis);
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) {
    const channel = Math.floor(i / inner) % channels;
    const magnitude = Math.abs(values[i]!);
    if (magnitude > maxAbs[channel]!) maxAbs[channel] = magnitude;
  }
  return Float32Array.from(maxAbs, (max) => (max > 0 ? Math.fround(max / 127) : 1));
}

/** Quantise to int8 with per-channel scales (zero point 0), clamped to -127..127. */
export function quantizePerChannel(values: Float32Array, shape: readonly number[], axis: number, scales: Float32Array): Int8Array {
  const { channels, inner } = axisGeometry(shape, axis);
  if (scales.length !== channels) throw new Error(`expected ${channels} scales, got ${scales.length}`);
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfToEven(values[i]! / scales[Math.floor(i / inner) % channels]!);
    out[i] = Math.max(-127, Math.min(127, q));
  }
  return out;
}

/** Quantise a bias to int32 with scale inputScale * weightScale[c] per channel (what QLinearConv expects). */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): { values: Int32Array; scales: Float32Array } {
  if (bias.length !== weightScales.length) throw new Error(`bias has ${bias.length} values for ${weightScales.length} weight scales`);
  const scales = Float32Array.from(weightScales, (scale) => Math.fround(Math.fround(inputScale) * scale));
  const values = Int32Array.from(bias, (b, c) => Math.max(-2147483647, Math.min(2147483647, roundHalfToEven(b / scales[c]!))));
  return { values, scales };
}

/** uint8 asymmetric quantisation parameters for an activation range. */
export interface ActivationQuantization {
  scale: number;
  zeroPoint: number;
}

/** Scale and zero point that map [min, max] (widened to include 0) onto 0..255. */
export function uint8ActivationParams(min: number, max: number): ActivationQuantization {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) throw new Error(`invalid activation range [${min}, ${max}]`);
  const low = Math.min(0, min);
  const high = Math.max(0, max);
  const scale = high > low ? Math.fround((high - low) / 255) : 1;
  const zeroPoint = Math.max(0, Math.min(255, roundHalfToEven(-low / scale)));
  return { scale, zeroPoint };
}

/** Dequantised int8 value, for tests and error estimates. */
export function dequantize(q: number, scale: number, zeroPoint = 0): number {
  return (q - zeroPoint) * scale;
}
