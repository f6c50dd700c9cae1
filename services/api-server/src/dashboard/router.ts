import express, { type NextFunction, type Request, type Response } from 'express';
import { unauthorized } from '@kjobs/api';
import type { Logger } from 'pino';
import type { Identity } from '../auth.js';
import { buildClientBundle, type ClientBundle } from './client-bundle.js';
import { fetchMemqStats, MemqHistory } from './memq-history.js';
import { DASHBOARD_CSS, shellHtml } from './shell.js';

/** What the dashboard needs from the api-server. */
export interface DashboardDeps {
  /** The API's authenticator: the dashboard's data endpoints accept exactly the tokens the API accepts. */
  auth: { authenticate(authorization: string | undefined): Identity | undefined };
  log: Logger;
  /** MemQ's URL (KJOBS_MEMQ_URL); without it (and without `memq`) the MemQ panel is hidden. */
  memqUrl?: string;
  /** A MemqHistory to serve instead of polling `memqUrl`; its owner starts and stops it (tests). */
  memq?: MemqHistory;
  /** Builds the client script; default buildClientBundle (esbuild, once, on first request). */
  buildBundle?: () => Promise<ClientBundle>;
}

/**
 * Everything the page may load or call, and nothing else: its own script, stylesheet and API
 * (fetch). No inline script or style, no other origin, no framing, no forms sent elsewhere.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The dashboard under its mount path (`/dashboard`). Mounted before the API's authentication:
 * a browser cannot attach a bearer token to a page load, so the shell, script and stylesheet —
 * static, no data in them — are public, and every byte of data comes through requests that
 * carry the token: the API itself (list + watch) and `api/session` / `api/memq` here, which
 * authenticate with the API's own authenticator.
 *
 * | GET | serves | auth |
 * |---|---|---|
 * | `/` | the shell (sign-in form, empty panels) | none |
 * | `/app.js`, `/app.css` | the client | none |
 * | `/api/session` | `{ user, groups, memq, memqUrl? }` | bearer token |
 * | `/api/memq` | queues with depth history, or `{ enabled: false }` | bearer token |
 */
export function createDashboardRouter(deps: DashboardDeps): express.Router {
  const router = express.Router();
  let memq = deps.memq;
  if (!memq && deps.memqUrl) {
    const memqUrl = deps.memqUrl;
    memq = new MemqHistory({ fetchStats: () => fetchMemqStats(memqUrl) });
    memq.start();
  }
  let bundle: Promise<ClientBundle> | undefined;
  const getBundle = (): Promise<ClientBundle> => {
    if (!bundle) {
      const started = Date.now();
      bundle = (deps.buildBundle ?? buildClientBundle)().then(
        (b) => {
          deps.log.debug({ ms: Date.now() - started, bytes: b.js.length }, 'dashboard: client bundled');
          return b;
        },
        (e: unknown) => {
          bundle = undefined; // try again on the next request
          deps.log.error({ err: e }, 'dashboard: bundling the client failed');
          throw e;
        },
      );
    }
    return bundle;
  };

  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    next();
  });

  router.get('/', (req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(shellHtml(req.baseUrl));
  });
  router.get('/app.css', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('css').send(DASHBOARD_CSS);
  });
  router.get('/app.js', async (req, res, next) => {
    try {
      const b = await getBundle();
      res.set({ 'Cache-Control': 'no-cache', ETag: b.etag });
      if (req.headers['if-none-match'] === b.etag) return void res.status(304).end();
      res.type('js').send(b.js);
    } catch (e) {
      next(e);
    }
  });

  const authenticated = (req: Request, res: Response, next: NextFunction): void => {
    res.set('Cache-Control', 'no-store');
    const id = deps.auth.authenticate(req.headers.authorization);
    if (!id) return next(unauthorized());
    res.locals.identity = id;
    next();
  };
  router.get('/api/session', authenticated, (_req, res) => {
    const id = res.locals.identity as Identity;
    // memqUrl: where memq listens (127.0.0.1:8090 by default), shown by the panel's heading.
    res.json({ user: id.user, groups: id.groups, memq: memq !== undefined, ...(deps.memqUrl ? { memqUrl: deps.memqUrl } : {}) });
  });
  router.get('/api/memq', authenticated, (_req, res) => {
    res.json(memq ? memq.summary() : { enabled: false, queues: [] });
  });
  return router;
}
