import { until } from '../support/until';
import {
  eventLeafHash,
  formatKeyId,
  noteVerifier,
  openCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type NoteVerifier,
} from '@ledger/integrity';
import { newEvent } from '../support/events';
import { startTestApi, type GraphqlResponse, type TestApi } from '../support/ledger-api';

const ORIGIN = 'e2e.example/graphql-ledger';
const TENANT = 'tenant-a';
const SYSTEM = 'proof-sys';
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

interface ProofNode {
  eventId: string;
  integrity: { hash: string };
  inclusionProof: null | {
    eventId: string;
    position: string;
    eventHash: string;
    leafIndex: number;
    leafHash: string;
    treeSize: number;
    rootHash: string;
    proof: string[];
    checkpoint: string;
  };
}

const INCLUSION_PROOF =
  'inclusionProof { eventId position eventHash leafIndex leafHash treeSize rootHash proof checkpoint }';

/**
 * The proofs GET /checkpoint and /v1/proofs/* serve, read through GraphQL by
 * an auditor and checked with the library a regulator would use. Checkpoints
 * are signed at every 10 events only (the timer is out of reach), so the last
 * events of the log stay sealed but not yet covered by a checkpoint.
 */
describe('tamper evidence over GraphQL', () => {
  let api: TestApi;
  let verifiers: NoteVerifier[];
  const eventIds: string[] = [];

  const auditor = async <T = any>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphqlResponse<T>> => {
    const token = await api.token('auditor.amy', 'auditor', { tenantId: TENANT });
    return api.graphql<T>(query, variables, 'auditor.amy', { authorization: `Bearer ${token}` });
  };
  const http = async (path: string) => {
    const token = await api.token('auditor.amy', 'auditor', { tenantId: TENANT });
    return (await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();
  };

  async function append(count: number) {
    for (let i = 0; i < count; i++) {
      const event = newEvent({ systemId: SYSTEM, i: eventIds.length });
      const { events } = await api.store.append(`${TENANT}/proof-e2e`, [event], 'any');
      eventIds.push(events[0].eventId);
    }
  }

  /** The system's timeline, once every event appended so far is in it. */
  async function timeline(
    proofArgs = '',
    first = 100,
  ): Promise<GraphqlResponse<{ timeline: { edges: Array<{ node: ProofNode }> } }>> {
    const query = `{ timeline(systemId: "${SYSTEM}", first: ${first}) { edges { node { eventId integrity { hash } ${INCLUSION_PROOF.replace('inclusionProof', `inclusionProof${proofArgs}`)} } } } }`;
    for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 50))) {
      const response = await auditor(query);
      if (response.data && response.data.timeline.edges.length >= Math.min(first, eventIds.length))
        return response;
      if (Date.now() > deadline)
        throw new Error(`the timeline did not show ${eventIds.length} events: ${JSON.stringify(response)}`);
    }
  }

  async function checkpointOfSize(size: number) {
    for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 50))) {
      const { data } = await auditor<{
        checkpoint: { treeSize: number; note: string; rootHash: string; keyId: string } | null;
      }>('{ checkpoint { treeSize note rootHash keyId } }');
      if (data?.checkpoint?.treeSize === size) return data.checkpoint;
      if (Date.now() > deadline) throw new Error(`no checkpoint of size ${size}: ${JSON.stringify(data)}`);
    }
  }

  /** Once the sealer has given the event a leaf: the timeline (a projection) can list an event before the sealer reaches it. */
  const sealed = (eventId: string) =>
    until(async () => {
      const answer = (await http(`/v1/proofs/inclusion?eventId=${eventId}`)) as { error?: { code?: string } };
      return answer.error?.code === 'UNKNOWN_EVENT' ? undefined : true;
    });

  beforeAll(async () => {
    api = await startTestApi('sqlite', {
      LEDGER_ORIGIN: ORIGIN,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '10',
      LEDGER_CHECKPOINT_EVERY_MS: '600000',
      LEDGER_WITNESSES: '',
    });
    verifiers = (await (await fetch(`${api.url}/v1/keys`)).text()).trim().split('\n').map(noteVerifier);
  });
  afterAll(() => api.close());

  it('answers checkpoint with null, and an event’s proof with NO_CHECKPOINT, before the first checkpoint is signed', async () => {
    expect((await auditor('{ checkpoint { treeSize } }')).data).toEqual({ checkpoint: null });
    await append(5);
    const { data, errors } = await timeline();
    // The events are listed; only the proofs are missing, each with the reason.
    expect(data!.timeline.edges.map((e) => [e.node.eventId, e.node.inclusionProof])).toEqual(
      eventIds.map((id) => [id, null]),
    );
    expect(errors).toHaveLength(5);
    // Mercurius serialises every path segment as a string, list indices included.
    expect(errors![0]).toMatchObject({
      path: ['timeline', 'edges', '0', 'node', 'inclusionProof'],
      extensions: { code: 'NO_CHECKPOINT', status: 404 },
    });
    expect(errors![0].message).toContain('no checkpoint has been signed yet');
  });

  it('serves the latest signed checkpoint: the note of GET /checkpoint, verifiable with the published key', async () => {
    await append(20);
    const checkpoint = await checkpointOfSize(20);
    const opened = openCheckpoint(checkpoint.note, verifiers, ORIGIN);
    expect(opened.size).toBe(20);
    expect(fromBase64(checkpoint.rootHash)).toEqual(opened.rootHash);
    expect(checkpoint.keyId).toBe(formatKeyId(opened.signatures[0].keyId));
    expect(checkpoint.note).toBe(await (await fetch(`${api.url}/checkpoint`)).text());
  });

  it('gives each event in a timeline an inclusion proof that verifies against the signed checkpoint it carries, as GET /v1/proofs/inclusion does', async () => {
    const { data, errors } = await timeline('(treeSize: 20)', 20);
    expect(errors).toBeUndefined();
    const nodes = data!.timeline.edges.map((e) => e.node);
    expect(nodes.map((n) => n.eventId)).toEqual(eventIds.slice(0, 20));
    for (const [index, node] of nodes.entries()) {
      const proof = node.inclusionProof!;
      expect(proof).toMatchObject({
        eventId: node.eventId,
        eventHash: node.integrity.hash,
        leafIndex: index,
        treeSize: 20,
        position: expect.stringMatching(/^\d+$/),
      });
      const checkpoint = openCheckpoint(proof.checkpoint, verifiers, ORIGIN);
      expect(checkpoint.size).toBe(proof.treeSize);
      expect(fromBase64(proof.rootHash)).toEqual(checkpoint.rootHash);
      expect(fromBase64(proof.leafHash)).toEqual(eventLeafHash(node.integrity.hash));
      verifyInclusion({
        leafIndex: proof.leafIndex,
        treeSize: checkpoint.size,
        leafHash: eventLeafHash(node.integrity.hash),
        proof: proof.proof.map(fromBase64),
        root: checkpoint.rootHash,
      });
    }
    // One encoding for both APIs: a verifier written against either reads the other.
    expect(nodes[7].inclusionProof).toEqual(
      await http(`/v1/proofs/inclusion?eventId=${eventIds[7]}&treeSize=20`),
    );
    const earlier = await auditor<{ timeline: { edges: Array<{ node: ProofNode }> } }>(
      `{ timeline(systemId: "${SYSTEM}", first: 3) { edges { node { eventId integrity { hash } ${INCLUSION_PROOF.replace('inclusionProof', 'inclusionProof(treeSize: 10)')} } } } }`,
    );
    const third = earlier.data!.timeline.edges[2].node;
    expect(third.inclusionProof).toMatchObject({ leafIndex: 2, treeSize: 10 });
    verifyInclusion({
      leafIndex: 2,
      treeSize: 10,
      leafHash: eventLeafHash(third.integrity.hash),
      proof: third.inclusionProof!.proof.map(fromBase64),
      root: openCheckpoint(third.inclusionProof!.checkpoint, verifiers, ORIGIN).rootHash,
    });
  });

  it('refuses a proof for an event sealed after the checkpoint with NOT_IN_CHECKPOINT, on that event alone', async () => {
    await sealed(eventIds[24]);
    const { data, errors } = await timeline();
    const nodes = data!.timeline.edges.map((e) => e.node);
    // Events 20-24 are sealed, but the next checkpoint is signed only at 30.
    expect(nodes.slice(0, 20).every((n) => n.inclusionProof?.treeSize === 20)).toBe(true);
    expect(nodes.slice(20).map((n) => n.inclusionProof)).toEqual([null, null, null, null, null]);
    expect(errors!.map((e) => [Number(e.path![2]), e.extensions!.code, e.extensions!.field])).toEqual(
      [20, 21, 22, 23, 24].map((i) => [i, 'NOT_IN_CHECKPOINT', 'treeSize']),
    );
    expect(errors![0].message).toContain(
      'is leaf 20, after the checkpoint of tree size 20; ask for a later checkpoint or wait for the next one',
    );
  });

  it('serves a consistency proof between two checkpoints that verifies against both signed roots, as GET /v1/proofs/consistency does', async () => {
    const { data, errors } = await auditor(
      '{ consistencyProof(from: 10, to: 20) { from to fromRoot toRoot proof fromCheckpoint toCheckpoint } }',
    );
    expect(errors).toBeUndefined();
    const body = data.consistencyProof;
    expect(body).toMatchObject({ from: 10, to: 20 });
    const older = openCheckpoint(body.fromCheckpoint, verifiers, ORIGIN);
    const newer = openCheckpoint(body.toCheckpoint, verifiers, ORIGIN);
    expect([older.size, newer.size]).toEqual([10, 20]);
    verifyConsistency({
      oldSize: 10,
      newSize: 20,
      oldRoot: older.rootHash,
      newRoot: newer.rootHash,
      proof: body.proof.map(fromBase64),
    });
    expect(body).toEqual(await http('/v1/proofs/consistency?from=10&to=20'));
    expect((await auditor('{ consistencyProof(from: 10) { from to } }')).data).toEqual({
      consistencyProof: { from: 10, to: 20 },
    });
  });

  it.each([
    [
      '{ consistencyProof(from: 0) { to } }',
      'VALIDATION_FAILED',
      'from',
      'from must be a whole number from 1 to 2147483647: the tree size of a signed checkpoint',
    ],
    [
      '{ consistencyProof(from: 10, to: -4) { to } }',
      'VALIDATION_FAILED',
      'to',
      'to must be a whole number from 1 to 2147483647',
    ],
    [
      '{ consistencyProof(from: 20, to: 10) { to } }',
      'INVALID_RANGE',
      'from',
      'from (20) must not exceed to (10): a log only grows',
    ],
    [
      '{ consistencyProof(from: 7, to: 20) { to } }',
      'NO_CHECKPOINT',
      'from',
      'there is no signed checkpoint of tree size 7',
    ],
    [
      `{ timeline(systemId: "${SYSTEM}", first: 1) { edges { node { inclusionProof(treeSize: 0) { leafIndex } } } } }`,
      'VALIDATION_FAILED',
      'treeSize',
      'treeSize must be a whole number from 1',
    ],
    [
      `{ timeline(systemId: "${SYSTEM}", first: 1) { edges { node { inclusionProof(treeSize: 15) { leafIndex } } } } }`,
      'NO_CHECKPOINT',
      'treeSize',
      'there is no signed checkpoint of tree size 15',
    ],
  ])('refuses %s with %s naming the argument and the rule', async (query, code, field, message) => {
    const { errors } = await auditor(query);
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({
      extensions: { code, field },
      message: expect.stringContaining(message),
    });
  });

  it('refuses a tree size GraphQL cannot carry, and a missing from, in the query itself', async () => {
    const tooLarge = await auditor(
      'query($size: Int) { timeline(systemId: "proof-sys", first: 1) { edges { node { inclusionProof(treeSize: $size) { leafIndex } } } } }',
      { size: 2 ** 31 },
    );
    expect(tooLarge.errors![0].message).toMatch(
      /\$size.*Int cannot represent non 32-bit signed integer value/,
    );
    const missing = await auditor('{ consistencyProof { to } }');
    expect(missing.errors![0].message).toMatch(/argument "from" of type "Int!" is required/);
  });
});
