import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

export interface CostModel {
  /** Weight of a field (by `Type.field`) where resolving it is much more work than reading a value; others weigh 1. */
  weights: Readonly<Record<string, number>>;
  /** The rows a paged field (one with a `first` argument) returns when `first` is left out. */
  defaultPage: number;
  /** The most rows a page can hold: a larger `first` is refused by the resolver before any work. */
  maxPage: number;
  /** The most items any list argument may hold. */
  maxListItems: number;
}

export interface OperationMeasure {
  /** What the operation would cost: see {@link measureOperation}. */
  cost: number;
  /** Arguments, named `field.argument[.inner]`, whose lists hold more than `maxListItems` items. */
  oversizedLists: Array<{ argument: string; items: number }>;
}

/**
 * What an operation would cost to answer, before it runs: every selected
 * field costs its weight (1 by default), every alias counts as a field of its
 * own, a paged field multiplies the cost of its selection by its page size
 * (`first`, or the default page when left out), and a fragment counts at every
 * place it is spread. A fragment's cost is worked out once and reused, so a
 * document whose fragments spread each other many times cannot make this
 * measurement itself expensive.
 *
 * Returns undefined when the operation cannot run at all (no such operation,
 * variables of the wrong type): execution refuses it with its own error.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  request: { operationName?: string | null; variables?: Record<string, unknown> | null },
  model: CostModel,
): OperationMeasure | undefined {
  const operation = getOperationAST(document, request.operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
  if (coerced.errors) return undefined;
  const variables = coerced.coerced;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const fragmentCosts = new Map<string, number>();
  const oversized = new Map<string, number>();

  const argumentsOf = (
    field: GraphQLField<unknown, unknown>,
    node: Parameters<typeof getArgumentValues>[1],
  ) => {
    try {
      return getArgumentValues(field, node, variables);
    } catch {
      // A missing or mistyped argument: execution names it; cost it as if left out.
      return {};
    }
  };

  const noteLists = (path: string, value: unknown): void => {
    if (Array.isArray(value)) {
      if (value.length > model.maxListItems)
        oversized.set(path, Math.max(oversized.get(path) ?? 0, value.length));
      // Only the first items are looked into: a list already too long is refused whatever it holds.
      for (const item of value.slice(0, model.maxListItems + 1)) noteLists(path, item);
    } else if (value !== null && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) noteLists(`${path}.${key}`, inner);
  };

  const selectionCost = (selectionSet: SelectionSetNode, parent: GraphQLNamedType): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        cost += fragmentCost(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += type ? selectionCost(selection.selectionSet, type) : 0;
      } else {
        const name = selection.name.value;
        const field = fieldOf(schema, parent, name);
        const weight = model.weights[`${parent.name}.${name}`] ?? 1;
        if (!field) {
          // __typename, or a field validation has already refused.
          cost += weight;
          continue;
        }
        const args = argumentsOf(field, selection);
        for (const [argument, value] of Object.entries(args)) noteLists(`${name}.${argument}`, value);
        const children = selection.selectionSet
          ? selectionCost(selection.selectionSet, getNamedType(field.type))
          : 0;
        cost += weight + pageSize(field, args, model) * children;
      }
    }
    return cost;
  };

  const fragmentCost = (name: string): number => {
    const known = fragmentCosts.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    const type = fragment && schema.getType(fragment.typeCondition.name.value);
    // A spread of a fragment that is missing, or that spreads itself, is refused by validation; cost it 0 meanwhile.
    fragmentCosts.set(name, 0);
    const cost = fragment && type ? selectionCost(fragment.selectionSet, type) : 0;
    fragmentCosts.set(name, cost);
    return cost;
  };

  const cost = selectionCost(operation.selectionSet, root);
  return {
    cost,
    oversizedLists: [...oversized].map(([argument, items]) => ({ argument, items })),
  };
}

function fieldOf(
  schema: GraphQLSchema,
  parent: GraphQLNamedType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  if (!isCompositeType(parent) || !(isObjectType(parent) || isInterfaceType(parent))) return undefined;
  return parent.getFields()[name];
}

/** A paged field returns up to `first` rows; every other field answers for one thing (its lists are short, per system). */
function pageSize(
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
  model: CostModel,
): number {
  if (!field.args.some((arg) => arg.name === 'first')) return 1;
  const first = args.first;
  if (typeof first !== 'number' || !Number.isFinite(first)) return model.defaultPage;
  return Math.min(Math.max(Math.trunc(first), 1), model.maxPage);
}
