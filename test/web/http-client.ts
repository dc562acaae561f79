/** A tiny browser stand-in for the dashboard's HTTP tests: keeps cookies, finds the CSRF token in pages, never follows redirects. */
export class DashboardClient {
  readonly cookies = new Map<string, string>();
  lastPage = '';

  constructor(
    readonly origin: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.origin}${path}`, { headers: this.requestHeaders(headers), redirect: 'manual' });
    this.keepCookies(response);
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('text/html')) this.lastPage = await response.clone().text();
    return response;
  }

  /** The `_csrf` value of the last page fetched. */
  csrfToken(): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(this.lastPage);
    if (!match) throw new Error('no CSRF token in the last page');
    return match[1]!;
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.origin}${path}`, {
      method: 'POST',
      headers: { ...this.requestHeaders(headers), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    this.keepCookies(response);
    if ((response.headers.get('content-type') ?? '').startsWith('text/html')) this.lastPage = await response.clone().text();
    return response;
  }

  private requestHeaders(extra: Record<string, string>): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return { ...this.headers, ...(cookie ? { cookie } : {}), ...extra };
  }

  private keepCookies(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const separator = pair!.indexOf('=');
      const name = pair!.slice(0, separator);
      const value = pair!.slice(separator + 1);
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
