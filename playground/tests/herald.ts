// A real Herald for the browser tests: the binary from HERALD_BIN (by
// default the debug build of this repository), on a free loopback port,
// with a fresh data directory and any extra flags a test asks for (e.g. a
// short `--token-ttl-secs`), stopped when the tests are done.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PLAYGROUND = resolve(import.meta.dirname, '..');
const BINARY = process.env['HERALD_BIN'] ?? resolve(PLAYGROUND, '../target/debug/herald');

/** How long Herald may take to answer /healthz after starting (it migrates first). */
const STARTUP_TIMEOUT_MS = 30_000;

/** A fixed token secret (Herald wants at least 32 bytes), so tokens survive a restart. */
const JWT_SECRET = 'playground-browser-tests-token-secret';

export interface SignedUp {
  token: string;
  /** When `token` expires (RFC 3339). */
  expiresAt: string;
  user: { id: string; name: string };
}

export interface HeraldOptions {
  /** Command-line flags added to the defaults, e.g. `['--token-ttl-secs', '20']`. */
  flags?: string[];
}

export class Herald {
  private process: ChildProcess | null = null;
  private output = '';

  private constructor(
    /** `http://127.0.0.1:<port>`, the only origin the pages may talk to. */
    readonly url: string,
    private readonly listen: string,
    private readonly dataDir: string,
    private readonly flags: string[],
  ) {}

  static async start({ flags = [] }: HeraldOptions = {}): Promise<Herald> {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'herald-playground-'));
    const herald = new Herald(`http://127.0.0.1:${port}`, `127.0.0.1:${port}`, dataDir, flags);
    await herald.spawn();
    return herald;
  }

  /** Stops the server and starts it again on the same port and data. */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn();
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Creates an API key with `herald api-key create`, as an operator does, and returns it. */
  apiKey(name: string): string {
    const printed = execFileSync(BINARY, ['api-key', 'create', '--name', name, '--data-dir', this.dataDir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return printed.trim();
  }

  /** Sends one GraphQL request as `token`'s user; throws on any error. */
  async graphql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors !== undefined || body.data === undefined) {
      throw new Error(`GraphQL request failed: ${JSON.stringify(body)}`);
    }
    return body.data;
  }

  /** Whether a request with `token` succeeds: no longer once it expired or was logged out. */
  async accepts(token: string): Promise<boolean> {
    try {
      await this.graphql('{ me { id } }', {}, token);
      return true;
    } catch {
      return false;
    }
  }

  async signUp(name: string, email: string, password: string): Promise<SignedUp> {
    const data = await this.graphql<{ signUp: SignedUp }>(
      `mutation ($input: SignUpInput!) {
        signUp(input: $input) { token expiresAt user { id name } }
      }`,
      { input: { name, email, password } },
    );
    return data.signUp;
  }

  // What users do on boards, sent as them: the setup for tests about what
  // reaches another user's inbox.

  /** A board of `owner`'s with `memberIds` as members; its id. */
  async createBoard(owner: SignedUp, name: string, memberIds: string[] = []): Promise<string> {
    const { createBoard } = await this.graphql<{ createBoard: { id: string } }>(
      'mutation ($n: String!) { createBoard(name: $n) { id } }',
      { n: name },
      owner.token,
    );
    for (const memberId of memberIds) {
      await this.graphql(
        'mutation ($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }',
        { b: createBoard.id, u: memberId },
        owner.token,
      );
    }
    return createBoard.id;
  }

  /** A card `owner` adds to a board; its id. */
  async createCard(owner: SignedUp, boardId: string, title: string): Promise<string> {
    const { createCard } = await this.graphql<{ createCard: { id: string } }>(
      'mutation ($b: ID!, $t: String!) { createCard(boardId: $b, title: $t) { id } }',
      { b: boardId, t: title },
      owner.token,
    );
    return createCard.id;
  }

  async assignCard(actor: SignedUp, cardId: string, userId: string): Promise<void> {
    await this.graphql(
      'mutation ($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }',
      { c: cardId, u: userId },
      actor.token,
    );
  }

  async addComment(actor: SignedUp, cardId: string, body: string): Promise<void> {
    await this.graphql(
      'mutation ($c: ID!, $b: String!) { addComment(cardId: $c, body: $b) { id } }',
      { c: cardId, b: body },
      actor.token,
    );
  }

  async editCard(actor: SignedUp, cardId: string, description: string): Promise<void> {
    await this.graphql(
      'mutation ($c: ID!, $d: String) { updateCard(id: $c, input: { description: $d }) { id } }',
      { c: cardId, d: description },
      actor.token,
    );
  }

  private async spawn(): Promise<void> {
    this.output = '';
    const args = ['--listen', this.listen, '--data-dir', this.dataDir, ...this.flags];
    const child = spawn(BINARY, args, {
      env: {
        ...process.env,
        HERALD_JWT_SECRET: JWT_SECRET,
        HERALD_LOG: process.env['HERALD_LOG'] ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.process = child;
    const exited = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`${BINARY} exited with ${code} before it was ready:\n${this.output}`)),
      );
    });
    await Promise.race([this.healthy(), exited]);
  }

  private async healthy(): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Herald did not answer /healthz within ${STARTUP_TIMEOUT_MS} ms:\n${this.output}`);
  }

  private async kill(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
  }
}

/** A port that was free a moment ago: bind port 0, note it, let it go. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
