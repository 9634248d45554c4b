import { eventLeafHash, hashFromHex, type NodeAddress, type NodeRequest } from '@ledger/integrity';
import { type Kysely, sql } from 'kysely';
import type { MerkleTables } from './merkle-tables';

/** The sealer's stored nodes are damaged or missing: proofs cannot be served until the log is re-sealed. */
export class MerkleStoreDamagedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MerkleStoreDamagedError';
  }
}

// Node addresses per query: 2 bound parameters each, well within SQLite's and PostgreSQL's limits.
const ADDRESSES_PER_QUERY = 1000;

/**
 * Answers a node request (a root, a proof, a frontier) with one query,
 * however many nodes it asks for: O(log n) nodes by primary key.
 */
export async function fetchNodes<T>(db: Kysely<MerkleTables>, request: NodeRequest<T>): Promise<T> {
  const hashes = await fetchNodeHashes(db, request.nodes);
  return request.assemble(request.nodes.map((node) => hashes.get(nodeKey(node))!));
}

/**
 * Many nodes at once (the proofs of a whole batch of events), each asked for
 * once, in one query per thousand. Leaves (level 0) are not stored as nodes:
 * their hash is SHA-256(0x00 || event hash), from the leaf record, which saves
 * a third of the sealer's rows. Throws if any node is missing.
 */
export async function fetchNodeHashes(
  db: Kysely<MerkleTables>,
  addresses: readonly NodeAddress[],
): Promise<Map<string, Uint8Array>> {
  const wanted = [...new Map(addresses.map((a) => [nodeKey(a), a])).values()];
  const found = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += ADDRESSES_PER_QUERY) {
    const chunk = wanted.slice(i, i + ADDRESSES_PER_QUERY);
    const leaves = chunk.filter((node) => node.level === 0).map((node) => node.index);
    const inner = chunk.filter((node) => node.level > 0);
    const leafQuery = db
      .selectFrom('merkle_leaves')
      .select([sql<number>`0`.as('level'), 'leaf_index as idx', 'event_hash as hash'])
      .where('leaf_index', 'in', leaves);
    const innerQuery = db
      .selectFrom('merkle_nodes')
      .select(['level', 'idx', 'hash'])
      .where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple('level', 'idx'),
          'in',
          inner.map((node) => tuple(node.level, node.index)),
        ),
      );
    const query =
      leaves.length === 0 ? innerQuery : inner.length === 0 ? leafQuery : innerQuery.unionAll(leafQuery);
    for (const row of await query.execute()) found.set(`${row.level}/${row.idx}`, row.hash);
  }
  const hashes = new Map<string, Uint8Array>();
  for (const { level, index } of wanted) {
    const hex = found.get(`${level}/${index}`);
    if (hex === undefined)
      throw new MerkleStoreDamagedError(`the merkle log has no node at level ${level}, index ${index}`);
    try {
      hashes.set(`${level}/${index}`, level === 0 ? eventLeafHash(hex) : hashFromHex(hex));
    } catch {
      throw new MerkleStoreDamagedError(
        `the merkle log's node at level ${level}, index ${index} is not a hash`,
      );
    }
  }
  return hashes;
}

export const nodeKey = ({ level, index }: NodeAddress): string => `${level}/${index}`;
