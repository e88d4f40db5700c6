// The bearer token check in constant time: both sides are hashed to equal-length digests and
// compared with timingSafeEqual, so how long a refusal takes says nothing about the token.

import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** does the Authorization header carry exactly `Bearer <token>`? */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  return timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${token}`));
}
