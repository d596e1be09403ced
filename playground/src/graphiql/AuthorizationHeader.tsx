// Keeps GraphiQL's header editor in step with the signed-in user: signing
// in writes `Authorization: Bearer <token>` into the open tab, and a tab
// opened later that has no Authorization header gets it too. Headers typed
// by hand are left alone otherwise, so each tab can act as someone else.
import { tryParseJSONC, useGraphiQL } from '@graphiql/react';
import { useEffect } from 'react';

export function AuthorizationHeader({ token }: { token: string | null }) {
  const headerEditor = useGraphiQL((state) => state.headerEditor);
  const activeTabIndex = useGraphiQL((state) => state.activeTabIndex);

  useEffect(() => {
    if (!headerEditor || token === null) return;
    const updated = withAuthorization(headerEditor.getValue(), token, true);
    if (updated !== null) headerEditor.setValue(updated);
  }, [headerEditor, token]);

  useEffect(() => {
    if (!headerEditor || token === null) return;
    const updated = withAuthorization(headerEditor.getValue(), token, false);
    if (updated !== null) headerEditor.setValue(updated);
    // Only on switching tabs; the effect above handles a new token.
  }, [headerEditor, activeTabIndex]);

  return null;
}

/**
 * The headers JSON with the token's Authorization header, or null to leave
 * the editor as it is: when the text is not a JSON object (the user is
 * mid-edit), or when it already has an Authorization header and `replace`
 * is false.
 */
function withAuthorization(text: string, token: string, replace: boolean): string | null {
  const headers = text.trim() === '' ? {} : tryParseJSONC(text);
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return null;
  const entries = Object.entries(headers as Record<string, unknown>);
  const hasAuthorization = entries.some(([name]) => name.toLowerCase() === 'authorization');
  if (hasAuthorization && !replace) return null;
  const others = entries.filter(([name]) => name.toLowerCase() !== 'authorization');
  return JSON.stringify(
    { Authorization: `Bearer ${token}`, ...Object.fromEntries(others) },
    null,
    2,
  );
}
