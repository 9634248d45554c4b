import { checkInstant } from '@ledger/domain';
import { instantRange, type LedgerConfig } from '@ledger/runtime';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** DateTime: a strict RFC 3339 instant inside the ledger's plausible range (LEDGER_MIN_DATE, LEDGER_MAX_DATE). */
export function dateTimeScalar(config: LedgerConfig): GraphQLScalarType {
  const range = instantRange(config);
  const parse = (value: unknown): string => {
    const { rule } = checkInstant(value, range);
    if (rule !== undefined) throw new GraphQLError(`DateTime ${rule}`);
    return value as string;
  };
  return new GraphQLScalarType({
    name: 'DateTime',
    serialize: (value) => String(value),
    parseValue: parse,
    parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
  });
}

/** 64-bit positions travel as decimal strings: JSON numbers lose precision past 2^53. */
export const PositionScalar = new GraphQLScalarType({
  name: 'Position',
  serialize: (value) =>
    typeof value === 'bigint' || typeof value === 'number' ? value.toString() : String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !/^\d{1,20}$/.test(value))
      throw new GraphQLError('Position must be a decimal string of digits, e.g. "42"');
    return BigInt(value);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !/^\d{1,20}$/.test(ast.value))
      throw new GraphQLError('Position must be a decimal string of digits, e.g. "42"');
    return BigInt(ast.value);
  },
});
