// Whose Authorization header a GraphiQL tab keeps when the session bar's
// user token arrives. A tab that sends an API key publishes as the app:
// Herald refuses a user's token there (FORBIDDEN), so no sign-in or token
// refresh ever replaces a key, placeholder or real.

/** `herald api-key create` prints keys as `hk_…`; they are sent as bearer tokens. */
const API_KEY_AUTHORIZATION = /^Bearer\s+hk_/i;

/** Whether an Authorization header's value sends a Herald API key. */
export function sendsApiKey(authorization: unknown): boolean {
  return typeof authorization === 'string' && API_KEY_AUTHORIZATION.test(authorization);
}

/**
 * The headers with `Authorization: Bearer <token>` first, or null to leave
 * them as they are: when they already have an Authorization header that
 * sends an API key, or whose value `replaces` does not accept.
 */
export function withSessionToken(
  headers: Record<string, unknown>,
  token: string,
  replaces: (authorization: unknown) => boolean,
): Record<string, unknown> | null {
  const entries = Object.entries(headers);
  const existing = entries.find(([name]) => name.toLowerCase() === 'authorization');
  if (existing !== undefined && (sendsApiKey(existing[1]) || !replaces(existing[1]))) return null;
  const others = entries.filter(([name]) => name.toLowerCase() !== 'authorization');
  return { Authorization: `Bearer ${token}`, ...Object.fromEntries(others) };
}
