import { BUNDLE_FILES, r4Errors } from '@ledger/evidence';
import type { AuditEvent, Bundle, Device, DocumentReference, Provenance, Resource } from '@medplum/fhirtypes';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  bundleEvents,
  bundleMembers,
  fhirViewOf,
  govledger,
  ledgerEnv,
  scratchDir,
  seededLedger,
} from './evidence-fixture';

describe('evidence bundle: the FHIR R4 view validates against FHIR R4', () => {
  const dir = scratchDir();
  let fhir: Bundle;
  let text: string;
  let accessEvents: number;
  let eventIds: Set<string>;
  let exported: Record<string, unknown>;
  let exportLog: string;

  beforeAll(async () => {
    const { api } = await seededLedger('sqlite', 400);
    const out = join(dir, 'bundle.tar.gz');
    try {
      // No --actor: the export is recorded against the login running it.
      const run = await govledger(['export', '--system', 'sepsis-predictor', '--out', out, '--json'], {
        ...ledgerEnv(api),
        USER: 'dr.lee',
        SUDO_USER: '',
      });
      if (run.code !== 0) throw new Error(`export failed: ${run.stderr}`);
      exported = JSON.parse(run.stdout) as Record<string, unknown>;
      exportLog = run.stderr;
    } finally {
      await api.close();
    }
    const members = await bundleMembers(out);
    fhir = fhirViewOf(members);
    text = JSON.stringify(fhir);
    const events = bundleEvents(members.get(BUNDLE_FILES.events)!.toString());
    accessEvents = events.filter((e) => e.type === 'DataAccessed').length;
    eventIds = new Set(events.map((e) => e.eventId));
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the export against the login running govledger, says which ledger, and reports as JSON', () => {
    expect(exported).toMatchObject({ systemId: 'sepsis-predictor', exportedBy: 'dr.lee' });
    expect(exported.out).toBe(join(dir, 'bundle.tar.gz'));
    expect(exportLog).toMatch(
      /^govledger: using the ledger in \S+ \(store sqlite, key govledger\.local\/ledger\+[0-9a-f]{8}\)$/m,
    );
    expect(exportLog).not.toMatch(/NFs|ULLs/);
  });

  const resources = () => (fhir.entry ?? []).map((e) => e.resource as Resource);
  const ofType = <T extends Resource>(type: T['resourceType']): T[] =>
    resources().filter((r): r is T => r.resourceType === type);

  it('is a valid R4 Bundle, and every resource in it is a valid R4 resource', () => {
    expect(r4Errors(fhir)).toEqual([]);
    for (const resource of resources())
      expect({ id: resource.id, errors: r4Errors(resource) }).toEqual({ id: resource.id, errors: [] });
  });

  it('the validator is real: it rejects a broken AuditEvent, naming the element', () => {
    const { recorded: _recorded, ...broken } = ofType<AuditEvent>('AuditEvent')[0] as unknown as Record<
      string,
      unknown
    >;
    expect(r4Errors({ ...broken, agent: 'dr.bob' })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ expression: ['AuditEvent.recorded'] }),
        expect.objectContaining({
          expression: expect.arrayContaining([expect.stringMatching(/^AuditEvent\.agent/)]),
        }),
      ]),
    );
  });

  it('has one AuditEvent per data access, in the shape of an IHE BALP pattern, naming the patient only by pseudonym', () => {
    const audits = ofType<AuditEvent>('AuditEvent');
    expect(audits).toHaveLength(accessEvents);
    for (const audit of audits) {
      // No BALP profile is claimed: each requires client and server network addresses a DataAccessed event does
      // not record (balp-profiles.e2e.spec.ts checks every claim); the ledger event it renders is named instead.
      expect(audit.meta).toEqual({ source: `urn:govledger:event:${audit.id}` });
      expect(audit.type).toMatchObject({
        system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
        code: 'rest',
      });
      expect(audit.agent.filter((a) => a.requestor)).toHaveLength(1);
    }
    const patientEntities = audits.flatMap((a) => a.entity ?? []).filter((e) => e.role?.code === '1');
    expect(patientEntities.length).toBeGreaterThan(0);
    for (const entity of patientEntities) {
      expect(entity.what?.type).toBe('Patient');
      expect(entity.what?.identifier?.value).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(text).not.toContain('MRN-');
  });

  it('has Provenance for model lineage and for decisions, whose targets all resolve inside the Bundle', () => {
    const provenance = ofType<Provenance>('Provenance');
    const activities = provenance.map((p) => p.activity?.coding?.[0]?.code);
    expect(activities).toEqual(
      expect.arrayContaining([
        'ModelVersionRegistered',
        'ValidationResultRecorded',
        'DeploymentApproved',
        'ModelVersionDeployed',
        'TakedownDecided',
      ]),
    );
    const fullUrls = new Set((fhir.entry ?? []).map((e) => e.fullUrl));
    for (const p of provenance) for (const target of p.target) expect(fullUrls).toContain(target.reference);
    // The evidence too is a resource in the Bundle: no entity is only a display text.
    const entities = provenance.flatMap((p) => (p.entity ?? []).map((e) => ({ id: p.id, what: e.what })));
    expect(entities.length).toBeGreaterThan(0);
    for (const { id, what } of entities)
      expect({ id, resolves: fullUrls.has(what.reference) }).toEqual({ id, resolves: true });
    const byUrl = new Map((fhir.entry ?? []).map((e) => [e.fullUrl, e.resource as Resource]));
    const takedown = provenance.find((p) => p.activity?.coding?.[0]?.code === 'TakedownDecided')!;
    expect(takedown.reason?.[0]?.text).toBeTruthy();
    expect(takedown.agent[0].who.identifier?.value).toBeTruthy();
    // seed-demo cites the breach and the signals by their event ids, and an incident by name.
    const cited = takedown.entity!.map((e) => byUrl.get(e.what.reference) as DocumentReference);
    expect(cited.map((d) => d.resourceType)).toEqual(cited.map(() => 'DocumentReference'));
    expect(cited.map((d) => d.identifier?.[0])).toEqual(
      expect.arrayContaining([
        { system: 'urn:govledger:event', value: expect.any(String) },
        { system: 'urn:govledger:evidence', value: 'incident:inc-2026-0142' },
      ]),
    );
    for (const document of cited.filter((d) => d.identifier?.[0]?.system === 'urn:govledger:event'))
      expect(eventIds).toContain(document.identifier![0].value);
    const lineage = provenance.find((p) => p.activity?.coding?.[0]?.code === 'ModelVersionRegistered')!;
    expect(
      lineage.entity?.some(
        (e) => e.role === 'source' && e.what.identifier?.system === 'urn:govledger:dataset',
      ),
    ).toBe(true);
    expect(ofType<Device>('Device').map((d) => d.identifier?.[0]?.system)).toEqual(
      expect.arrayContaining(['urn:govledger:ai-system', 'urn:govledger:model-version']),
    );
  });
});
