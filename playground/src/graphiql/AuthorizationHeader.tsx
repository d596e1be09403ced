// Keeps GraphiQL's header editor in step with the signed-in user: signing
// in (or a refresh of the token) writes `Authorization: Bearer <token>`
// into the open tab, and a tab opened later gets it too when it has no
// Authorization header or one with a token that a refresh replaced.
// Headers typed by hand are left alone otherwise, so each tab can act as
// someone else, and a tab sending an API key is never given the user's
// token (authorization.ts).
import { tryParseJSONC, useGraphiQL } from '@graphiql/react';
import { useEffect } from 'react';

import { withSessionToken } from './authorization';

export function AuthorizationHeader({
  token,
  staleTokens,
}: {
  token: string | null;
  /** Tokens of the current sign-in that refreshes have replaced, oldest first. */
  staleTokens: readonly string[];
}) {
  const headerEditor = useGraphiQL((state) => state.headerEditor);
  const activeTabIndex = useGraphiQL((state) => state.activeTabIndex);
  const sendsStaleToken = (authorization: unknown) =>
    staleTokens.some((stale) => authorization === `Bearer ${stale}`);

  useEffect(() => {
    if (!headerEditor || token === null) return;
    // A sign-in (no token replaced yet) takes over the open tab; a refresh
    // leaves a header typed by hand alone.
    const replaces = staleTokens.length === 0 ? () => true : sendsStaleToken;
    const updated = withAuthorization(headerEditor.getValue(), token, replaces);
    if (updated !== null) headerEditor.setValue(updated);
  }, [headerEditor, token]);

  useEffect(() => {
    if (!headerEditor || token === null) return;
    const updated = withAuthorization(headerEditor.getValue(), token, sendsStaleToken);
    if (updated !== null) headerEditor.setValue(updated);
    // Only on switching tabs; the effect above handles a new token.
  }, [headerEditor, activeTabIndex]);

  return null;
}

/**
 * The headers JSON with the token's Authorization header, or null to leave
 * the editor as it is: when the text is not a JSON object (the user is
 * mid-edit), or when withSessionToken keeps its Authorization header.
 */
function withAuthorization(
  text: string,
  token: string,
  replaces: (authorization: unknown) => boolean,
): string | null {
  let headers: unknown;
  try {
    headers = text.trim() === '' ? {} : tryParseJSONC(text);
  } catch {
    // tryParseJSONC throws on text that is not (yet) a JSON object.
    return null;
  }
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return null;
  const updated = withSessionToken(headers as Record<string, unknown>, token, replaces);
  return updated === null ? null : JSON.stringify(updated, null, 2);
}
