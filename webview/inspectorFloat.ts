// Floats for the data inspector: IEEE 754 half precision (DataView has no
// getFloat16 in the browsers we support) and the shortest decimal that reads
// back as the same float of its width.

/** The binary16 value of the 16-bit pattern `bits` (sign, 5-bit exponent, 10-bit fraction). */
export function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (and zero)
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Rounds `x` to the nearest binary16 value (ties to even), for the round-trip test below. */
function roundToFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const magnitude = Math.abs(x);
  if (magnitude >= 65520) return Math.sign(x) * Infinity;
  // The spacing of binary16 values around x: 2^-24 for subnormals, else 2^(e-10).
  const e = Math.max(Math.floor(Math.log2(magnitude)), -14);
  const step = 2 ** (e - 10);
  const scaled = magnitude / step;
  let rounded = Math.round(scaled);
  if (Math.abs(scaled - Math.trunc(scaled) - 0.5) < Number.EPSILON && rounded % 2 === 1) rounded -= 1;
  return Math.sign(x) * rounded * step;
}

/** The shortest decimal text for `value` that parses back to the same float of `bits` bits ("-0", "NaN", "Infinity" as such). */
export function formatFloat(value: number, bits: 16 | 32 | 64): string {
  if (Number.isNaN(value)) return 'NaN';
  if (Object.is(value, -0)) return '-0';
  if (!Number.isFinite(value) || bits === 64) return String(value);
  const narrow = bits === 32 ? Math.fround : roundToFloat16;
  for (let digits = 1; digits < 17; digits++) {
    const text = value.toPrecision(digits);
    if (narrow(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}
