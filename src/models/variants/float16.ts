/**
 * IEEE 754 binary16 conversion for the fp16-storage variant. Pure and exact: each float32 value
 * maps to the nearest float16 with ties to even (the rounding numpy, PyTorch and onnxconverter
 * use), subnormals are kept, and values beyond the float16 range become ±Infinity (the
 * transforms never store those: they keep such tensors in float32).
 */

const scratch = new DataView(new ArrayBuffer(4));

/** The float16 bit pattern nearest to a float32 value (round half to even). */
export function float32ToFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf, or a quiet NaN
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00; // too large: Infinity
  if (unbiased >= -14) {
    // Normal float16: keep 10 mantissa bits, round the 13 dropped ones to nearest, ties to even.
    let half = ((unbiased + 15) << 10) | (mantissa >>> 13);
    const dropped = mantissa & 0x1fff;
    if (dropped > 0x1000 || (dropped === 0x1000 && (half & 1) === 1)) half += 1; // may carry into the exponent: still correct
    return sign | half;
  }
  if (unbiased < -25) return sign; // below half the smallest subnormal: signed zero
  // Subnormal float16: the value is m * 2^-24 with the implicit leading bit made explicit.
  const full = mantissa | 0x800000;
  const shift = -unbiased - 14 + 13; // 14..24 bits to drop
  let half = full >>> shift;
  const dropped = full & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (dropped > halfway || (dropped === halfway && (half & 1) === 1)) half += 1;
  return sign | half;
}

/** The float32 value of a float16 bit pattern. */
export function float16BitsToFloat32(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Largest finite float16. */
export const FLOAT16_MAX = 65504;

/** Encode a float32 array as little-endian float16 bytes. */
export function encodeFloat16(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const half = float32ToFloat16Bits(values[i]!);
    out[2 * i] = half & 0xff;
    out[2 * i + 1] = half >>> 8;
  }
  return out;
}
