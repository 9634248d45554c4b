/**
 * Clinical use through the real service: POST /v1/events batches of 500
 * outputs, then the responses to them, then their outcomes, from an emitter
 * registered as the system's audit source, with the system deployed so no
 * output raises a finding.
 */
import { LocalIssuer, type Role } from '@ledger/auth';
import { loadConfig } from '@ledger/runtime';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { deployableSystem, ok } from '../../../support/governance';
import type { TestApi } from '../../../support/ledger-api';
import { serviceEnv } from '../../lib/service-env';
import { BATCH, MODEL_SERVICE, outputFacts, SYSTEM_ID, TENANT } from './workload';

/** The version the ingest emitter stamps on its outputs: the one deployed, so each output is stored without a finding. */
const LIVE_VERSION = 'v1';

/**
 * Registers and deploys the system through the service's GraphQL mutations,
 * with every gate met as the test fixtures meet them, and registers the model's
 * service as its audit source.
 */
export async function deployForIngest({ dataDir, url }: { dataDir: string; url: string }): Promise<void> {
  const config = loadConfig(serviceEnv(dataDir));
  const issuer = await LocalIssuer.open(join(dataDir, 'keys'), config.AUTH_ISSUER, config.AUTH_AUDIENCE);
  const token = (sub: string, role: Role) => issuer.issue({ id: sub, role, tenantId: TENANT }, 3600);
  // The fixtures speak to a TestApi; they need only its GraphQL and its tokens.
  const api = {
    token,
    async graphql(
      query: string,
      variables = {},
      actor = 'admin.grace',
      headers: Record<string, string> = {},
    ) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await token(actor, 'governance-admin')}`,
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
  } as unknown as TestApi;
  await deployableSystem(api, SYSTEM_ID);
  await ok(api, 'registerAuditSource', {
    systemId: SYSTEM_ID,
    sourceService: MODEL_SERVICE,
    expectedInterval: 'P1D',
  });
  await ok(api, 'deployModelVersion', { systemId: SYSTEM_ID, version: LIVE_VERSION });
}

/**
 * Request bodies in turn: 500 new outputs, the responses to them, their
 * outcomes. Items carry raw patient ids, which the service pseudonymises, and
 * the time they are sent, as a live emitter's would.
 */
export function ingestBodies(): () => string {
  let request = 0;
  return () => {
    const kind = request % 3;
    const first = Math.floor(request++ / 3) * BATCH;
    const now = new Date().toISOString();
    const items = Array.from({ length: BATCH }, (_, i) => {
      const n = first + i;
      const f = outputFacts(n);
      const data =
        kind === 0
          ? {
              outputId: f.outputId,
              modelVersion: LIVE_VERSION,
              site: f.site,
              patientId: `MRN-${n % 5000}`,
              inputDigest: createHash('sha256').update(`input-${n}`).digest('hex'),
              score: f.score,
              threshold: 0.3,
              alerted: f.alerted,
              ageBand: f.ageBand,
              sex: f.sex,
            }
          : kind === 1
            ? { outputId: f.outputId, response: f.response, actor: `dr.${n % 300}`, respondedAt: now }
            : {
                outputId: f.outputId,
                label: f.positive ? 'sepsis' : 'no-sepsis',
                observedAt: now,
                source: 'sepsis-3 chart review',
              };
      return {
        eventId: randomUUID(),
        type: ['AiOutputProduced', 'ClinicianResponseRecorded', 'OutcomeObserved'][kind],
        occurredAt: now,
        data: { systemId: SYSTEM_ID, ...data },
      };
    });
    return JSON.stringify({ events: items });
  };
}
