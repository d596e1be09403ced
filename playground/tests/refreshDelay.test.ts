// When the client refreshes a token: once 80% of its life has passed, or
// 60 s before it expires if that is sooner, but never sooner than half-way.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { refreshDelay } from '../src/client';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const SECOND = 1_000;
const MINUTE = 60 * SECOND;

function expiresIn(ms: number): string {
  return new Date(NOW + ms).toISOString();
}

test('a token is refreshed once 80% of its life has passed', () => {
  assert.equal(refreshDelay(expiresIn(60 * MINUTE), NOW), 48 * MINUTE);
  assert.equal(refreshDelay('2026-01-01T13:00:00+00:00', NOW), 48 * MINUTE);
});

test('or 60 s before it expires, when that is sooner', () => {
  assert.equal(refreshDelay(expiresIn(4 * MINUTE), NOW), 3 * MINUTE);
});

test('but never sooner than half-way, so short tokens are not refreshed in a loop', () => {
  assert.equal(refreshDelay(expiresIn(20 * SECOND), NOW), 10 * SECOND);
  assert.equal(refreshDelay(expiresIn(2 * SECOND), NOW), 1 * SECOND);
});

test('an expired or unknown expiry is refreshed at once', () => {
  assert.equal(refreshDelay(expiresIn(-SECOND), NOW), 0);
  assert.equal(refreshDelay(expiresIn(0), NOW), 0);
  assert.equal(refreshDelay(null, NOW), 0);
  assert.equal(refreshDelay('not a date', NOW), 0);
});
