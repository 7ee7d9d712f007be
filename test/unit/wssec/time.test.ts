import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseUtcDateTime } from '../../../src/wssec/index.js';

describe('parseUtcDateTime', () => {
  for (const [text, expected] of [
    ['2030-01-01T00:00:00Z', '2030-01-01T00:00:00.000Z'],
    ['2030-01-01T00:00:00.5Z', '2030-01-01T00:00:00.500Z'],
    ['2030-01-01T00:00:00.123Z', '2030-01-01T00:00:00.123Z'],
    ['2030-01-01T00:00:00.1234567Z', '2030-01-01T00:00:00.123Z'],
    ['2030-01-01T00:00:00.999999999Z', '2030-01-01T00:00:00.999Z'],
    ['2030-01-01T02:00:00+02:00', '2030-01-01T00:00:00.000Z'],
    ['2029-12-31T18:30:00.25-05:30', '2030-01-01T00:00:00.250Z'],
    ['2030-01-01T14:00:00+14:00', '2030-01-01T00:00:00.000Z'],
    ['2028-02-29T12:00:00Z', '2028-02-29T12:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0050-06-15T00:00:00Z', '0050-06-15T00:00:00.000Z'],
    ['  2030-01-01T00:00:00Z\n', '2030-01-01T00:00:00.000Z'],
  ]) {
    test(`parses ${text.trim()}`, () => {
      assert.equal(parseUtcDateTime(text)?.toISOString(), expected);
    });
  }

  for (const [reason, text] of [
    ['no time zone', '2030-01-01T00:00:00'],
    ['lower-case z', '2030-01-01T00:00:00z'],
    ['February 30', '2030-02-30T00:00:00Z'],
    ['February 29 of 2100', '2100-02-29T00:00:00Z'],
    ['April 31', '2030-04-31T00:00:00Z'],
    ['month 13', '2030-13-01T00:00:00Z'],
    ['day 0', '2030-01-00T00:00:00Z'],
    ['hour 24', '2030-01-01T24:00:00Z'],
    ['second 60', '2030-01-01T23:59:60Z'],
    ['offset beyond 14 hours', '2030-01-01T00:00:00+14:30'],
    ['offset minutes 60', '2030-01-01T00:00:00+01:60'],
    ['empty fraction', '2030-01-01T00:00:00.Z'],
    ['one-digit month', '2030-1-01T00:00:00Z'],
    ['date only', '2030-01-01'],
    ['empty text', ''],
  ]) {
    test(`rejects ${reason}`, () => {
      assert.equal(parseUtcDateTime(text), undefined);
    });
  }
});
