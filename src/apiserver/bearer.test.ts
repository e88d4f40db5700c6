import { describe, expect, it } from 'vitest';
import { bearerMatches } from './bearer.js';

describe('bearerMatches', () => {
  it('accepts exactly "Bearer <token>"', () => {
    expect(bearerMatches('Bearer s3cret', 's3cret')).toBe(true);
    for (const h of [undefined, '', 'Bearer', 'Bearer s3cre', 'Bearer s3cret ', 'bearer s3cret', 'Basic s3cret', 'Bearer s3cretX']) {
      expect(bearerMatches(h, 's3cret'), String(h)).toBe(false);
    }
  });
});
