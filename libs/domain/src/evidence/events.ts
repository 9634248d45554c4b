import { Type } from '@sinclair/typebox';
import { Closed, EventsOf, Id, Instant, Principal, Sha256Hex, Text, v1 } from '../shared/schema';

/**
 * Evidence leaving the ledger. Each export is recorded in
 * `evidence-exports-<systemId>` so the system's own history shows who took
 * which bundle, for whom; the manifest digest names the exact file handed over.
 */
export const EVIDENCE_EVENTS = {
  EvidenceExported: v1(
    Closed(
      {
        systemId: Id('the AI system the bundle is about'),
        exportId: Id('the export, as named in the bundle manifest'),
        from: Type.Optional(Instant('the start of the exported period, inclusive')),
        to: Type.Optional(Instant('the end of the exported period, exclusive')),
        sinceTreeSize: Type.Optional(
          Type.Integer({
            minimum: 0,
            description: 'the tree size of the earlier checkpoint the bundle proves consistency from',
          }),
        ),
        treeSize: Type.Integer({
          minimum: 1,
          description: 'the tree size of the signed checkpoint every bundled event is proven against',
        }),
        eventCount: Type.Integer({ minimum: 0, description: 'how many events the bundle holds' }),
        manifestSha256: Sha256Hex(
          'the SHA-256 of the bundle manifest, which holds the SHA-256 of every file in the bundle',
        ),
        exportedBy: Principal('who made the export'),
        recipient: Type.Optional(
          Text('for whom: the regulator, notified body, court or auditor the bundle is meant for', 500),
        ),
      },
      { description: 'An evidence bundle about an AI system was exported from the ledger.' },
    ),
  ),
};

export type EvidenceEvent = EventsOf<typeof EVIDENCE_EVENTS>;
