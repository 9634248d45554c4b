import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { TokenVerifier } from '@ledger/auth';
import type { FastifyInstance } from 'fastify';
import { LedgerConfig } from '@ledger/runtime';
import { WellFormedArgumentsGuard } from '../graphql/well-formed-arguments.guard';
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
    // Global guards run in the order given: a caller the policy refuses hears 403 whatever its arguments hold.
    { provide: APP_GUARD, useClass: WellFormedArgumentsGuard },
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
