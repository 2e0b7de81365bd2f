// Display rounding of money works on the decimal digits (BigInt), never through a float.
import test from 'ava';
import fc from 'fast-check';
import { formatSignedPct, formatUsd, roundDecimal } from '../../src/reporting/money.ts';

test('rounds half away from zero on the digits', (t) => {
  t.is(roundDecimal('0.0000005', 6), '0.000001');
  t.is(roundDecimal('0.0000004999999', 6), '0.000000');
  t.is(roundDecimal('-1.2345675', 6), '-1.234568');
  t.is(roundDecimal('1.005', 2), '1.01', 'a float would give 1.00');
  t.is(roundDecimal('999.9999996', 6), '1000.000000');
  t.is(roundDecimal('12', 0), '12');
});

test('formats dollars with thousands separators and never shows a real cost as free', (t) => {
  t.is(formatUsd('1234567.891'), '$1,234,567.891000');
  t.is(formatUsd('0.00042'), '$0.000420');
  t.is(formatUsd('0'), '$0.000000');
  t.is(formatUsd('0.0000000001'), '<$0.000001');
  t.is(formatUsd('-0.6'), '-$0.600000');
  t.is(formatUsd(null), 'unknown');
  t.is(formatSignedPct('12.5'), '+12.5%');
  t.is(formatSignedPct('-3.0'), '-3.0%');
  t.throws(() => formatUsd('1e-7'), { instanceOf: TypeError });
});

test('rounding agrees with exact integer arithmetic for any decimal', (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }), (units, scale) => {
      const s = units.toString().padStart(scale + 1, '0');
      const value = scale ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
      const places = 6;
      // Expected: round(units / 10^scale, 6) half up, in integers.
      const shift = 10n ** BigInt(Math.abs(scale - places));
      const expected = scale > places ? (units * 10n + 5n * shift) / (10n * shift) : units * shift;
      const digits = expected.toString().padStart(places + 1, '0');
      return roundDecimal(value, places) === `${digits.slice(0, -places)}.${digits.slice(-places)}`;
    }),
  );
  t.pass();
});
