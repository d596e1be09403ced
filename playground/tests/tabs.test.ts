// The GraphiQL tabs are plain strings (GraphiQL edits text, not typed
// documents), so codegen does not see them: check here that each one is
// valid against the checked-in schema and that its preset variables fit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

import { buildSchema, type OperationDefinitionNode, parse, validate } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';

import { WALKTHROUGH_TABS } from '../src/graphiql/tabs';

const schema = buildSchema(readFileSync(resolve(import.meta.dirname, '../../schema.graphql'), 'utf8'));

test('every preloaded GraphiQL tab is a valid operation with fitting variables', () => {
  assert.equal(WALKTHROUGH_TABS.length, 12);
  for (const tab of WALKTHROUGH_TABS) {
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
  }
});

test('the tabs follow the walkthrough, ending with the inbox, its subscriptions and a preference', () => {
  const names = WALKTHROUGH_TABS.map(
    (tab) => (parse(tab.query ?? '').definitions[0] as OperationDefinitionNode).name?.value,
  );
  assert.deepEqual(names, [
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
  ]);
});
