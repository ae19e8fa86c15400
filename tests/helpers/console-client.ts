// A tiny browser over fastify.inject for the console tests: a cookie jar, the CSRF field of the
// last form read, and form POSTs. Real requests through the real server, no mocks.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(
    private readonly app: FastifyInstance,
    private readonly headers: Record<string, string> = {},
    /** The peer address the server sees (default light-my-request's 127.0.0.1): a reverse proxy's, say. */
    private readonly remoteAddress?: string,
  ) {}
  private get peer() {
    return this.remoteAddress ? { remoteAddress: this.remoteAddress } : {};
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies) {
      if (c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1]!;
    return res;
  }
  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, ...this.peer, headers: { ...this.headers, ...this.cookieHeader(), ...headers } }));
  }
  /** POSTs a form; the CSRF field of the last page read is added unless `_csrf` is given (null: none). */
  async post(url: string, fields: Record<string, string | null>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    if (!('_csrf' in fields)) body.set('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) if (v !== null) body.set(k, v);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        ...this.peer,
        payload: body.toString(),
        headers: { ...this.headers, ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      }),
    );
  }
  async login(login: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/login');
    return this.post('/login', { login, password });
  }
}

/** A client signed in as `login`; throws (naming the login and the answer) when sign-in is refused. */
export async function signedInClient(app: FastifyInstance, login: string, password: string): Promise<ConsoleClient> {
  const u = new ConsoleClient(app);
  const res = await u.login(login, password);
  if (res.statusCode !== 303) throw new Error(`sign-in of ${login}: HTTP ${res.statusCode}, not the 303 to the home page`);
  return u;
}
