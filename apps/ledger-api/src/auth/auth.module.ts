import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { TokenVerifier } from '@ledger/auth';
import type { FastifyInstance } from 'fastify';
import { LedgerConfig } from '@ledger/runtime';
import { GraphqlPolicyGuard } from './graphql-policy.guard';
import { installHttpAuth } from './http-auth';
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
  ) {}

  onModuleInit(): void {
    installHttpAuth(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.verifier, this.audit);
  }
}
