import {
  type CreateIndexNode,
  type DropIndexNode,
  IdentifierNode,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimaryKeyConstraintNode,
  type QueryResult,
  type RootOperationNode,
  type TableNode,
  type UniqueConstraintNode,
  type UnknownRow,
} from 'kysely';

/**
 * Points a projection's queries at another generation of its tables
 * (`reg_systems` → `reg_systems__rb1700000000000`), so a rebuild can fill
 * fresh tables with the same code while the live ones keep answering.
 * Index and constraint names are schema-wide on PostgreSQL, so they get the
 * suffix too.
 */
class SuffixTransformer extends OperationNodeTransformer {
  constructor(private readonly suffix: string) {
    super();
  }

  protected override transformTable(node: TableNode): TableNode {
    const table = super.transformTable(node);
    return {
      ...table,
      table: {
        ...table.table,
        identifier: IdentifierNode.create(`${table.table.identifier.name}${this.suffix}`),
      },
    };
  }

  protected override transformCreateIndex(node: CreateIndexNode): CreateIndexNode {
    const index = super.transformCreateIndex(node);
    return { ...index, name: this.suffixed(index.name) };
  }

  protected override transformDropIndex(node: DropIndexNode): DropIndexNode {
    const index = super.transformDropIndex(node);
    return { ...index, name: { ...index.name, identifier: this.suffixed(index.name.identifier) } };
  }

  protected override transformPrimaryKeyConstraint(node: PrimaryKeyConstraintNode): PrimaryKeyConstraintNode {
    const constraint = super.transformPrimaryKeyConstraint(node);
    return constraint.name ? { ...constraint, name: this.suffixed(constraint.name) } : constraint;
  }

  protected override transformUniqueConstraint(node: UniqueConstraintNode): UniqueConstraintNode {
    const constraint = super.transformUniqueConstraint(node);
    return constraint.name ? { ...constraint, name: this.suffixed(constraint.name) } : constraint;
  }

  private suffixed(name: IdentifierNode): IdentifierNode {
    return IdentifierNode.create(`${name.name}${this.suffix}`);
  }
}

export class TableSuffixPlugin implements KyselyPlugin {
  private readonly transformer: SuffixTransformer;

  constructor(readonly suffix: string) {
    this.transformer = new SuffixTransformer(suffix);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
