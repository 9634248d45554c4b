import type { AiSystemEventOf, AiSystemEventType } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Device, Provenance, ProvenanceEntity, Reference } from '@medplum/fhirtypes';
import { FHIR_SYSTEMS, uuidFrom } from './fhir-codes';

type Data<T extends AiSystemEventType> = AiSystemEventOf<T>['data'];

const provenanceKinds = new Set([
  'ModelVersionRegistered',
  'ValidationResultRecorded',
  'DeploymentApproved',
  'ModelVersionDeployed',
  'TakedownDecided',
  'TakedownRatified',
  'AiSystemReinstated',
] as const);

const agentType = (code: string, display: string) => ({
  coding: [{ system: FHIR_SYSTEMS.provenanceParticipant, code, display }],
});
const person = (id: string) => ({ identifier: { value: id } });
const activity = (type: string, text: string) => ({
  coding: [{ system: 'urn:govledger:event-type', code: type }],
  text,
});

/**
 * Model lineage and governance decisions as FHIR R4 Provenance: which version
 * came from which data and parent, who validated, approved and deployed it,
 * and who took the system offline, why and on what evidence. The system and
 * each model version are Devices in the same Bundle, so every target resolves.
 */
export class ProvenanceCollector {
  private systemName?: string;
  private readonly versions = new Map<string, { artifactSha256?: string; parentVersion?: string }>();

  constructor(
    private readonly tenantId: string,
    private readonly systemId: string,
  ) {}

  /** The Provenance for a governance event, or undefined when the event is not about lineage or a decision. */
  add(event: StoredEvent): Provenance | undefined {
    if (event.type === 'AiSystemRegistered')
      this.systemName = (event.data as Data<'AiSystemRegistered'>).name;
    if (!provenanceKinds.has(event.type as never)) return undefined;
    const base = {
      resourceType: 'Provenance' as const,
      id: event.eventId,
      meta: { source: `${FHIR_SYSTEMS.ledgerEvent}:${event.eventId}` },
      occurredDateTime: event.metadata.occurredAt,
      recorded: event.metadata.recordedAt,
    };
    switch (event.type) {
      case 'ModelVersionRegistered': {
        const d = event.data as Data<'ModelVersionRegistered'>;
        this.versions.set(d.version, { artifactSha256: d.artifactSha256, parentVersion: d.parentVersion });
        const entity: ProvenanceEntity[] = d.trainingDatasetIds.map((id) => ({
          role: 'source',
          what: {
            identifier: { system: FHIR_SYSTEMS.dataset, value: id },
            display: `training dataset ${id}`,
          },
        }));
        if (d.parentVersion) entity.push({ role: 'revision', what: this.version(d.parentVersion) });
        return {
          ...base,
          target: [this.version(d.version)],
          activity: activity(event.type, `model version ${d.version} registered: ${d.changeSummary}`),
          agent: [{ type: agentType('author', 'Author'), who: person(d.developer) }],
          entity,
          // The plan a change was made under is exactly what Provenance.policy names.
          ...(d.withinChangeControlPlan
            ? { policy: ['urn:govledger:predetermined-change-control-plan'] }
            : {}),
        };
      }
      case 'ValidationResultRecorded': {
        const d = event.data as Data<'ValidationResultRecorded'>;
        return {
          ...base,
          target: [this.version(d.version)],
          activity: activity(
            event.type,
            `validation ${d.validationId} ${d.passed ? 'passed' : 'failed'} on dataset ${d.datasetId}`,
          ),
          agent: [{ type: agentType('verifier', 'Verifier'), who: person(d.validator) }],
          entity: [
            { role: 'source', what: { identifier: { system: FHIR_SYSTEMS.dataset, value: d.datasetId } } },
          ],
        };
      }
      case 'DeploymentApproved': {
        const d = event.data as Data<'DeploymentApproved'>;
        return {
          ...base,
          target: [this.version(d.version)],
          activity: activity(event.type, `deployment of ${d.version} approved for ${d.discipline}`),
          agent: [{ type: agentType('attester', 'Attester'), who: person(d.reviewer) }],
        };
      }
      case 'ModelVersionDeployed': {
        const d = event.data as Data<'ModelVersionDeployed'>;
        return {
          ...base,
          target: [this.version(d.version), this.system()],
          activity: activity(event.type, `model version ${d.version} went live`),
          agent: [{ type: agentType('performer', 'Performer'), who: person(d.deployedBy) }],
          ...(d.previousVersion
            ? { entity: [{ role: 'revision', what: this.version(d.previousVersion) }] }
            : {}),
        };
      }
      case 'TakedownDecided': {
        const d = event.data as Data<'TakedownDecided'>;
        return {
          ...base,
          target: [this.system(), ...(d.fromVersion ? [this.version(d.fromVersion)] : [])],
          activity: activity(
            event.type,
            `${d.action}${d.emergency ? ' (emergency)' : ''}${d.toVersion ? ` to ${d.toVersion}` : ''}`,
          ),
          reason: [{ text: d.rationale }],
          agent: [{ type: agentType('performer', 'Performer'), who: person(d.decidedBy) }],
          entity: d.evidence.map((evidence) => ({ role: 'source', what: { display: evidence } })),
        };
      }
      case 'TakedownRatified': {
        const d = event.data as Data<'TakedownRatified'>;
        return {
          ...base,
          target: [this.system()],
          activity: activity(event.type, `emergency decision ${d.decisionId} ratified`),
          agent: [{ type: agentType('attester', 'Attester'), who: person(d.ratifiedBy) }],
        };
      }
      case 'AiSystemReinstated': {
        const d = event.data as Data<'AiSystemReinstated'>;
        return {
          ...base,
          target: [this.system(), this.version(d.version)],
          activity: activity(event.type, `reinstated on ${d.version} after validation ${d.validationId}`),
          reason: [{ text: d.rationale }],
          agent: [{ type: agentType('performer', 'Performer'), who: person(d.decidedBy) }],
          entity: d.evidence.map((evidence) => ({ role: 'source', what: { display: evidence } })),
        };
      }
      default:
        return undefined;
    }
  }

  /** The system and every version any Provenance named. */
  devices(): Device[] {
    const system: Device = {
      resourceType: 'Device',
      id: this.deviceId(),
      identifier: [{ system: FHIR_SYSTEMS.aiSystem, value: this.systemId }],
      deviceName: [{ name: this.systemName ?? this.systemId, type: 'user-friendly-name' }],
      type: { text: 'AI system' },
    };
    const versions = [...this.versions].map(([version, facts]): Device => ({
      resourceType: 'Device',
      id: this.deviceId(version),
      identifier: [{ system: FHIR_SYSTEMS.modelVersion, value: `${this.systemId}:${version}` }],
      deviceName: [{ name: `${this.systemName ?? this.systemId} ${version}`, type: 'model-name' }],
      version: [{ value: version }],
      parent: this.system(),
      ...(facts.artifactSha256 ? { note: [{ text: `model artifact SHA-256 ${facts.artifactSha256}` }] } : {}),
    }));
    return [system, ...versions];
  }

  private system(): Reference<Device> {
    return { reference: `urn:uuid:${this.deviceId()}`, display: `AI system ${this.systemId}` };
  }

  private version(version: string): Reference<Device> {
    if (!this.versions.has(version)) this.versions.set(version, {});
    return {
      reference: `urn:uuid:${this.deviceId(version)}`,
      display: `${this.systemId} model version ${version}`,
    };
  }

  private deviceId(version?: string): string {
    return uuidFrom(`device/${this.tenantId}/${this.systemId}${version === undefined ? '' : `/${version}`}`);
  }
}
