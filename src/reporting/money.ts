// Display of USD amounts. Money arrives from PostgreSQL as an exact decimal string and is never turned
// into a float: rounding for display is done on the digits, with BigInt, half away from zero.

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Rounds a decimal string to `places` decimals (half away from zero) and returns it as a plain decimal. */
export function roundDecimal(value: string, places: number): string {
  const m = DECIMAL.exec(value.trim());
  if (!m) throw new TypeError(`not a decimal string: "${value}"`);
  const [, sign, whole, frac = ''] = m;
  const padded = frac.padEnd(places + 1, '0');
  let scaled = BigInt(whole + padded.slice(0, places));
  if (padded.charCodeAt(places) >= 53 /* '5' */) scaled += 1n;
  const digits = scaled.toString().padStart(places + 1, '0');
  const intPart = digits.slice(0, digits.length - places);
  const fracPart = places > 0 ? `.${digits.slice(digits.length - places)}` : '';
  const negative = sign === '-' && scaled !== 0n;
  return `${negative ? '-' : ''}${intPart}${fracPart}`;
}

function groupThousands(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * "$1,234.567890" from "1234.56789". An amount that is not zero but rounds to zero shows as "<$0.000001",
 * so a real cost never reads as free. null (unknown cost) shows as "unknown".
 */
export function formatUsd(value: string | null | undefined, places = 6): string {
  if (value === null || value === undefined) return 'unknown';
  const rounded = roundDecimal(value, places);
  const negative = rounded.startsWith('-');
  const [intPart, fracPart] = (negative ? rounded.slice(1) : rounded).split('.');
  const isZero = /^[0.]+$/.test(rounded.replace('-', ''));
  if (isZero && !/^-?[0.]+$/.test(value.trim())) {
    return `${value.trim().startsWith('-') ? '-' : ''}<$${places > 0 ? `0.${'0'.repeat(places - 1)}1` : '1'}`;
  }
  return `${negative ? '-' : ''}$${groupThousands(intPart)}${fracPart !== undefined ? `.${fracPart}` : ''}`;
}

/** A signed percentage string from SQL ("12.5", "-3.0") for display: "+12.5%". */
export function formatSignedPct(value: string | null): string {
  if (value === null) return '—';
  return `${value.startsWith('-') ? '' : '+'}${value}%`;
}
