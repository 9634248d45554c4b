import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { repoRoot } from '@ledger/platform';
import { ProblemError } from '../errors/problem';
import { CONSOLE_SETTINGS } from './console.tokens';
import type { ConsoleSettings } from './console-settings';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * Serves the auditor console (apps/auditor-console, built by `npm run build`
 * into dist/console). The page holds no data: everything it shows it reads
 * from /graphql and the proof routes with the user's own token.
 */
@Controller('console')
export class ConsoleController {
  private readonly root = resolve(repoRoot(), 'dist', 'console');
  private readonly contentSecurityPolicy: string;

  constructor(@Inject(CONSOLE_SETTINGS) private readonly settings: ConsoleSettings) {
    this.contentSecurityPolicy = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      // The identity provider's discovery and token endpoints, when the console signs in through OIDC.
      `connect-src ${["'self'", ...settings.connectSources].join(' ')}`,
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      // No upgrade-insecure-requests: on the embedded default the ledger answers plain http on the host's name, and upgraded asset requests would fail.
    ].join('; ');
  }

  @Get()
  index(@Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.send(reply, 'index.html');
  }

  @Get('*')
  async asset(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const path = (request.params as Record<string, string | undefined>)['*'] ?? '';
    // Whether to offer OIDC sign-in, and against which provider: public like the page, and free of secrets (a public client has none).
    if (path === 'config.json')
      return reply.header('cache-control', 'no-cache').send({ oidc: this.settings.oidc });
    // Anything that is not a file (/console/, a deep link) gets the page; its views live in the URL's fragment.
    return this.send(reply, extname(path) === '' ? 'index.html' : path);
  }

  private async send(reply: FastifyReply, path: string): Promise<FastifyReply> {
    const file = resolve(this.root, path);
    if (!file.startsWith(this.root + sep)) throw notFound(path);
    const found = await stat(file).catch(() => undefined);
    if (!found?.isFile()) {
      if (path === 'index.html')
        throw new ProblemError({
          status: 503,
          code: 'CONSOLE_NOT_BUILT',
          message: `the auditor console is not built (no ${join('dist', 'console', 'index.html')}); run npm run build`,
        });
      throw notFound(path);
    }
    const html = path === 'index.html';
    return (
      reply
        .header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
        .header('content-length', found.size)
        // Asset names carry a content hash, so they never change; the page itself must be fetched fresh to pick up a new build.
        .header('cache-control', html ? 'no-cache' : 'public, max-age=31536000, immutable')
        .header('content-security-policy', this.contentSecurityPolicy)
        .send(createReadStream(file))
    );
  }
}

function notFound(path: string): ProblemError {
  return new ProblemError({ status: 404, code: 'NOT_FOUND', message: `the console has no file ${path}` });
}
