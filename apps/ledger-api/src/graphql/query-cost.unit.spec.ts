import { buildSchema, parse } from 'graphql';
import { measureOperation, type CostModel } from './query-cost';

const schema = buildSchema(`
  type Query {
    events(first: Int, types: [String!]): EventConnection!
    event(id: ID!): Event
    filtered(filter: Filter): [Event!]!
  }
  input Filter { ids: [ID!] }
  type EventConnection { edges: [EventEdge!]! }
  type EventEdge { node: Event! }
  type Event { id: ID! type: String! proof: Proof }
  type Proof { root: String! path: [String!]! }
`);

const model: CostModel = {
  weights: { 'Event.proof': 50 },
  defaultPage: 20,
  maxPage: 100,
  maxListItems: 3,
};

const cost = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  measureOperation(schema, parse(query), { variables, operationName }, model)?.cost;

describe('the cost of a GraphQL operation', () => {
  it('counts every selected field once', () => {
    // event, id, type
    expect(cost('{ event(id: "a") { id type } }')).toBe(3);
  });

  it('multiplies a page by first, and by the default page when first is left out', () => {
    // events + first × (edges + node + id)
    expect(cost('{ events(first: 10) { edges { node { id } } } }')).toBe(1 + 10 * 3);
    expect(cost('{ events { edges { node { id } } } }')).toBe(1 + 20 * 3);
  });

  it('reads first from variables, and from a variable default', () => {
    expect(cost('query($n: Int) { events(first: $n) { edges { node { id } } } }', { n: 50 })).toBe(
      1 + 50 * 3,
    );
    expect(cost('query($n: Int = 70) { events(first: $n) { edges { node { id } } } }')).toBe(1 + 70 * 3);
  });

  it('counts a page larger than the resolver serves as the largest it serves', () => {
    expect(cost('{ events(first: 100000) { edges { node { id } } } }')).toBe(1 + 100 * 3);
  });

  it('weighs expensive fields', () => {
    // event, proof (50), root
    expect(cost('{ event(id: "a") { proof { root } } }')).toBe(1 + 50 + 1);
  });

  it('counts every alias as a field of its own', () => {
    const one = cost('{ events(first: 100) { edges { node { proof { root } } } } }')!;
    expect(
      cost(
        '{ a: events(first: 100) { edges { node { proof { root } } } } b: events(first: 100) { edges { node { proof { root } } } } }',
      ),
    ).toBe(2 * one);
  });

  it('counts a named fragment at every place it is spread', () => {
    const inline = cost('{ a: event(id: "a") { id type } b: event(id: "b") { id type } }');
    expect(
      cost('{ a: event(id: "a") { ...F } b: event(id: "b") { ...F } } fragment F on Event { id type }'),
    ).toBe(inline);
    expect(
      cost('{ events(first: 10) { edges { node { ...F ...F } } } } fragment F on Event { a: id b: id }'),
    ).toBe(1 + 10 * (2 + 4));
  });

  it('counts inline fragments', () => {
    expect(cost('{ event(id: "a") { ... on Event { id type } ... { id } } }')).toBe(1 + 3);
  });

  it('measures fragments that spread each other many times without expanding them', () => {
    // F0 is spread 2^60 times; measured by expansion this would never finish.
    const fragments = Array.from(
      { length: 60 },
      (_, i) => `fragment F${i} on Event { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const query = `{ event(id: "a") { ...F0 } } ${fragments} fragment F60 on Event { id }`;
    expect(cost(query)).toBe(1 + 2 ** 60);
  });

  it('measures the operation named', () => {
    const query =
      'query Small { event(id: "a") { id } } query Big { events(first: 100) { edges { node { id } } } }';
    expect(cost(query, {}, 'Small')).toBe(2);
    expect(cost(query, {}, 'Big')).toBe(301);
  });

  it('leaves an operation that cannot run to execution, which names the problem', () => {
    expect(
      cost('query($n: Int) { events(first: $n) { edges { node { id } } } }', { n: 'many' }),
    ).toBeUndefined();
    expect(cost('query A { event(id: "a") { id } } query B { event(id: "b") { id } }')).toBeUndefined();
  });
});

describe('list arguments', () => {
  const lists = (query: string, variables: Record<string, unknown> = {}) =>
    measureOperation(schema, parse(query), { variables }, model)?.oversizedLists;

  it('names an argument whose list is longer than the limit, given inline or as a variable', () => {
    expect(lists('{ events(types: ["a", "b", "c", "d"]) { edges { node { id } } } }')).toEqual([
      { argument: 'events.types', items: 4 },
    ]);
    expect(
      lists('query($t: [String!]) { events(types: $t) { edges { node { id } } } }', {
        t: Array.from({ length: 40_000 }, (_, i) => `T${i}`),
      }),
    ).toEqual([{ argument: 'events.types', items: 40_000 }]);
  });

  it('looks into input objects', () => {
    expect(
      lists('query($f: Filter) { filtered(filter: $f) { id } }', { f: { ids: ['1', '2', '3', '4', '5'] } }),
    ).toEqual([{ argument: 'filtered.filter.ids', items: 5 }]);
  });

  it('accepts lists up to the limit', () => {
    expect(lists('{ events(types: ["a", "b", "c"]) { edges { node { id } } } }')).toEqual([]);
  });
});
