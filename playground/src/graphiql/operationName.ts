// Which operation of a document to run. Right after a tab switch GraphiQL
// can still hold the previous tab's operation name; sent as it is, Herald
// refuses the request ("Unknown operation named …"), as any GraphQL server
// would. A name the document does not define gives way to the document's
// only operation.
import { Kind, parse } from 'graphql';

/**
 * The operation name to send with `query`: `operationName` when the
 * document defines it, else the name of the document's only operation
 * (`null` when that one is anonymous). With several operations, or a text
 * that does not parse, `operationName` is kept, and the server explains.
 */
export function operationNameFor(
  query: string,
  operationName: string | null | undefined,
): string | null {
  let names: (string | null)[];
  try {
    names = parse(query).definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? null] : [],
    );
  } catch {
    return operationName ?? null;
  }
  if (operationName && names.includes(operationName)) return operationName;
  if (names.length === 1) return names[0] ?? null;
  return operationName ?? null;
}
