import { hashFromHex, type NodeRequest } from '@ledger/integrity';
import type { Kysely } from 'kysely';
import type { MerkleTables } from './merkle-tables';

/** The sealer's stored nodes are damaged or missing: proofs cannot be served until the log is re-sealed. */
export class MerkleStoreDamagedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MerkleStoreDamagedError';
  }
}

/**
 * Answers a node request (a root, a proof, a frontier) with one query,
 * however many nodes it asks for: O(log n) nodes by primary key.
 */
export async function fetchNodes<T>(db: Kysely<MerkleTables>, request: NodeRequest<T>): Promise<T> {
  if (request.nodes.length === 0) return request.assemble([]);
  const rows = await db
    .selectFrom('merkle_nodes')
    .select(['level', 'idx', 'hash'])
    .where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('level', 'idx'),
        'in',
        request.nodes.map((node) => tuple(node.level, node.index)),
      ),
    )
    .execute();
  const byAddress = new Map(rows.map((row) => [`${row.level}/${row.idx}`, row.hash]));
  const hashes = request.nodes.map(({ level, index }) => {
    const hex = byAddress.get(`${level}/${index}`);
    if (hex === undefined) throw new MerkleStoreDamagedError(`the merkle log has no node at level ${level}, index ${index}`);
    try {
      return hashFromHex(hex);
    } catch {
      throw new MerkleStoreDamagedError(`the merkle log's node at level ${level}, index ${index} is not a hash`);
    }
  });
  return request.assemble(hashes);
}
