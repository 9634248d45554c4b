import type { StoredEvent } from '@ledger/event-store';
import type { DocumentReference, Provenance, Resource } from '@medplum/fhirtypes';
import { ProvenanceCollector } from './provenance';

let position = 0n;
const stored = (type: string, eventId: string, data: Record<string, unknown>): StoredEvent =>
  ({
    eventId,
    type,
    schemaVersion: 1,
    stream: 'default/ai-system-sepsis',
    revision: Number(position),
    position: ++position,
    data,
    metadata: {
      tenantId: 'default',
      actor: { id: 'dr.ada', role: 'takedown-authority' },
      source: 'test',
      occurredAt: '2026-12-01T10:00:00.000Z',
      recordedAt: '2026-12-01T10:00:00.000Z',
      correlationId: eventId,
      causationId: eventId,
    },
    integrity: { prevHash: '', hash: '' },
  }) as unknown as StoredEvent;

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('Provenance entities are resources of the same Bundle', () => {
  const collector = new ProvenanceCollector('default', 'sepsis');
  const resources: Resource[] = [];
  const add = (event: StoredEvent) => {
    const provenance = collector.add(event);
    if (provenance) resources.push(provenance);
    return provenance;
  };

  add(stored('DatasetRegistered', id(1), { datasetId: 'icu-vitals', name: 'ICU vitals 2019-2024' }));
  add(
    stored('ModelVersionRegistered', id(2), {
      systemId: 'sepsis',
      version: 'v1',
      trainingDatasetIds: ['icu-vitals'],
      developer: 'ds.dev',
      changeSummary: 'first',
      withinChangeControlPlan: false,
    }),
  );
  add(
    stored('ValidationResultRecorded', id(3), {
      systemId: 'sepsis',
      validationId: 'val-v1',
      version: 'v1',
      datasetId: 'icu-holdout',
      passed: true,
      validator: 'val.victor',
    }),
  );
  add(stored('MonitoringThresholdBreached', id(4), { systemId: 'sepsis' }));
  const reinstated = add(
    stored('AiSystemReinstated', id(5), {
      systemId: 'sepsis',
      version: 'v1',
      validationId: 'val-v1',
      rationale: 'fixed',
      decidedBy: 'dr.ada',
      evidence: ['val-v1', id(4), id(2), 'https://wiki.example/postmortem', 'incident:inc-7'],
    }),
  )!;
  resources.push(...collector.referenced());
  const byUrl = new Map(resources.map((r) => [`urn:uuid:${r.id}`, r]));
  const cited = () => reinstated.entity!.map((e) => byUrl.get(e.what.reference!));

  it('every entity of every Provenance references a resource collected for the Bundle', () => {
    const entities = resources.flatMap((r) => (r.resourceType === 'Provenance' ? (r.entity ?? []) : []));
    expect(entities).toHaveLength(7);
    for (const entity of entities) expect(byUrl.has(entity.what.reference!)).toBe(true);
  });

  it('cites a validation, or a decision, by its own Provenance', () => {
    const [validation, , registration] = cited() as Provenance[];
    expect(validation).toMatchObject({ resourceType: 'Provenance', id: id(3) });
    expect(registration).toMatchObject({ resourceType: 'Provenance', id: id(2) });
  });

  it('cites any other ledger event by id, a URL as an attachment, anything else as written', () => {
    const [, event, , page, incident] = cited() as DocumentReference[];
    expect(event).toMatchObject({
      resourceType: 'DocumentReference',
      identifier: [{ system: 'urn:govledger:event', value: id(4) }],
      description: `MonitoringThresholdBreached event ${id(4)}, in events.jsonl`,
    });
    expect(page.content[0].attachment).toEqual({
      url: 'https://wiki.example/postmortem',
      title: 'https://wiki.example/postmortem',
    });
    expect(incident).toMatchObject({
      identifier: [{ system: 'urn:govledger:evidence', value: 'incident:inc-7' }],
      content: [{ attachment: { title: 'incident:inc-7' } }],
    });
  });

  it('names each dataset once, by its registered name when the bundle holds it', () => {
    const datasets = resources.filter(
      (r): r is DocumentReference => r.resourceType === 'DocumentReference' && r.type?.text === 'dataset',
    );
    expect(datasets.map((d) => [d.identifier?.[0]?.value, d.description])).toEqual([
      ['icu-vitals', 'dataset icu-vitals: ICU vitals 2019-2024'],
      ['icu-holdout', 'dataset icu-holdout'],
    ]);
  });
});
