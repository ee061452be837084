/**
 * The 統合端末's client of the hub's counter API: a search or 照会 (affair 6) with the deadline the
 * terminal sets, and a 住民票の写し request (affair 3). Affair 7 (特例転入) reuses `identityRequest`.
 * Credentials are the operator's own (HTTP Basic), never a shared terminal account: the access
 * record names the person.
 */

/** How the terminal signs in and names itself. */
export interface TerminalSession {
  readonly hubUrl: string;
  readonly username: string;
  readonly password: string;
  readonly terminalId: string;
}

/** A search or 照会. */
export interface TerminalIdentityRequest {
  readonly kind: 'SEARCH' | 'INQUIRY';
  readonly purpose: string;
  readonly criteria: Readonly<Record<string, string>>;
  /** Milliseconds the terminal waits. */
  readonly respondWithinMs: number;
  readonly requestId?: string;
}

/** What the hub answered (status and body). */
export interface TerminalAnswer {
  readonly httpStatus: number;
  readonly body: Record<string, unknown>;
}

async function call(
  session: TerminalSession,
  path: string,
  body: unknown,
): Promise<TerminalAnswer> {
  const response = await fetch(`${session.hubUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${session.username}:${session.password}`).toString('base64')}`,
      'x-terminal-id': session.terminalId,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  return { httpStatus: response.status, body: parsed };
}

/** One search or 照会. */
export function identityRequest(
  session: TerminalSession,
  request: TerminalIdentityRequest,
): Promise<TerminalAnswer> {
  return call(
    session,
    request.kind === 'SEARCH' ? '/api/terminal/searches' : '/api/terminal/inquiries',
    {
      purpose: request.purpose,
      criteria: request.criteria,
      respondBy: new Date(Date.now() + request.respondWithinMs).toISOString(),
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
    },
  );
}

/** One 住民票の写し request (the body as hub/counter/http.ts reads it). */
export function juminhyoRequest(session: TerminalSession, body: unknown): Promise<TerminalAnswer> {
  return call(session, '/api/counter/juminhyo', body);
}
