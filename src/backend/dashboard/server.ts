/**
 * The Eucalyptus Dashboard (seed 000: `https://<CLC>:8443/`): server-rendered pages from the
 * cloud process, over HTTPS with a certificate the cloud's CA signs. Every page acts as the
 * logged-in principal through the same services and the same authorization as the Euare and EC2
 * APIs (iam/enforce's authorize, with the action and input the API would have), so a user sees and
 * changes only what their policies allow, and a denial shows as the API's message.
 *
 * Security: sessions in HttpOnly, Secure, SameSite=Strict cookies (sessions.ts), a CSRF token on
 * every form (checked on every POST, also the log-in and sign-up forms, which carry a pre-session
 * token), log-ins slowed and locked out (throttle.ts), passwords only compared with their scrypt
 * hash, a Content-Security-Policy allowing only the Dashboard's own style sheet and script, no
 * secret in a URL or a log line.
 */
import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import * as https from 'node:https';
import { listen, log } from '../listen';
import { type CloudContext } from '../context';
import { ServiceError } from '../errors';
import { CSS, JS } from './assets';
import { cookies, csrfMatches, SESSION_COOKIE, SessionStore } from './sessions';
import { LoginThrottle } from './throttle';
import { dashboardCertificate } from './tls';
import { type LayoutData, page, type PageName } from './views';
import { isCloudAdmin } from '../iam/principals';
import { routes, type Action, type DashboardRequest } from './routes';

const MAX_FORM = 64 * 1024;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000',
  'cache-control': 'no-store',
};

/** A form's fields (application/x-www-form-urlencoded), at most 64 KiB. */
async function readForm(req: http.IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM) throw new ServiceError('RequestTooLarge', 'The form is too large.', 413);
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

export interface Dashboard {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface DashboardOptions {
  port: number;
  bind: string;
}

/**
 * Pre-session CSRF tokens (log-in and sign-up forms), in a cookie of their own. `__Host-`: only
 * this HTTPS origin may set it (not a page served over plain HTTP by another port of this host).
 */
const PRE_COOKIE = '__Host-euca-dashboard-csrf';

export async function startDashboard(cloud: CloudContext, opts: DashboardOptions): Promise<Dashboard> {
  const { certPem, keyPem } = dashboardCertificate(cloud.paths.keysDir, opts.bind);
  const sessions = new SessionStore();
  const throttle = new LoginThrottle();
  const table = routes(cloud, sessions, throttle);

  const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const started = Date.now();
    handle(req, res)
      .catch((e: Error) => {
        if (res.headersSent) return;
        if (e instanceof ServiceError && e.status < 500)
          return send(res, e.status, html('error', { title: 'Error', csrf: '' }, e.status, e.message));
        log(`dashboard: ${req.method} ${req.url?.split('?')[0]}: ${e.message}`);
        send(res, 500, html('error', { title: 'Error', csrf: '' }, 500, 'Something went wrong.'));
      })
      .finally(() =>
        log(`dashboard ${req.method} ${req.url?.split('?')[0]} ${res.statusCode} ${Date.now() - started}ms`),
      );
  });

  const html = (name: PageName, layout: LayoutData, status = 200, message = '') =>
    page(name, layout, { status, title: statusTitle(status), message });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://dashboard');
    if (req.method === 'GET' && url.pathname === '/static/dashboard.css')
      return send(res, 200, CSS, 'text/css; charset=utf-8', { 'cache-control': 'max-age=3600' });
    if (req.method === 'GET' && url.pathname === '/static/dashboard.js')
      return send(res, 200, JS, 'text/javascript; charset=utf-8', { 'cache-control': 'max-age=3600' });

    const jar = cookies(req.headers.cookie);
    const session = sessions.get(jar[SESSION_COOKIE]);
    const principal = session
      ? await cloud.identityService.sessionPrincipal(session.accountId, session.userId, session.created)
      : undefined;
    if (session && !principal) sessions.destroy(session.id);
    const live = principal ? session : undefined;
    // Forms before log-in carry a token of their own, bound to a cookie.
    let pre = jar[PRE_COOKIE];
    const extraCookies: string[] = [];
    if (!live && (!pre || !/^[A-Za-z0-9_-]{43}$/.test(pre))) {
      pre = randomBytes(32).toString('base64url');
      extraCookies.push(`${PRE_COOKIE}=${pre}; Path=/; HttpOnly; Secure; SameSite=Strict`);
    }
    const csrf = live ? live.csrf : pre;

    // A malformed escape in the path is the client's mistake, not the server's.
    try {
      decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, html('error', layoutOf(), 400, 'The address is not well formed.'));
    }
    const match = table.find((r) => r.method === req.method && r.path.test(url.pathname));
    if (!match) return send(res, 404, html('error', layoutOf(), 404, 'There is no such page.'));
    const form = req.method === 'POST' ? await readForm(req) : {};
    if (req.method === 'POST') {
      const ok = live ? csrfMatches(live, form.csrf) : !!form.csrf && form.csrf === pre;
      if (!ok)
        return send(
          res,
          403,
          html(
            'error',
            layoutOf(),
            403,
            'The form has expired or did not come from this Dashboard: reload the page and try again.',
          ),
        );
    }
    if (match.auth !== 'none' && !live) return redirect(res, '/login', extraCookies);
    if (match.auth === 'admin' && !(principal && isCloudAdmin({ principal })))
      return send(res, 403, html('error', layoutOf(), 403, 'Only the cloud administrator may see this page.'));

    const request: DashboardRequest = {
      params: match.path.exec(url.pathname)!.slice(1).map(decodeURIComponent),
      query: url.searchParams,
      form,
      principal,
      session: live,
      origin: { sourceIp: req.socket.remoteAddress, secure: true },
    };
    const result: Action = await match.run(request);
    if (result.kind === 'redirect') {
      if (result.flash && live) live.flash = result.flash;
      return redirect(res, result.to, [...extraCookies, ...(result.cookies ?? [])]);
    }
    if (result.kind === 'file')
      return send(res, 200, result.body, result.contentType, {
        'content-disposition': `attachment; filename="${result.filename}"`,
      });
    const flash = live?.flash;
    if (live) live.flash = undefined;
    const body = page(result.page, { ...layoutOf(), title: result.title, flash: result.flash ?? flash }, result.data);
    return send(res, result.status ?? 200, body, 'text/html; charset=utf-8', {
      ...(extraCookies.length ? { 'set-cookie': extraCookies } : {}),
    });

    function layoutOf(): LayoutData {
      return {
        title: 'Eucalyptus',
        csrf,
        who:
          principal && live
            ? {
                user: principal.user.name,
                account: principal.account.name,
                cloudAdmin: isCloudAdmin({ principal }),
              }
            : undefined,
      };
    }
  }

  const port = await listen(server as unknown as http.Server, opts.port, opts.bind);
  const host = opts.bind === '0.0.0.0' || opts.bind === '::' ? '127.0.0.1' : opts.bind;
  return {
    url: `https://${host === '127.0.0.1' ? 'localhost' : host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function statusTitle(status: number): string {
  return { 400: 'Bad request', 403: 'Forbidden', 404: 'Not found', 413: 'Too large', 500: 'Error' }[status] ?? '';
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string | Buffer,
  contentType = 'text/html; charset=utf-8',
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function redirect(res: http.ServerResponse, to: string, setCookies: string[] = []): void {
  res.writeHead(303, {
    ...SECURITY_HEADERS,
    location: to,
    ...(setCookies.length ? { 'set-cookie': setCookies } : {}),
  });
  res.end();
}
