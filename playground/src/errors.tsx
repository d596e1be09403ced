// Turning whatever a request failed with into what the playground shows
// next to the form that sent it: Herald's `extensions.code` and message.
import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import { useCallback, useState } from 'react';

/** A failed request as shown to the user. */
export interface ShownError {
  /**
   * Herald's `extensions.code` (e.g. CONFLICT), the name of the browser's
   * refusal (e.g. NotAllowedError), or NETWORK_ERROR when no answer came.
   */
  code: string;
  message: string;
}

interface GraphQLErrorBody {
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

export function describeError(error: unknown): ShownError {
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const code = first?.extensions?.['code'];
    return {
      code: typeof code === 'string' ? code : 'GRAPHQL_ERROR',
      message: first?.message ?? error.message,
    };
  }
  // Herald answers requests it refuses before execution (an upload over
  // the size limit, a malformed body) with a non-2xx status and a
  // GraphQL-shaped body, which Apollo reports as a ServerError.
  if (ServerError.is(error)) {
    const first = parseErrorBody(error.bodyText)?.errors?.[0];
    const code = first?.extensions?.code;
    return {
      code: typeof code === 'string' ? code : `HTTP_${error.statusCode}`,
      message: first?.message ?? error.message,
    };
  }
  // The browser itself refused, e.g. a permission or a push subscription.
  if (error instanceof DOMException) {
    return { code: error.name, message: error.message };
  }
  return {
    code: 'NETWORK_ERROR',
    message: error instanceof Error ? error.message : String(error),
  };
}

function parseErrorBody(text: string): GraphQLErrorBody | null {
  try {
    return JSON.parse(text) as GraphQLErrorBody;
  } catch {
    return null;
  }
}

/** An error shown right under the form that caused it. */
export function ErrorMessage({ error }: { error: ShownError | null }) {
  if (error === null) return null;
  return (
    <p role="alert" className="error">
      <code>{error.code}</code> {error.message}
    </p>
  );
}

/**
 * State for a form that sends one request at a time: `submit` runs the
 * request, keeps its error for <ErrorMessage>, and resolves to whether it
 * succeeded. It never rejects, so a handler can call it with `void`.
 */
export function useFormRequest() {
  const [error, setError] = useState<ShownError | null>(null);
  const [pending, setPending] = useState(false);
  const submit = useCallback(async (request: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    setPending(true);
    try {
      await request();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    } finally {
      setPending(false);
    }
  }, []);
  return { error, pending, submit };
}
