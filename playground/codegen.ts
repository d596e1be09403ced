// Typed documents for every operation the playground sends, generated from
// Herald's checked-in schema. `npm run codegen` rewrites src/gql/;
// `npm run check` fails when that folder is stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

/** Where the generated module lives, relative to this file. */
export const GENERATED_DIR = 'src/gql/';

/** The client-preset settings, shared with scripts/check-generated.ts. */
export const clientPreset = {
  preset: 'client',
  presetConfig: {
    // Components read whole results; there are no per-component fragments
    // to keep apart, so masking would only add `useFragment` calls.
    fragmentMasking: false,
  },
  config: {
    scalars: {
      DateTime: 'string',
      Upload: 'File',
    },
    enumsAsTypes: true,
    useTypeImports: true,
  },
} satisfies CodegenConfig['generates'][string];

const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: { [GENERATED_DIR]: clientPreset },
};

export default config;
