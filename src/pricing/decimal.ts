// Prices travel as decimal strings from the catalogue to Postgres `numeric`, so that no price is ever
// rounded through a binary float on the way (0.1 + 0.2 problems turn into wrong invoices).

/** A non-negative plain decimal: no sign, no exponent, no leading zeros, at least one digit each side of a dot. */
export const DECIMAL_PATTERN = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;

export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_PATTERN.test(value);
}

/** Drops redundant zeros: '007.500' -> '7.5', '0.0' -> '0'. Input must already be digits with an optional dot. */
function normalize(intPart: string, fracPart: string): string {
  const int = intPart.replace(/^0+(?=\d)/, '') || '0';
  const frac = fracPart.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/**
 * Multiplies a decimal string by 10^power exactly, by moving the decimal point.
 * Used to turn "USD per 1,000 requests" into "USD per request" without float division.
 */
export function scaleDecimal(value: string, power: number): string {
  if (!isDecimalString(value)) throw new Error(`not a decimal string: ${JSON.stringify(value)}`);
  if (!Number.isInteger(power)) throw new Error(`power must be an integer, got ${power}`);
  const [int, frac = ''] = value.split('.');
  const digits = int + frac;
  const point = int.length + power;
  if (point <= 0) return normalize('0', '0'.repeat(-point) + digits);
  if (point >= digits.length) return normalize(digits + '0'.repeat(point - digits.length), '');
  return normalize(digits.slice(0, point), digits.slice(point));
}

/**
 * The shortest decimal string that reads back as `value`. JavaScript already prints the shortest round-trip
 * form (0.075 -> '0.075'), so this only expands exponent notation ('1e-7' -> '0.0000001') and rejects what
 * cannot be a price.
 */
export function numberToDecimalString(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`not a non-negative finite number: ${value}`);
  const text = String(value);
  if (DECIMAL_PATTERN.test(text)) return text;
  const match = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) throw new Error(`cannot express ${text} as a decimal string`);
  const [, int, frac = '', exponent] = match;
  return scaleDecimal(normalize(int, frac), Number(exponent));
}
