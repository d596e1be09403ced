// The GraphiQL tabs are plain strings (GraphiQL edits text, not typed
// documents), so codegen does not see them: check here that each one is
// valid against the checked-in schema and that its preset variables fit,
// and that the tab publishing as the app keeps its API key on sign-in.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

import { buildSchema, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';

import { sendsApiKey, withSessionToken } from '../src/graphiql/authorization';
import { WALKTHROUGH_TABS } from '../src/graphiql/tabs';

const schema = buildSchema(readFileSync(resolve(import.meta.dirname, '../../schema.graphql'), 'utf8'));

/** The name of a tab's first operation, which GraphiQL shows as its title. */
function firstOperationName(query: string | null | undefined): string | undefined {
  return (parse(query ?? '').definitions[0] as OperationDefinitionNode).name?.value;
}

const publishTab = WALKTHROUGH_TABS.find((tab) => firstOperationName(tab.query) === 'PublishInvoicePaid');

// One test per tab, so that a failure names the tab.
for (const tab of WALKTHROUGH_TABS) {
  test(`the ${firstOperationName(tab.query)} tab is valid with fitting variables`, () => {
    const document = parse(tab.query ?? '');
    assert.deepEqual(validate(schema, document), [], tab.query ?? '');
    // A tab may hold several operations, which share its variables.
    const variables: unknown = JSON.parse(tab.variables ?? '{}');
    for (const operation of document.definitions as OperationDefinitionNode[]) {
      const coerced = getVariableValues(
        schema,
        operation.variableDefinitions ?? [],
        variables as Record<string, unknown>,
      );
      assert.equal(coerced.errors, undefined, `${operation.name?.value}: ${coerced.errors?.join('; ')}`);
    }
  });
}

test('the tabs follow the walkthrough, then publish as the app', () => {
  assert.deepEqual(WALKTHROUGH_TABS.map((tab) => firstOperationName(tab.query)), [
    'SignUpAlice',
    'SignUpBob',
    'CreateBoard',
    'AddBoardMember',
    'CreateCard',
    'AssignCard',
    'AddComment',
    'Inbox',
    'GroupedInbox',
    'Notifications',
    'InboxUpdates',
    'TurnOffPhotoPosts',
    'PublishInvoicePaid',
  ]);
});

test('the publish tab calls publishNotification with an API key placeholder', () => {
  assert.ok(publishTab, 'a tab runs PublishInvoicePaid');
  const [publish, subscribe] = parse(publishTab.query ?? '').definitions as OperationDefinitionNode[];
  assert.equal(publish?.operation, 'mutation');
  const fields = (operation: OperationDefinitionNode | undefined) =>
    operation?.selectionSet.selections.flatMap((selection) =>
      selection.kind === Kind.FIELD ? [selection.name.value] : [],
    );
  assert.deepEqual(fields(publish), ['publishNotification']);
  assert.deepEqual(fields(subscribe), ['subscribeToTopic']);

  // Recipients by the app's ids, with everything an app attaches.
  const { input } = JSON.parse(publishTab.variables ?? '{}') as { input: Record<string, unknown> };
  assert.deepEqual(Object.keys(input).sort(), [
    'data',
    'idempotencyKey',
    'link',
    'message',
    'recipients',
    'type',
  ]);
  assert.equal(input['type'], 'invoice.paid');

  // The comment above the operations says where the key comes from.
  assert.match(publishTab.query ?? '', /^# .*\n#\s+herald api-key create --name playground\n/m);

  const headers = JSON.parse(publishTab.headers ?? '{}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(headers), ['Authorization']);
  assert.match(String(headers['Authorization']), /^Bearer hk_\S+$/);
  assert.ok(sendsApiKey(headers['Authorization']));
});

test('a signed-in user’s token never replaces an API key', () => {
  assert.ok(publishTab, 'a tab runs PublishInvoicePaid');
  const headers = JSON.parse(publishTab.headers ?? '{}') as Record<string, unknown>;
  // A sign-in takes over any other Authorization header of the open tab...
  const takesOver = () => true;
  assert.equal(withSessionToken(headers, 'user-token', takesOver), null);
  assert.equal(withSessionToken({ authorization: 'Bearer hk_0123abcd' }, 'user-token', takesOver), null);
  assert.deepEqual(
    withSessionToken({ Authorization: 'Bearer earlier-user', 'X-Trace': '1' }, 'user-token', takesOver),
    { Authorization: 'Bearer user-token', 'X-Trace': '1' },
  );
  // ...and a tab with no Authorization header gets the token.
  assert.deepEqual(withSessionToken({}, 'user-token', () => false), {
    Authorization: 'Bearer user-token',
  });
  assert.equal(sendsApiKey('Bearer user-token'), false);
});
