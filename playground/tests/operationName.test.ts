// GraphiQL can send the previous tab's operation name for a moment after
// a tab switch; the fetcher sends one the document defines instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { operationNameFor } from '../src/graphiql/operationName';

test('a stale operation name gives way to the document’s only operation', () => {
  const inbox = 'query Inbox { unreadNotificationCount }';
  assert.equal(operationNameFor(inbox, 'Inbox'), 'Inbox');
  assert.equal(operationNameFor(inbox, 'SignUpAlice'), 'Inbox');
  assert.equal(operationNameFor(inbox, undefined), 'Inbox');
  assert.equal(operationNameFor('{ unreadNotificationCount }', 'SignUpAlice'), null);
});

test('with several operations, or a text that does not parse, the name is kept', () => {
  const two = 'query A { unreadNotificationCount } query B { me { id } }';
  assert.equal(operationNameFor(two, 'B'), 'B');
  assert.equal(operationNameFor(two, 'Stale'), 'Stale');
  assert.equal(operationNameFor(two, null), null);
  assert.equal(operationNameFor('query {', 'Stale'), 'Stale');
});
