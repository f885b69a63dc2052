/** A browser in miniature: keeps cookies, posts forms. */
export function consoleBrowser(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name!);
      else jar.set(name!, value ?? '');
    }
    return res;
  };
  return {
    get: async (path: string) => remember(await app.request(path, { headers: { cookie: cookieHeader() } })),
    post: async (path: string, fields: Record<string, string>) =>
      remember(
        await app.request(path, {
          method: 'POST',
          headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        }),
      ),
    jar,
  };
}

/** The CSRF token a console page carries in its forms. */
export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** A console session signed in with `key`: the browser and the CSRF token its forms need. */
export async function signedInConsole(app: Parameters<typeof consoleBrowser>[0], key: string) {
  const b = consoleBrowser(app);
  const login = await b.get('/console/login');
  await b.post('/console/login', { _csrf: csrfOf(await login.text()), key, next: '/console/invitations' });
  const list = await b.get('/console/invitations');
  return { b, csrf: csrfOf(await list.text()) };
}
