import type { AiSystemEventOf, AiSystemEventType } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type {
  Attachment,
  Device,
  DocumentReference,
  Identifier,
  Provenance,
  ProvenanceEntity,
  Reference,
} from '@medplum/fhirtypes';
import { SIGNAL_INPUT_TYPES } from '../event-selection';
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

/** Clinical use, the inputs of signals, comes in volume: the collector keeps no ids of it (signals, not their inputs, are cited). */
const volumeKinds = new Set(SIGNAL_INPUT_TYPES);

/** A DocumentReference that names a thing the ledger holds or was told of, without its content. */
const document = (
  id: string,
  identifier: Identifier,
  type: string,
  description: string,
  attachment: Attachment,
): DocumentReference => ({
  resourceType: 'DocumentReference',
  id,
  status: 'current',
  identifier: [identifier],
  type: { text: type },
  description,
  content: [{ attachment }],
});

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
 * and who took the system offline, why and on what evidence. Every target and
 * every entity is a reference into the same Bundle: the system and each model
 * version are Devices, each dataset and each piece of cited evidence a
 * DocumentReference, and evidence that is itself a validation or a governance
 * decision points at that decision's Provenance.
 */
export class ProvenanceCollector {
  private systemName?: string;
  private readonly versions = new Map<string, { artifactSha256?: string; parentVersion?: string }>();
  /** Dataset id to its registered name, once the dataset's own events have passed. */
  private readonly datasetNames = new Map<string, string>();
  private readonly datasets = new Set<string>();
  /** Event id to type, for the events a decision may cite by id. */
  private readonly eventTypes = new Map<string, string>();
  /** Validation id to the event id, and so the Provenance id, that recorded it. */
  private readonly validations = new Map<string, string>();
  private readonly cited = new Set<string>();

  constructor(
    private readonly tenantId: string,
    private readonly systemId: string,
  ) {}

  /** The Provenance for a governance event, or undefined when the event is not about lineage or a decision. */
  add(event: StoredEvent): Provenance | undefined {
    if (event.type === 'AiSystemRegistered')
      this.systemName = (event.data as Data<'AiSystemRegistered'>).name;
    if (event.type === 'DatasetRegistered') {
      const { datasetId, name } = event.data as { datasetId: string; name: string };
      this.datasetNames.set(datasetId, name);
    }
    if (!volumeKinds.has(event.type)) this.eventTypes.set(event.eventId, event.type);
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
          what: this.dataset(id, 'training dataset'),
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
        this.validations.set(d.validationId, event.eventId);
        return {
          ...base,
          target: [this.version(d.version)],
          activity: activity(
            event.type,
            `validation ${d.validationId} ${d.passed ? 'passed' : 'failed'} on dataset ${d.datasetId}`,
          ),
          agent: [{ type: agentType('verifier', 'Verifier'), who: person(d.validator) }],
          entity: [{ role: 'source', what: this.dataset(d.datasetId, 'validation dataset') }],
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
          entity: d.evidence.map((evidence) => ({ role: 'source', what: this.evidence(evidence) })),
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
          entity: d.evidence.map((evidence) => ({ role: 'source', what: this.evidence(evidence) })),
        };
      }
      default:
        return undefined;
    }
  }

  /** Every resource a Provenance named: the system and its versions, the datasets, the evidence cited. */
  referenced(): Array<Device | DocumentReference> {
    return [...this.devices(), ...this.datasetDocuments(), ...this.evidenceDocuments()];
  }

  private devices(): Device[] {
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

  /**
   * A dataset as the ledger knows it: its id and, when its registration is in
   * the bundle, its name. The data itself never leaves the ledger's custody.
   */
  private datasetDocuments(): DocumentReference[] {
    return [...this.datasets].map((datasetId) => {
      const name = this.datasetNames.get(datasetId);
      return document(
        this.datasetDocumentId(datasetId),
        { system: FHIR_SYSTEMS.dataset, value: datasetId },
        'dataset',
        name ? `dataset ${datasetId}: ${name}` : `dataset ${datasetId}`,
        { title: name ?? datasetId },
      );
    });
  }

  /**
   * Evidence as the decider cited it: a ledger event in the bundle by its id
   * (events.jsonl holds it whole), a web page by its URL, anything else by
   * the reference as written.
   */
  private evidenceDocuments(): DocumentReference[] {
    return [...this.cited].map((evidence) => {
      const type = this.eventTypes.get(evidence);
      return document(
        this.evidenceDocumentId(evidence),
        { system: type ? FHIR_SYSTEMS.ledgerEvent : FHIR_SYSTEMS.evidence, value: evidence },
        type ? `ledger event ${type}` : 'evidence cited in a decision',
        type ? `${type} event ${evidence}, in events.jsonl` : evidence,
        /^https?:\/\//.test(evidence) ? { url: evidence, title: evidence } : { title: evidence },
      );
    });
  }

  private dataset(datasetId: string, role: string): Reference<DocumentReference> {
    this.datasets.add(datasetId);
    return {
      reference: `urn:uuid:${this.datasetDocumentId(datasetId)}`,
      identifier: { system: FHIR_SYSTEMS.dataset, value: datasetId },
      display: `${role} ${datasetId}`,
    };
  }

  /** What a decision rested on, as a resource in the Bundle: a validation's or decision's own Provenance where it is one. */
  private evidence(evidence: string): Reference<Provenance | DocumentReference> {
    const provenanceId =
      this.validations.get(evidence) ??
      (provenanceKinds.has(this.eventTypes.get(evidence) as never) ? evidence : undefined);
    if (provenanceId) return { reference: `urn:uuid:${provenanceId}`, display: evidence };
    this.cited.add(evidence);
    return { reference: `urn:uuid:${this.evidenceDocumentId(evidence)}`, display: evidence };
  }

  private datasetDocumentId(datasetId: string): string {
    return uuidFrom(`dataset/${this.tenantId}/${datasetId}`);
  }

  private evidenceDocumentId(evidence: string): string {
    return uuidFrom(`evidence/${this.tenantId}/${this.systemId}/${evidence}`);
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
