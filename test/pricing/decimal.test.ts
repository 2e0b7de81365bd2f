import test from 'ava';
import fc from 'fast-check';
import { isDecimalString, numberToDecimalString, scaleDecimal } from '../../src/pricing/decimal.ts';

/** Canonical decimal text of digits / 10^scale, built without floats. */
function decimalText(digits: bigint, scale: number): string {
  const padded = digits.toString().padStart(scale + 1, '0');
  const int = padded.slice(0, padded.length - scale);
  const frac = padded.slice(padded.length - scale).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

test('a price with up to 15 significant digits survives the trip through a JS number', (t) => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 999_999_999_999_999n }),
      fc.integer({ min: 0, max: 20 }),
      (digits, scale) => {
        const text = decimalText(digits, scale);
        return numberToDecimalString(Number(text)) === text;
      },
    ),
  );
  t.pass();
});

test('typical genai-prices numbers print exactly', (t) => {
  t.is(numberToDecimalString(0.075), '0.075');
  t.is(numberToDecimalString(0.0375), '0.0375');
  t.is(numberToDecimalString(22.5), '22.5');
  t.is(numberToDecimalString(1.5e-7), '0.00000015');
  t.throws(() => numberToDecimalString(-1));
  t.throws(() => numberToDecimalString(Number.NaN));
});

test('moving the decimal point is exact', (t) => {
  t.is(scaleDecimal('12', -3), '0.012');
  t.is(scaleDecimal('0.5', -3), '0.0005');
  t.is(scaleDecimal('1.25', 2), '125');
  t.is(scaleDecimal('0.10', 0), '0.1');
  t.throws(() => scaleDecimal('1e3', 1));
});

test('decimal strings have no sign, exponent, comma or stray zeros in front', (t) => {
  for (const ok of ['0', '0.30', '10', '0.0375']) t.true(isDecimalString(ok), ok);
  for (const bad of ['-1', '1e-3', '0,30', '.5', '5.', '01', ' 1', '']) t.false(isDecimalString(bad), bad);
});
