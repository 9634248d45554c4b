import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { callerFrom } from '../request-context/caller';
import { EvidenceExportService } from './evidence-export.service';

@Controller('v1/exports')
export class EvidenceDownloadController {
  constructor(private readonly exports: EvidenceExportService) {}

  /** Streams the bundle from disk: a large one never sits in memory. */
  @Get(':exportId')
  async download(
    @Param('exportId') exportId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const file = await this.exports.bundleFile(callerFrom(request), exportId);
    return reply
      .header('content-type', 'application/gzip')
      .header('content-disposition', `attachment; filename="evidence-${exportId}.tar.gz"`)
      .send(createReadStream(file));
  }
}
