import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(value: unknown): string {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value)))
    throw new GraphQLError(
      `DateTime must be an RFC 3339 instant with a time zone, e.g. 2026-03-14T09:00:00Z; got ${JSON.stringify(value)}`,
    );
  return value;
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => String(value),
  parseValue: parseInstant,
  parseLiteral: (ast) => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined),
});

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
