// Fails when src/gql/ is not what `npm run codegen` would write now: an
// operation or the schema changed and the typed documents were not
// regenerated. Generates in memory and compares with the files on disk.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

import { generate } from '@graphql-codegen/cli';

import config, { GENERATED_DIR } from '../codegen';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);

const outputs: { filename: string; content: string }[] = await generate({ ...config, silent: true, verbose: false }, false);
const expected = new Map(outputs.map((file) => [relative(root, resolve(file.filename)), file.content]));

const onDisk = (await readdir(GENERATED_DIR)).map((name) => join(GENERATED_DIR, name));
const stale: string[] = [];
for (const path of new Set([...expected.keys(), ...onDisk])) {
  const want = expected.get(path);
  const have = await readFile(path, 'utf8').catch(() => undefined);
  if (want === undefined) stale.push(`${path} is not generated any more`);
  else if (have === undefined) stale.push(`${path} is missing`);
  else if (have !== want) stale.push(`${path} differs from a fresh codegen`);
}

if (stale.length > 0) {
  console.error(`Generated types are stale; run \`npm run codegen\` and commit src/gql/:`);
  for (const line of stale) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`src/gql/ is up to date (${expected.size} files).`);
