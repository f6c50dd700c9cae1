import { describe, expect, it } from 'vitest';
import { canonicalQuantity, compareQuantities, formatQuantity, parseQuantity, quantityError, QUANTITY_FORMAT_ERROR } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['250m', 0.25],
    ['128Mi', 134217728],
    ['1Gi', 1073741824],
    ['1G', 1e9],
    ['1e3', 1000],
    ['1E3', 1000],
    ['2k', 2000],
    ['500u', 0.0005],
    ['-1', -1],
    ['+7', 7],
    ['0', 0],
  ])('%s → %d', (s, want) => {
    expect(parseQuantity(s)).toBeCloseTo(want, 12);
  });

  it.each([
    ['', QUANTITY_FORMAT_ERROR],
    ['abc', QUANTITY_FORMAT_ERROR],
    ['1.2.3', QUANTITY_FORMAT_ERROR],
    ['1 Gi', QUANTITY_FORMAT_ERROR],
    ['5mi', "unable to parse quantity's suffix"],
    ['1Kib', QUANTITY_FORMAT_ERROR],
    ['1Ki2', "unable to parse quantity's suffix"],
  ])('%j is rejected', (s, msg) => {
    expect(quantityError(s)).toBe(msg);
    expect(() => parseQuantity(s)).toThrowError(msg);
  });
});

describe('canonical form (Quantity.String)', () => {
  it.each([
    ['2000m', '2'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Ki', '1536'],
    ['1000', '1k'],
    ['1e3', '1e3'],
    ['128Mi', '128Mi'],
    ['0Mi', '0'],
    ['100Ki', '100Ki'],
    ['512', '512'],
    ['1n', '1n'],
    ['0.0000000001', '1n'],
  ])('%s → %s', (s, want) => {
    expect(canonicalQuantity(s)).toBe(want);
  });

  it('formatQuantity renders numbers in a family', () => {
    expect(formatQuantity(0.1)).toBe('100m');
    expect(formatQuantity(2)).toBe('2');
    expect(formatQuantity(134217728, 'BinarySI')).toBe('128Mi');
    expect(formatQuantity(1.5, 'BinarySI')).toBe('1500m');
    expect(() => formatQuantity(Number.NaN)).toThrow();
  });

  it('compares exactly across formats', () => {
    expect(compareQuantities('1', '1000m')).toBe(0);
    expect(compareQuantities('1Gi', '1G')).toBe(1);
    expect(compareQuantities('100m', '0.2')).toBe(-1);
  });
});
