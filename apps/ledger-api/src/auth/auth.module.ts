import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { TokenVerifier } from '@ledger/auth';
import type { FastifyInstance } from 'fastify';
import { LedgerConfig } from '@ledger/runtime';
import { GraphqlPolicyGuard } from './graphql-policy.guard';
import { installHttpEdge } from './http-auth';
import { SelfAuditService } from './self-audit.service';
import { tokenVerifierFor } from './token-verifier.provider';

@Global()
@Module({
  providers: [
    SelfAuditService,
    { provide: TokenVerifier, inject: [LedgerConfig], useFactory: tokenVerifierFor },
    { provide: APP_GUARD, useClass: GraphqlPolicyGuard },
  ],
  exports: [SelfAuditService],
})
export class AuthModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly verifier: TokenVerifier,
    private readonly audit: SelfAuditService,
    private readonly config: LedgerConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    installHttpEdge(fastify, this.config, this.verifier, this.audit);
    // Once the last request has been answered and before the store closes: refusals still counted are written.
    fastify.addHook('onClose', () => this.audit.flush());
  }
}
